#include "tinydata/game/rewards.h"

#include <algorithm>

namespace tinydata::game {

CappedReward ApplyDailyCap(int64_t received_today_aia, int64_t reward_aia,
                           const GameConfig& config) {
  const int64_t reward = std::max<int64_t>(0, reward_aia);
  const int64_t room =
      std::max<int64_t>(0, config.daily_reward_cap_aia - std::max<int64_t>(0, received_today_aia));
  const int64_t paid = std::min(reward, room);
  return CappedReward{paid, reward - paid};
}

int64_t ReferralBonusAia(int64_t referee_reward_aia, int64_t referee_gold_passes,
                         const GameConfig& config) {
  if (referee_reward_aia <= 0 || referee_gold_passes < config.referral_min_gold_passes) return 0;
  // Integer arithmetic keeps the bonus exact; rewards are far below the overflow bound.
  return referee_reward_aia * config.referral_bonus_bps / 10'000;
}

AgtGrant LevelUpAgtGrant(int64_t agt_in_circulation, int64_t max_supply_agt,
                         const GameConfig& config) {
  const int64_t due = std::max<int64_t>(0, config.agt_per_level_up);
  const int64_t room = std::max<int64_t>(
      0, std::max<int64_t>(0, max_supply_agt) - std::max<int64_t>(0, agt_in_circulation));
  const int64_t granted = std::min(due, room);
  return AgtGrant{granted, due - granted};
}

}  // namespace tinydata::game
