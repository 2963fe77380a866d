#include "tinydata/game/checkin.h"

#include <gtest/gtest.h>

namespace tinydata::game {
namespace {

GameConfig Config() {
  GameConfig c;
  c.checkin_base_aia = 5;
  c.checkin_streak_bonus_aia = 1;
  c.checkin_streak_bonus_max_days = 3;
  return c;
}

TEST(UtcDayTest, CountsWholeUtcDays) {
  EXPECT_EQ(UtcDay(0), 0);
  EXPECT_EQ(UtcDay(86'399), 0);
  EXPECT_EQ(UtcDay(86'400), 1);
  EXPECT_EQ(UtcDay(1'700'000'000), 19'675);  // 2023-11-14T22:13:20Z
  EXPECT_EQ(UtcDay(-1), -1);
}

TEST(CheckinTest, FirstCheckinStartsStreakAtOneAndPaysBase) {
  auto r = CheckIn(CheckinState{}, 100, Config());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state.last_day, 100);
  EXPECT_EQ(r->state.streak, 1);
  EXPECT_EQ(r->bonus_aia, 5);
}

TEST(CheckinTest, ConsecutiveDaysGrowStreakAndBonus) {
  auto r = CheckIn(CheckinState{100, 1}, 101, Config());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state.streak, 2);
  EXPECT_EQ(r->bonus_aia, 6);
}

TEST(CheckinTest, StreakBonusIsCapped) {
  auto r = CheckIn(CheckinState{100, 9}, 101, Config());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state.streak, 10);
  EXPECT_EQ(r->bonus_aia, 5 + 3);
}

TEST(CheckinTest, MissedDayResetsStreak) {
  auto r = CheckIn(CheckinState{100, 6}, 102, Config());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state.streak, 1);
  EXPECT_EQ(r->bonus_aia, 5);
}

TEST(CheckinTest, SecondCheckinOnSameDayIsRefused) {
  EXPECT_EQ(CheckIn(CheckinState{100, 2}, 100, Config()).status().code(),
            StatusCode::kAlreadyExists);
}

TEST(CheckinTest, DayBeforeLastCheckinIsInvalid) {
  auto r = CheckIn(CheckinState{100, 2}, 99, Config());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().field(), "day");
}

TEST(CurrentStreakTest, AliveTodayAndYesterdayThenZero) {
  const CheckinState s{100, 4};
  EXPECT_EQ(CurrentStreak(s, 100), 4);
  EXPECT_EQ(CurrentStreak(s, 101), 4);
  EXPECT_EQ(CurrentStreak(s, 102), 0);
  EXPECT_EQ(CurrentStreak(CheckinState{}, 5), 0);
}

}  // namespace
}  // namespace tinydata::game
