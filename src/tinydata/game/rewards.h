// How much a user actually receives: the per-user daily AIA cap, the referral bonus the
// referrer earns on top of a referee's accepted-answer reward, and the AGT granted at a level-up
// within the token's maximum supply.
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

struct AgtGrant {
  int64_t granted_agt = 0;   // mint this from the treasury to the user
  int64_t withheld_agt = 0;  // over the maximum supply; forfeited
};

// The AGT of a level-up (agt_per_level_up) when `agt_in_circulation` AGT is already held
// outside the treasury and at most `max_supply_agt` may ever be: all of it, the part that still
// fits, or nothing. Whether this (user, level) was granted before is the caller's business.
// Negative inputs count as 0.
AgtGrant LevelUpAgtGrant(int64_t agt_in_circulation, int64_t max_supply_agt,
                         const GameConfig& config);

}  // namespace tinydata::game
