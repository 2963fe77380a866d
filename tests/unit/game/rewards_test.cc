#include "tinydata/game/rewards.h"

#include <gtest/gtest.h>

namespace tinydata::game {
namespace {

GameConfig Config() {
  GameConfig c;
  c.daily_reward_cap_aia = 100;
  c.referral_bonus_bps = 1000;
  c.referral_min_gold_passes = 5;
  return c;
}

TEST(DailyCapTest, PaysInFullBelowCap) {
  CappedReward r = ApplyDailyCap(10, 30, Config());
  EXPECT_EQ(r.paid_aia, 30);
  EXPECT_EQ(r.withheld_aia, 0);
}

TEST(DailyCapTest, PaysOnlyUpToCap) {
  CappedReward r = ApplyDailyCap(80, 30, Config());
  EXPECT_EQ(r.paid_aia, 20);
  EXPECT_EQ(r.withheld_aia, 10);
}

TEST(DailyCapTest, PaysNothingOnceCapReached) {
  CappedReward r = ApplyDailyCap(100, 30, Config());
  EXPECT_EQ(r.paid_aia, 0);
  EXPECT_EQ(r.withheld_aia, 30);
}

TEST(DailyCapTest, NegativeInputsCountAsZero) {
  EXPECT_EQ(ApplyDailyCap(-50, 30, Config()).paid_aia, 30);
  EXPECT_EQ(ApplyDailyCap(0, -30, Config()).paid_aia, 0);
}

TEST(ReferralBonusTest, NoBonusBeforeMinimumGoldPasses) {
  EXPECT_EQ(ReferralBonusAia(100, 4, Config()), 0);
}

TEST(ReferralBonusTest, BonusIsShareOfRefereeRewardAfterMinimumGoldPasses) {
  EXPECT_EQ(ReferralBonusAia(100, 5, Config()), 10);
  EXPECT_EQ(ReferralBonusAia(19, 9, Config()), 1);  // floor(1.9)
}

TEST(ReferralBonusTest, NoBonusOnZeroReward) { EXPECT_EQ(ReferralBonusAia(0, 50, Config()), 0); }

}  // namespace
}  // namespace tinydata::game
