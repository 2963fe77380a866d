#include "tinydata/game/levels.h"

#include <cmath>
#include <string>

namespace tinydata::game {

Result<DifficultyTier> TierOfDomain(std::string_view domain) {
  if (domain == "general") return DifficultyTier::kGeneral;
  if (domain == "driving" || domain == "games" || domain == "film") return DifficultyTier::kDomain;
  if (domain == "medical" || domain == "technology") return DifficultyTier::kAdvanced;
  std::string message = "unknown domain '";
  message += domain;
  message += "' (general, driving, games, film, medical, technology)";
  return Status::InvalidArgument(std::move(message), "domain");
}

Result<int64_t> XpForAcceptedAnswer(double confidence, const GameConfig& config) {
  if (!(confidence >= 0.0 && confidence <= 1.0)) {
    return Status::InvalidArgument("confidence must lie in [0, 1]", "confidence");
  }
  return std::llround(confidence * static_cast<double>(config.xp_per_accepted_answer));
}

int32_t MaxLevel(const GameConfig& config) {
  return static_cast<int32_t>(config.level_xp_thresholds.size());
}

int32_t EligibleLevel(int64_t xp, const GameConfig& config) {
  int32_t level = 1;
  for (size_t i = 1; i < config.level_xp_thresholds.size(); ++i) {
    if (xp >= config.level_xp_thresholds[i]) level = static_cast<int32_t>(i) + 1;
  }
  return level;
}

DifficultyTier HighestTier(int32_t level, const GameConfig& config) {
  if (level >= config.advanced_tier_min_level) return DifficultyTier::kAdvanced;
  if (level >= config.domain_tier_min_level) return DifficultyTier::kDomain;
  return DifficultyTier::kGeneral;
}

bool MayReceive(int32_t level, DifficultyTier tier, const GameConfig& config) {
  return static_cast<int32_t>(tier) <= static_cast<int32_t>(HighestTier(level, config));
}

Result<LevelUpQuote> QuoteLevelUp(int32_t level, int64_t xp, int64_t aia_balance,
                                  const GameConfig& config) {
  if (level < 1 || level > MaxLevel(config)) {
    return Status::InvalidArgument("level " + std::to_string(level) + " does not exist",
                                   "level");
  }
  if (level == MaxLevel(config)) {
    return Status::FailedPrecondition("already at the top level", "level");
  }
  const int64_t needed_xp = config.level_xp_thresholds[level];
  if (xp < needed_xp) {
    return Status::FailedPrecondition("level " + std::to_string(level + 1) + " needs " +
                                          std::to_string(needed_xp) + " XP, have " +
                                          std::to_string(xp),
                                      "xp");
  }
  const int64_t cost = config.level_up_cost_aia[level];
  if (aia_balance < cost) {
    return Status::FailedPrecondition("level " + std::to_string(level + 1) + " costs " +
                                          std::to_string(cost) + " AIA, balance is " +
                                          std::to_string(aia_balance),
                                      "balance");
  }
  return LevelUpQuote{level + 1, cost};
}

LevelProgress ProgressOf(int32_t level, int64_t xp, const GameConfig& config) {
  LevelProgress p;
  p.level = level;
  p.xp = xp;
  if (level >= 1 && level < MaxLevel(config)) {
    p.next_level_xp = config.level_xp_thresholds[level];
    p.xp_to_next = xp >= *p.next_level_xp ? 0 : *p.next_level_xp - xp;
    p.next_level_cost_aia = config.level_up_cost_aia[level];
  }
  return p;
}

}  // namespace tinydata::game
