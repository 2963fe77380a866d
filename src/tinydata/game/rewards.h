// How much AIA a user actually receives: the per-user daily cap, and the referral bonus the
// referrer earns on top of a referee's accepted-answer reward.
#pragma once

#include <cstdint>

#include "tinydata/game/config.h"

namespace tinydata::game {

struct CappedReward {
  int64_t paid_aia = 0;      // post this
  int64_t withheld_aia = 0;  // over the cap; forfeited
};

// Applies daily_reward_cap_aia to a reward of `reward_aia` for a user who already received
// `received_today_aia` on the same UTC day. Negative inputs count as 0.
CappedReward ApplyDailyCap(int64_t received_today_aia, int64_t reward_aia,
                           const GameConfig& config);

// The referrer's bonus for one accepted answer of the referee that earned
// `referee_reward_aia` (before the referee's cap): floor(reward * referral_bonus_bps / 10000),
// or 0 while the referee has passed fewer than referral_min_gold_passes gold questions. The
// bonus is paid in addition to the referee's reward, never taken from it.
int64_t ReferralBonusAia(int64_t referee_reward_aia, int64_t referee_gold_passes,
                         const GameConfig& config);

}  // namespace tinydata::game
