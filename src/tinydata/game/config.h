// Every tunable number of the game rules, with the defaults the server ships with. The
// service fills one GameConfig from its configuration and passes it to the pure rules in
// this folder; nothing here reads configuration by itself.
#pragma once

#include <cstdint>
#include <vector>

#include "tinydata/core/status.h"

namespace tinydata::game {

struct GameConfig {
  // --- Experience and levels -------------------------------------------------------------
  // XP for an accepted answer on a task that retired with confidence 1.0; a task retired at
  // confidence c pays round(c * xp_per_accepted_answer).
  int64_t xp_per_accepted_answer = 10;
  // level_xp_thresholds[i] is the XP a user needs before buying level i + 1; [0] must be 0
  // (everyone starts at level 1) and the list strictly increases. Its length is the top level.
  std::vector<int64_t> level_xp_thresholds = {0, 100, 500, 2000, 6000};
  // level_up_cost_aia[i] is the AIA price of moving up to level i + 1 ([0] is unused and 0).
  std::vector<int64_t> level_up_cost_aia = {0, 50, 250, 1000, 3000};
  // The lowest level that may receive domain tasks (driving, games, film) and advanced tasks
  // (medical, technology). General tasks are open to every level.
  int32_t domain_tier_min_level = 2;
  int32_t advanced_tier_min_level = 3;

  // --- Reputation from gold questions ----------------------------------------------------
  // Reputation is a score in [0, reputation_max]; new users start at the maximum.
  int32_t reputation_max = 100;
  int32_t reputation_gold_pass_gain = 2;
  int32_t reputation_gold_fail_penalty = 10;
  // Falling below this demotes a user above level 1 by one level, and resets the score to
  // reputation_after_demotion so one bad streak costs one level, not all of them at once.
  int32_t reputation_demote_below = 60;
  int32_t reputation_after_demotion = 70;
  // At level 1 (nothing left to demote) falling below this pauses the user for pause_days
  // UTC days, after which they resume with reputation_after_pause.
  int32_t reputation_pause_below = 30;
  int32_t pause_days = 7;
  int32_t reputation_after_pause = 50;

  // --- Daily check-in ---------------------------------------------------------------------
  // A check-in on a streak of s consecutive days (s = 1 on the first day) pays
  // checkin_base_aia + checkin_streak_bonus_aia * min(s - 1, checkin_streak_bonus_max_days).
  int64_t checkin_base_aia = 5;
  int64_t checkin_streak_bonus_aia = 1;
  int32_t checkin_streak_bonus_max_days = 7;

  // --- Caps and referrals -----------------------------------------------------------------
  // The most AIA one user may receive per UTC day from answers, check-ins and referral
  // bonuses together; the excess is withheld, not deferred.
  int64_t daily_reward_cap_aia = 500;
  // The referrer receives this share (in basis points, 1000 = 10%) of each accepted-answer
  // reward of the referee, paid by the project budget on top of the referee's reward...
  int32_t referral_bonus_bps = 1000;
  // ...but only once the referee has passed this many gold questions (anti-sybil).
  int32_t referral_min_gold_passes = 5;

  // --- Governance tokens (AGT) --------------------------------------------------------------
  // AGT minted from the treasury to a user who buys a level, once per (user, level): buying a
  // level again after a demotion grants nothing. The grant never takes the AGT in circulation
  // above the maximum supply; what does not fit is withheld (forfeited), the level-up stands.
  // 0 issues no AGT.
  int64_t agt_per_level_up = 10;
};

// Ok when the configuration is usable: thresholds start at 0 and increase, costs are
// non-negative and as many as the levels, tier levels exist, scores and days are in range.
// InvalidArgument names the offending field.
Status ValidateGameConfig(const GameConfig& config);

}  // namespace tinydata::game
