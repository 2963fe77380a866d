// Reputation from gold questions: passing raises it a little, failing lowers it a lot, and a
// user who keeps failing is demoted one level at a time and, at level 1, paused for a while.
#pragma once

#include <cstdint>

#include "tinydata/game/config.h"

namespace tinydata::game {

struct Reputation {
  int32_t score = 100;           // in [0, reputation_max]; new users: reputation_max
  int32_t level = 1;             // the user's current (bought) level
  int64_t paused_until_day = 0;  // UTC day number on which a pause ends; 0 = never paused
};

// A new user's reputation under `config`.
Reputation InitialReputation(const GameConfig& config);

// Whether the user may not receive tasks on UTC day `today`.
bool IsPaused(const Reputation& reputation, int64_t today);

struct GoldOutcome {
  Reputation after;
  bool demoted = false;  // level dropped by one
  bool paused = false;   // a pause started
};

// Applies one scored gold answer given on UTC day `today`:
//   pass: score += reputation_gold_pass_gain (up to reputation_max);
//   fail: score -= reputation_gold_fail_penalty (down to 0), then
//     below reputation_demote_below and level > 1: level - 1, score = reputation_after_demotion;
//     else below reputation_pause_below: paused until today + pause_days,
//                                        score = reputation_after_pause.
// A failure during a pause lowers the score but does not extend the pause.
GoldOutcome ApplyGoldResult(const Reputation& before, bool passed, int64_t today,
                            const GameConfig& config);

}  // namespace tinydata::game
