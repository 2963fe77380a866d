// Leaderboards: who earned the most XP in a period. The store sums the XP per user over the
// period's UTC days; these pure functions choose the period and order the standings.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"

namespace tinydata::game {

enum class LeaderboardPeriod { kDaily, kWeekly, kAllTime };

// Parses "daily", "weekly" or "all" (docs/api.md); InvalidArgument naming "period" otherwise.
Result<LeaderboardPeriod> ParseLeaderboardPeriod(std::string_view name);
std::string_view LeaderboardPeriodName(LeaderboardPeriod period);

// The UTC day on which the ISO week (Monday to Sunday) containing `day` starts.
int64_t WeekStartDay(int64_t day);

// The UTC days [first_day, last_day] a leaderboard of `period` covers on `today`. All-time
// covers every day from 0 (1970-01-01) on.
struct DayRange {
  int64_t first_day = 0;
  int64_t last_day = 0;
};
DayRange PeriodDays(LeaderboardPeriod period, int64_t today);

struct Standing {
  int64_t user_id = 0;
  int64_t xp = 0;    // XP earned in the period
  int32_t rank = 0;  // filled by RankStandings
};

// Orders standings by XP (highest first), ties by user id (lowest, i.e. earliest sign-up,
// first), drops users with no XP, keeps the first `limit`, and assigns competition ranks:
// users with equal XP share a rank and the next rank skips ("1, 2, 2, 4").
std::vector<Standing> RankStandings(std::vector<Standing> standings, size_t limit);

}  // namespace tinydata::game
