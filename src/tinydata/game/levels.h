// Experience, levels and the difficulty tiers a level unlocks.
//
// XP accrues automatically from accepted answers; a level is bought: once a user's XP reaches
// the next level's threshold they may pay its AIA price (through the ledger) to move up, like
// upgrading an NFT. The level, not the XP, decides which tasks the scheduler may hand out.
// All functions assume a config that passed ValidateGameConfig.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "tinydata/core/status.h"
#include "tinydata/game/config.h"

namespace tinydata::game {

enum class DifficultyTier : int32_t {
  kGeneral = 1,   // domain "general"
  kDomain = 2,    // "driving", "games", "film"
  kAdvanced = 3,  // "medical", "technology"
};

// The tier of a project domain (the domains of docs/api.md); InvalidArgument naming "domain"
// for any other value.
Result<DifficultyTier> TierOfDomain(std::string_view domain);

// XP for one accepted answer on a task retired with `confidence` in [0, 1]:
// round(confidence * xp_per_accepted_answer). InvalidArgument (field "confidence") for NaN or
// values outside [0, 1].
Result<int64_t> XpForAcceptedAnswer(double confidence, const GameConfig& config);

// The top level of the configuration (the number of thresholds).
int32_t MaxLevel(const GameConfig& config);
// The highest level whose XP threshold `xp` reaches: what the user could buy up to.
int32_t EligibleLevel(int64_t xp, const GameConfig& config);
// The hardest tier a user of `level` may receive.
DifficultyTier HighestTier(int32_t level, const GameConfig& config);
// Whether a user of `level` may receive tasks of `tier`.
bool MayReceive(int32_t level, DifficultyTier tier, const GameConfig& config);

struct LevelUpQuote {
  int32_t new_level = 0;
  int64_t cost_aia = 0;  // to post from the user to the treasury
};

// The price of moving from `level` to `level + 1`. FailedPrecondition naming "level" at the
// top level, "xp" when XP is below the next threshold, "balance" when `aia_balance` cannot
// pay; InvalidArgument for a level outside [1, MaxLevel].
Result<LevelUpQuote> QuoteLevelUp(int32_t level, int64_t xp, int64_t aia_balance,
                                  const GameConfig& config);

struct LevelProgress {
  int32_t level = 1;
  int64_t xp = 0;
  std::optional<int64_t> next_level_xp;  // threshold of level + 1; unset at the top level
  int64_t xp_to_next = 0;                // XP still missing for level + 1 (0 when reached)
  std::optional<int64_t> next_level_cost_aia;  // price of level + 1; unset at the top level
};

// Where a user of `level` with `xp` stands on the way to the next level.
LevelProgress ProgressOf(int32_t level, int64_t xp, const GameConfig& config);

}  // namespace tinydata::game
