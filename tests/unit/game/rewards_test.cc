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

GameConfig AgtConfig(int64_t agt_per_level_up) {
  GameConfig c;
  c.agt_per_level_up = agt_per_level_up;
  return c;
}

TEST(LevelUpAgtGrantTest, GrantsConfiguredAmountBelowSupply) {
  AgtGrant g = LevelUpAgtGrant(100, 1'000, AgtConfig(25));
  EXPECT_EQ(g.granted_agt, 25);
  EXPECT_EQ(g.withheld_agt, 0);
}

TEST(LevelUpAgtGrantTest, GrantsOnlyWhatFitsUnderSupply) {
  AgtGrant g = LevelUpAgtGrant(990, 1'000, AgtConfig(25));
  EXPECT_EQ(g.granted_agt, 10);
  EXPECT_EQ(g.withheld_agt, 15);
}

TEST(LevelUpAgtGrantTest, GrantsNothingAtMaximumSupply) {
  AgtGrant g = LevelUpAgtGrant(1'000, 1'000, AgtConfig(25));
  EXPECT_EQ(g.granted_agt, 0);
  EXPECT_EQ(g.withheld_agt, 25);
}

TEST(LevelUpAgtGrantTest, GrantsNothingWhenDisabled) {
  AgtGrant g = LevelUpAgtGrant(0, 1'000, AgtConfig(0));
  EXPECT_EQ(g.granted_agt, 0);
  EXPECT_EQ(g.withheld_agt, 0);
}

TEST(LevelUpAgtGrantTest, CirculationAboveSupplyGrantsNothing) {
  EXPECT_EQ(LevelUpAgtGrant(1'500, 1'000, AgtConfig(25)).granted_agt, 0);
}

}  // namespace
}  // namespace tinydata::game
