#include "tinydata/game/reputation.h"

#include <algorithm>

namespace tinydata::game {

Reputation InitialReputation(const GameConfig& config) {
  return Reputation{config.reputation_max, 1, 0};
}

bool IsPaused(const Reputation& reputation, int64_t today) {
  return today < reputation.paused_until_day;
}

GoldOutcome ApplyGoldResult(const Reputation& before, bool passed, int64_t today,
                            const GameConfig& config) {
  GoldOutcome out;
  out.after = before;
  Reputation& r = out.after;
  if (passed) {
    r.score = std::min(config.reputation_max, r.score + config.reputation_gold_pass_gain);
    return out;
  }
  r.score = std::max(0, r.score - config.reputation_gold_fail_penalty);
  if (r.score >= config.reputation_demote_below) return out;
  if (r.level > 1) {
    r.level -= 1;
    r.score = config.reputation_after_demotion;
    out.demoted = true;
  } else if (r.score < config.reputation_pause_below && !IsPaused(before, today)) {
    r.paused_until_day = today + config.pause_days;
    r.score = config.reputation_after_pause;
    out.paused = true;
  }
  return out;
}

}  // namespace tinydata::game
