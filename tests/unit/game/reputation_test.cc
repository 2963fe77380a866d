#include "tinydata/game/reputation.h"

#include <gtest/gtest.h>

namespace tinydata::game {
namespace {

GameConfig Config() {
  GameConfig c;
  c.reputation_max = 100;
  c.reputation_gold_pass_gain = 2;
  c.reputation_gold_fail_penalty = 10;
  c.reputation_demote_below = 60;
  c.reputation_after_demotion = 70;
  c.reputation_pause_below = 30;
  c.pause_days = 7;
  c.reputation_after_pause = 50;
  return c;
}

TEST(ReputationTest, NewUsersStartAtMaximum) {
  Reputation r = InitialReputation(Config());
  EXPECT_EQ(r.score, 100);
  EXPECT_EQ(r.level, 1);
  EXPECT_FALSE(IsPaused(r, 0));
}

TEST(ReputationTest, PassRaisesScoreUpToMaximum) {
  EXPECT_EQ(ApplyGoldResult({90, 1, 0}, true, 10, Config()).after.score, 92);
  EXPECT_EQ(ApplyGoldResult({99, 1, 0}, true, 10, Config()).after.score, 100);
}

TEST(ReputationTest, FailLowersScoreWithoutConsequenceAboveThreshold) {
  GoldOutcome o = ApplyGoldResult({100, 3, 0}, false, 10, Config());
  EXPECT_EQ(o.after.score, 90);
  EXPECT_EQ(o.after.level, 3);
  EXPECT_FALSE(o.demoted);
  EXPECT_FALSE(o.paused);
}

TEST(ReputationTest, RepeatedFailuresDemoteOneLevel) {
  Reputation r{100, 3, 0};
  int demotions = 0;
  for (int i = 0; i < 5; ++i) {
    GoldOutcome o = ApplyGoldResult(r, false, 10, Config());
    demotions += o.demoted ? 1 : 0;
    r = o.after;
  }
  EXPECT_EQ(demotions, 1);
  EXPECT_EQ(r.level, 2);
  EXPECT_EQ(r.score, 70);
}

TEST(ReputationTest, DemotionResetsScoreSoNextFailureDoesNotDemoteAgain) {
  GoldOutcome o = ApplyGoldResult({65, 3, 0}, false, 10, Config());
  ASSERT_TRUE(o.demoted);
  GoldOutcome next = ApplyGoldResult(o.after, false, 10, Config());
  EXPECT_FALSE(next.demoted);
  EXPECT_EQ(next.after.level, 2);
}

TEST(ReputationTest, LevelOneUserIsPausedBelowPauseThreshold) {
  GoldOutcome o = ApplyGoldResult({35, 1, 0}, false, 10, Config());
  EXPECT_TRUE(o.paused);
  EXPECT_EQ(o.after.paused_until_day, 17);
  EXPECT_EQ(o.after.score, 50);
  EXPECT_TRUE(IsPaused(o.after, 16));
  EXPECT_FALSE(IsPaused(o.after, 17));
}

TEST(ReputationTest, LevelOneUserBetweenThresholdsIsNeitherDemotedNorPaused) {
  GoldOutcome o = ApplyGoldResult({50, 1, 0}, false, 10, Config());
  EXPECT_FALSE(o.demoted);
  EXPECT_FALSE(o.paused);
  EXPECT_EQ(o.after.score, 40);
}

TEST(ReputationTest, FailureDuringPauseDoesNotExtendIt) {
  GoldOutcome o = ApplyGoldResult({25, 1, 17}, false, 12, Config());
  EXPECT_FALSE(o.paused);
  EXPECT_EQ(o.after.paused_until_day, 17);
  EXPECT_EQ(o.after.score, 15);
}

}  // namespace
}  // namespace tinydata::game
