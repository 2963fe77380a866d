#include "tinydata/game/config.h"

#include <gtest/gtest.h>

namespace tinydata::game {
namespace {

TEST(GameConfigTest, DefaultsAreValid) { EXPECT_TRUE(ValidateGameConfig(GameConfig{}).ok()); }

TEST(GameConfigTest, ThresholdsMustStartAtZero) {
  GameConfig c;
  c.level_xp_thresholds[0] = 5;
  EXPECT_EQ(ValidateGameConfig(c).field(), "level_xp_thresholds");
}

TEST(GameConfigTest, ThresholdsMustIncrease) {
  GameConfig c;
  c.level_xp_thresholds = {0, 100, 100, 2000, 6000};
  EXPECT_EQ(ValidateGameConfig(c).field(), "level_xp_thresholds");
}

TEST(GameConfigTest, NeedsOneCostPerLevel) {
  GameConfig c;
  c.level_up_cost_aia.pop_back();
  EXPECT_EQ(ValidateGameConfig(c).field(), "level_up_cost_aia");
}

TEST(GameConfigTest, TierLevelsMustExistAndBeOrdered) {
  GameConfig c;
  c.advanced_tier_min_level = 1;
  EXPECT_EQ(ValidateGameConfig(c).field(), "advanced_tier_min_level");
  c = GameConfig{};
  c.domain_tier_min_level = 9;
  EXPECT_EQ(ValidateGameConfig(c).field(), "domain_tier_min_level");
}

TEST(GameConfigTest, ReferralShareIsAtMostWholeReward) {
  GameConfig c;
  c.referral_bonus_bps = 10'001;
  EXPECT_EQ(ValidateGameConfig(c).field(), "referral_bonus_bps");
}

TEST(GameConfigTest, RejectsNegativeCap) {
  GameConfig c;
  c.daily_reward_cap_aia = -1;
  EXPECT_EQ(ValidateGameConfig(c).field(), "daily_reward_cap_aia");
}

TEST(GameConfigTest, RejectsNegativeAgtGrant) {
  GameConfig c;
  c.agt_per_level_up = -1;
  EXPECT_EQ(ValidateGameConfig(c).field(), "agt_per_level_up");
}

}  // namespace
}  // namespace tinydata::game
