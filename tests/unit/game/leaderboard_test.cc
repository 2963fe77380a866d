#include "tinydata/game/leaderboard.h"

#include <gtest/gtest.h>

namespace tinydata::game {
namespace {

TEST(LeaderboardTest, OrdersByXpDescendingThenUserId) {
  auto ranked = RankStandings({{5, 10}, {2, 30}, {9, 30}, {1, 20}}, 10);
  ASSERT_EQ(ranked.size(), 4u);
  EXPECT_EQ(ranked[0].user_id, 2);
  EXPECT_EQ(ranked[1].user_id, 9);
  EXPECT_EQ(ranked[2].user_id, 1);
  EXPECT_EQ(ranked[3].user_id, 5);
}

TEST(LeaderboardTest, TiesShareRankAndNextRankSkips) {
  auto ranked = RankStandings({{1, 50}, {2, 40}, {3, 40}, {4, 10}}, 10);
  EXPECT_EQ(ranked[0].rank, 1);
  EXPECT_EQ(ranked[1].rank, 2);
  EXPECT_EQ(ranked[2].rank, 2);
  EXPECT_EQ(ranked[3].rank, 4);
}

TEST(LeaderboardTest, DropsUsersWithoutXpAndKeepsLimit) {
  auto ranked = RankStandings({{1, 0}, {2, 5}, {3, 7}, {4, 9}}, 2);
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].user_id, 4);
  EXPECT_EQ(ranked[1].user_id, 3);
}

TEST(LeaderboardTest, WeekStartsOnMonday) {
  // Day 0 = Thursday 1970-01-01; Monday 1969-12-29 is day -3, Monday 1970-01-05 day 4.
  EXPECT_EQ(WeekStartDay(0), -3);
  EXPECT_EQ(WeekStartDay(3), -3);
  EXPECT_EQ(WeekStartDay(4), 4);
  EXPECT_EQ(WeekStartDay(10), 4);
  EXPECT_EQ(WeekStartDay(11), 11);
}

TEST(LeaderboardTest, PeriodsCoverTheirDays) {
  EXPECT_EQ(PeriodDays(LeaderboardPeriod::kDaily, 20).first_day, 20);
  EXPECT_EQ(PeriodDays(LeaderboardPeriod::kWeekly, 20).first_day, 18);
  EXPECT_EQ(PeriodDays(LeaderboardPeriod::kWeekly, 20).last_day, 24);
  EXPECT_EQ(PeriodDays(LeaderboardPeriod::kAllTime, 20).first_day, 0);
}

TEST(LeaderboardTest, ParsesPeriodNames) {
  EXPECT_EQ(ParseLeaderboardPeriod("weekly").value(), LeaderboardPeriod::kWeekly);
  EXPECT_EQ(ParseLeaderboardPeriod("all").value(), LeaderboardPeriod::kAllTime);
  EXPECT_EQ(ParseLeaderboardPeriod("monthly").status().field(), "period");
}

}  // namespace
}  // namespace tinydata::game
