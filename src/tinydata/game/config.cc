#include "tinydata/game/config.h"

#include <string>

namespace tinydata::game {
namespace {

Status Invalid(std::string field, std::string message) {
  return Status::InvalidArgument(std::move(message), std::move(field));
}

// Upper bounds that keep every sum of XP, AIA and AGT these rules produce far from int64's limit.
constexpr int64_t kMaxXpPerAnswer = 1'000'000;
constexpr int64_t kMaxLevelXp = 1'000'000'000'000;
constexpr int64_t kMaxAiaAmount = 1'000'000'000'000;
constexpr int64_t kMaxDailyBonus = 1'000'000;
constexpr int64_t kMaxDays = 3650;
constexpr int64_t kMaxReputation = 1'000'000;
constexpr int64_t kMaxAgtPerLevel = 1'000'000'000;
constexpr size_t kMaxLevels = 100;

Status Range(const char* field, int64_t value, int64_t low, int64_t high) {
  if (value < low || value > high) {
    return Invalid(field, "must lie in [" + std::to_string(low) + ", " + std::to_string(high) + "]");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateGameConfig(const GameConfig& c) {
  TD_RETURN_IF_ERROR(Range("xp_per_accepted_answer", c.xp_per_accepted_answer, 0, kMaxXpPerAnswer));
  const auto& thresholds = c.level_xp_thresholds;
  if (thresholds.empty() || thresholds[0] != 0) {
    return Invalid("level_xp_thresholds", "must start with 0 (level 1 needs no XP)");
  }
  if (thresholds.size() > kMaxLevels) return Invalid("level_xp_thresholds", "at most 100 levels");
  if (thresholds.back() > kMaxLevelXp) {
    return Invalid("level_xp_thresholds", "must stay at most " + std::to_string(kMaxLevelXp));
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
    TD_RETURN_IF_ERROR(Range("level_up_cost_aia", cost, 0, kMaxAiaAmount));
  }
  const auto levels = static_cast<int32_t>(thresholds.size());
  if (c.domain_tier_min_level < 1 || c.domain_tier_min_level > levels) {
    return Invalid("domain_tier_min_level", "must be an existing level");
  }
  if (c.advanced_tier_min_level < c.domain_tier_min_level || c.advanced_tier_min_level > levels) {
    return Invalid("advanced_tier_min_level",
                   "must be an existing level, not below domain_tier_min_level");
  }
  TD_RETURN_IF_ERROR(Range("reputation_max", c.reputation_max, 1, kMaxReputation));
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
  TD_RETURN_IF_ERROR(
      Range("reputation_gold_pass_gain", c.reputation_gold_pass_gain, 0, c.reputation_max));
  TD_RETURN_IF_ERROR(
      Range("reputation_gold_fail_penalty", c.reputation_gold_fail_penalty, 0, c.reputation_max));
  TD_RETURN_IF_ERROR(Range("pause_days", c.pause_days, 1, kMaxDays));
  TD_RETURN_IF_ERROR(Range("checkin_base_aia", c.checkin_base_aia, 0, kMaxDailyBonus));
  TD_RETURN_IF_ERROR(Range("checkin_streak_bonus_aia", c.checkin_streak_bonus_aia, 0, kMaxDailyBonus));
  TD_RETURN_IF_ERROR(
      Range("checkin_streak_bonus_max_days", c.checkin_streak_bonus_max_days, 0, kMaxDays));
  TD_RETURN_IF_ERROR(Range("daily_reward_cap_aia", c.daily_reward_cap_aia, 0, kMaxAiaAmount));
  if (c.referral_bonus_bps < 0 || c.referral_bonus_bps > 10000) {
    return Invalid("referral_bonus_bps", "must lie in [0, 10000]");
  }
  TD_RETURN_IF_ERROR(
      Range("referral_min_gold_passes", c.referral_min_gold_passes, 0, 1'000'000));
  TD_RETURN_IF_ERROR(Range("agt_per_level_up", c.agt_per_level_up, 0, kMaxAgtPerLevel));
  return Status::Ok();
}

}  // namespace tinydata::game
