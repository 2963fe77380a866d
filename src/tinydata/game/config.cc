#include "tinydata/game/config.h"

#include <string>

namespace tinydata::game {
namespace {

Status Invalid(std::string field, std::string message) {
  return Status::InvalidArgument(std::move(message), std::move(field));
}

}  // namespace

Status ValidateGameConfig(const GameConfig& c) {
  if (c.xp_per_accepted_answer < 0) {
    return Invalid("xp_per_accepted_answer", "must not be negative");
  }
  const auto& thresholds = c.level_xp_thresholds;
  if (thresholds.empty() || thresholds[0] != 0) {
    return Invalid("level_xp_thresholds", "must start with 0 (level 1 needs no XP)");
  }
  for (size_t i = 1; i < thresholds.size(); ++i) {
    if (thresholds[i] <= thresholds[i - 1]) {
      return Invalid("level_xp_thresholds", "must strictly increase (entry " +
                                                std::to_string(i) + ")");
    }
  }
  if (c.level_up_cost_aia.size() != thresholds.size()) {
    return Invalid("level_up_cost_aia", "needs one entry per level (" +
                                            std::to_string(thresholds.size()) + ")");
  }
  for (int64_t cost : c.level_up_cost_aia) {
    if (cost < 0) return Invalid("level_up_cost_aia", "costs must not be negative");
  }
  const auto levels = static_cast<int32_t>(thresholds.size());
  if (c.domain_tier_min_level < 1 || c.domain_tier_min_level > levels) {
    return Invalid("domain_tier_min_level", "must be an existing level");
  }
  if (c.advanced_tier_min_level < c.domain_tier_min_level || c.advanced_tier_min_level > levels) {
    return Invalid("advanced_tier_min_level",
                   "must be an existing level, not below domain_tier_min_level");
  }
  if (c.reputation_max <= 0) return Invalid("reputation_max", "must be positive");
  for (auto [field, value] : {std::pair{"reputation_demote_below", c.reputation_demote_below},
                              std::pair{"reputation_after_demotion", c.reputation_after_demotion},
                              std::pair{"reputation_pause_below", c.reputation_pause_below},
                              std::pair{"reputation_after_pause", c.reputation_after_pause}}) {
    if (value < 0 || value > c.reputation_max) {
      return Invalid(field, "must lie in [0, reputation_max]");
    }
  }
  if (c.reputation_after_demotion < c.reputation_demote_below) {
    return Invalid("reputation_after_demotion", "must not be below reputation_demote_below");
  }
  if (c.reputation_after_pause < c.reputation_pause_below) {
    return Invalid("reputation_after_pause", "must not be below reputation_pause_below");
  }
  if (c.reputation_gold_pass_gain < 0) return Invalid("reputation_gold_pass_gain", "must not be negative");
  if (c.reputation_gold_fail_penalty < 0) {
    return Invalid("reputation_gold_fail_penalty", "must not be negative");
  }
  if (c.pause_days < 1) return Invalid("pause_days", "must be at least 1");
  if (c.checkin_base_aia < 0) return Invalid("checkin_base_aia", "must not be negative");
  if (c.checkin_streak_bonus_aia < 0) {
    return Invalid("checkin_streak_bonus_aia", "must not be negative");
  }
  if (c.checkin_streak_bonus_max_days < 0) {
    return Invalid("checkin_streak_bonus_max_days", "must not be negative");
  }
  if (c.daily_reward_cap_aia < 0) return Invalid("daily_reward_cap_aia", "must not be negative");
  if (c.referral_bonus_bps < 0 || c.referral_bonus_bps > 10000) {
    return Invalid("referral_bonus_bps", "must lie in [0, 10000]");
  }
  if (c.referral_min_gold_passes < 0) {
    return Invalid("referral_min_gold_passes", "must not be negative");
  }
  if (c.agt_per_level_up < 0) return Invalid("agt_per_level_up", "must not be negative");
  return Status::Ok();
}

}  // namespace tinydata::game
