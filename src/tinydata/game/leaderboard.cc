#include "tinydata/game/leaderboard.h"

#include <algorithm>
#include <string>

namespace tinydata::game {

Result<LeaderboardPeriod> ParseLeaderboardPeriod(std::string_view name) {
  if (name == "daily") return LeaderboardPeriod::kDaily;
  if (name == "weekly") return LeaderboardPeriod::kWeekly;
  if (name == "all") return LeaderboardPeriod::kAllTime;
  return Status::InvalidArgument("unknown period '" + std::string(name) + "' (daily, weekly, all)",
                                 "period");
}

std::string_view LeaderboardPeriodName(LeaderboardPeriod period) {
  switch (period) {
    case LeaderboardPeriod::kDaily:
      return "daily";
    case LeaderboardPeriod::kWeekly:
      return "weekly";
    case LeaderboardPeriod::kAllTime:
      return "all";
  }
  return "all";
}

int64_t WeekStartDay(int64_t day) {
  // Day 0 (1970-01-01) was a Thursday, so Monday-based weekdays are (day + 3) mod 7.
  int64_t weekday = (day + 3) % 7;
  if (weekday < 0) weekday += 7;
  return day - weekday;
}

DayRange PeriodDays(LeaderboardPeriod period, int64_t today) {
  switch (period) {
    case LeaderboardPeriod::kDaily:
      return {today, today};
    case LeaderboardPeriod::kWeekly:
      return {WeekStartDay(today), WeekStartDay(today) + 6};
    case LeaderboardPeriod::kAllTime:
      break;
  }
  return {0, today};
}

std::vector<Standing> RankStandings(std::vector<Standing> standings, size_t limit) {
  std::erase_if(standings, [](const Standing& s) { return s.xp <= 0; });
  std::sort(standings.begin(), standings.end(), [](const Standing& a, const Standing& b) {
    return a.xp != b.xp ? a.xp > b.xp : a.user_id < b.user_id;
  });
  if (standings.size() > limit) standings.resize(limit);
  for (size_t i = 0; i < standings.size(); ++i) {
    standings[i].rank = i > 0 && standings[i].xp == standings[i - 1].xp
                            ? standings[i - 1].rank
                            : static_cast<int32_t>(i + 1);
  }
  return standings;
}

}  // namespace tinydata::game
