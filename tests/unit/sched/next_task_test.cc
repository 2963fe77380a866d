#include "tinydata/sched/next_task.h"

#include <gtest/gtest.h>

#include <vector>

namespace tinydata::sched {
namespace {

Candidate Open(int64_t id) {
  Candidate c;
  c.task_id = id;
  c.min_answers = 3;
  c.max_answers = 5;
  return c;
}

TEST(PickNextTaskTest, NothingEligibleGivesNullopt) {
  EXPECT_FALSE(PickNextTask({}, UserContext{}, 0.0, 0.5).has_value());
}

TEST(PickNextTaskTest, NeverPicksATaskTheUserAlreadyHad) {
  std::vector<Candidate> c = {Open(1), Open(2)};
  c[0].user_had_it = true;
  EXPECT_EQ(PickNextTask(c, UserContext{}, 0.0, 0.5), 1u);
  c[1].user_had_it = true;
  EXPECT_FALSE(PickNextTask(c, UserContext{}, 0.0, 0.5).has_value());
}

TEST(PickNextTaskTest, NeverPicksARetiredTask) {
  std::vector<Candidate> c = {Open(1)};
  c[0].retired = true;
  EXPECT_FALSE(PickNextTask(c, UserContext{}, 0.0, 0.5).has_value());
}

TEST(PickNextTaskTest, LiveLeasesCountTowardsMaxAnswers) {
  std::vector<Candidate> c = {Open(1)};
  c[0].answers = 3;
  c[0].live_leases = 2;
  EXPECT_FALSE(PickNextTask(c, UserContext{}, 0.0, 0.5).has_value());
  c[0].live_leases = 1;
  EXPECT_EQ(PickNextTask(c, UserContext{}, 0.0, 0.5), 0u);
}

TEST(PickNextTaskTest, LevelGateExcludesTasksAboveTheUsersLevel) {
  std::vector<Candidate> c = {Open(1)};
  c[0].min_level = 3;
  EXPECT_FALSE(PickNextTask(c, UserContext{.level = 2}, 0.0, 0.5).has_value());
  EXPECT_EQ(PickNextTask(c, UserContext{.level = 3}, 0.0, 0.5), 0u);
}

TEST(PickNextTaskTest, PrefersTheTaskClosestToRetiring) {
  std::vector<Candidate> c = {Open(1), Open(2), Open(3)};
  c[1].answers = 2;
  c[2].answers = 1;
  EXPECT_EQ(PickNextTask(c, UserContext{}, 0.0, 0.5), 1u);
}

TEST(PickNextTaskTest, AtEqualDistancePrefersTheMoreUncertainTask) {
  std::vector<Candidate> c = {Open(1), Open(2)};
  c[0].answers = 3;
  c[0].confidence = 0.8;
  c[1].answers = 3;
  c[1].confidence = 0.55;
  EXPECT_EQ(PickNextTask(c, UserContext{}, 0.0, 0.5), 1u);
}

TEST(PickNextTaskTest, TiesGoToTheOldestTask) {
  std::vector<Candidate> c = {Open(9), Open(4), Open(7)};
  EXPECT_EQ(PickNextTask(c, UserContext{}, 0.0, 0.5), 1u);
}

TEST(PickNextTaskTest, GoldIsChosenWhenTheDrawFallsBelowTheGoldRate) {
  std::vector<Candidate> c = {Open(1), Open(2)};
  c[1].gold = true;
  EXPECT_EQ(PickNextTask(c, UserContext{}, 0.2, 0.1), 1u);
  EXPECT_EQ(PickNextTask(c, UserContext{}, 0.2, 0.2), 0u);
  EXPECT_EQ(PickNextTask(c, UserContext{}, 0.0, 0.0), 0u);
}

TEST(PickNextTaskTest, GoldIsMixedInAtTheGoldRate) {
  std::vector<Candidate> c = {Open(1), Open(2)};
  c[1].gold = true;
  int gold = 0;
  const int n = 1000;
  for (int i = 0; i < n; ++i) {
    const double draw = (i + 0.5) / n;
    if (PickNextTask(c, UserContext{}, 0.25, draw) == 1u) ++gold;
  }
  EXPECT_EQ(gold, 250);
}

TEST(MayServeGoldTest, GoldNeverOutgrowsTheUsersRealWorkAfterTheFirstFew) {
  for (int64_t gold = 0; gold < kGoldWarmup; ++gold) EXPECT_TRUE(MayServeGold(gold, 0));
  EXPECT_FALSE(MayServeGold(kGoldWarmup, 0));
  EXPECT_FALSE(MayServeGold(kGoldWarmup, kGoldWarmup));
  EXPECT_TRUE(MayServeGold(kGoldWarmup, kGoldWarmup + 1));
  EXPECT_FALSE(MayServeGold(40, 40));
  EXPECT_TRUE(MayServeGold(40, 41));
}

TEST(PickNextTaskTest, FallsBackToTheOtherKindWhenOneIsExhausted) {
  std::vector<Candidate> c = {Open(1), Open(2)};
  c[1].gold = true;
  c[1].user_had_it = true;
  EXPECT_EQ(PickNextTask(c, UserContext{}, 1.0, 0.0), 0u);
  c[1].user_had_it = false;
  c[0].retired = true;
  EXPECT_EQ(PickNextTask(c, UserContext{}, 0.0, 0.9), 1u);
}

}  // namespace
}  // namespace tinydata::sched

namespace tinydata::sched {
namespace {

TEST(PickNextTaskTest, TaskCoveredByLiveLeasesComesAfterTasksThatStillNeedSomeone) {
  std::vector<Candidate> c = {Open(1), Open(2)};
  c[0].answers = 1;
  c[0].live_leases = 2;  // min 3 already covered
  EXPECT_EQ(PickNextTask(c, UserContext{}, 0.0, 0.5), 1u);
  c[1].user_had_it = true;
  EXPECT_EQ(PickNextTask(c, UserContext{}, 0.0, 0.5), 0u);
}

}  // namespace
}  // namespace tinydata::sched
