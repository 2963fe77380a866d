#include "tinydata/game/levels.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tinydata::game {
namespace {

TEST(XpTest, FullConfidencePaysFullXp) {
  GameConfig c;
  c.xp_per_accepted_answer = 10;
  EXPECT_EQ(XpForAcceptedAnswer(1.0, c).value(), 10);
}

TEST(XpTest, XpIsWeightedByConfidenceAndRounded) {
  GameConfig c;
  c.xp_per_accepted_answer = 10;
  EXPECT_EQ(XpForAcceptedAnswer(0.5, c).value(), 5);
  EXPECT_EQ(XpForAcceptedAnswer(0.74, c).value(), 7);
  EXPECT_EQ(XpForAcceptedAnswer(0.75, c).value(), 8);
  EXPECT_EQ(XpForAcceptedAnswer(0.0, c).value(), 0);
}

TEST(XpTest, RejectsConfidenceOutsideUnitInterval) {
  GameConfig c;
  EXPECT_EQ(XpForAcceptedAnswer(1.01, c).status().field(), "confidence");
  EXPECT_EQ(XpForAcceptedAnswer(-0.1, c).status().field(), "confidence");
  EXPECT_EQ(XpForAcceptedAnswer(std::nan(""), c).status().field(), "confidence");
}

TEST(LevelTest, EligibleLevelFollowsThresholds) {
  GameConfig c;
  c.level_xp_thresholds = {0, 100, 500};
  c.level_up_cost_aia = {0, 50, 250};
  EXPECT_EQ(EligibleLevel(0, c), 1);
  EXPECT_EQ(EligibleLevel(99, c), 1);
  EXPECT_EQ(EligibleLevel(100, c), 2);
  EXPECT_EQ(EligibleLevel(499, c), 2);
  EXPECT_EQ(EligibleLevel(500, c), 3);
  EXPECT_EQ(EligibleLevel(1'000'000, c), 3);
  EXPECT_EQ(MaxLevel(c), 3);
}

TEST(TierTest, DomainsMapToTiers) {
  EXPECT_EQ(TierOfDomain("general").value(), DifficultyTier::kGeneral);
  EXPECT_EQ(TierOfDomain("driving").value(), DifficultyTier::kDomain);
  EXPECT_EQ(TierOfDomain("games").value(), DifficultyTier::kDomain);
  EXPECT_EQ(TierOfDomain("film").value(), DifficultyTier::kDomain);
  EXPECT_EQ(TierOfDomain("medical").value(), DifficultyTier::kAdvanced);
  EXPECT_EQ(TierOfDomain("technology").value(), DifficultyTier::kAdvanced);
  EXPECT_EQ(TierOfDomain("cooking").status().field(), "domain");
}

TEST(TierTest, LevelGatesTiers) {
  GameConfig c;
  c.domain_tier_min_level = 2;
  c.advanced_tier_min_level = 3;
  EXPECT_TRUE(MayReceive(1, DifficultyTier::kGeneral, c));
  EXPECT_FALSE(MayReceive(1, DifficultyTier::kDomain, c));
  EXPECT_FALSE(MayReceive(1, DifficultyTier::kAdvanced, c));
  EXPECT_TRUE(MayReceive(2, DifficultyTier::kDomain, c));
  EXPECT_FALSE(MayReceive(2, DifficultyTier::kAdvanced, c));
  EXPECT_TRUE(MayReceive(3, DifficultyTier::kAdvanced, c));
  EXPECT_TRUE(MayReceive(5, DifficultyTier::kGeneral, c));
  EXPECT_EQ(HighestTier(1, c), DifficultyTier::kGeneral);
  EXPECT_EQ(HighestTier(2, c), DifficultyTier::kDomain);
  EXPECT_EQ(HighestTier(4, c), DifficultyTier::kAdvanced);
}

TEST(LevelUpTest, QuotesNextLevelPrice) {
  GameConfig c;
  c.level_xp_thresholds = {0, 100, 500};
  c.level_up_cost_aia = {0, 50, 250};
  auto quote = QuoteLevelUp(1, 100, 50, c);
  ASSERT_TRUE(quote.ok()) << quote.status().ToString();
  EXPECT_EQ(quote->new_level, 2);
  EXPECT_EQ(quote->cost_aia, 50);
  EXPECT_EQ(QuoteLevelUp(2, 600, 1000, c)->cost_aia, 250);
}

TEST(LevelUpTest, RefusesWithoutEnoughXp) {
  GameConfig c;
  c.level_xp_thresholds = {0, 100, 500};
  c.level_up_cost_aia = {0, 50, 250};
  auto quote = QuoteLevelUp(1, 99, 1000, c);
  EXPECT_EQ(quote.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(quote.status().field(), "xp");
}

TEST(LevelUpTest, RefusesWithoutEnoughAia) {
  GameConfig c;
  c.level_xp_thresholds = {0, 100, 500};
  c.level_up_cost_aia = {0, 50, 250};
  auto quote = QuoteLevelUp(1, 100, 49, c);
  EXPECT_EQ(quote.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(quote.status().field(), "balance");
}

TEST(LevelUpTest, RefusesAtTopLevelAndForUnknownLevels) {
  GameConfig c;
  c.level_xp_thresholds = {0, 100};
  c.level_up_cost_aia = {0, 50};
  EXPECT_EQ(QuoteLevelUp(2, 10'000, 10'000, c).status().field(), "level");
  EXPECT_EQ(QuoteLevelUp(0, 10'000, 10'000, c).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(QuoteLevelUp(3, 10'000, 10'000, c).status().code(), StatusCode::kInvalidArgument);
}

TEST(ProgressTest, ReportsXpToNextLevelAndItsCost) {
  GameConfig c;
  c.level_xp_thresholds = {0, 100, 500};
  c.level_up_cost_aia = {0, 50, 250};
  LevelProgress p = ProgressOf(1, 30, c);
  EXPECT_EQ(p.next_level_xp, 100);
  EXPECT_EQ(p.xp_to_next, 70);
  EXPECT_EQ(p.next_level_cost_aia, 50);
  EXPECT_EQ(ProgressOf(1, 130, c).xp_to_next, 0);
}

TEST(ProgressTest, TopLevelHasNoNextLevel) {
  GameConfig c;
  c.level_xp_thresholds = {0, 100};
  c.level_up_cost_aia = {0, 50};
  LevelProgress p = ProgressOf(2, 130, c);
  EXPECT_FALSE(p.next_level_xp.has_value());
  EXPECT_FALSE(p.next_level_cost_aia.has_value());
  EXPECT_EQ(p.xp_to_next, 0);
}

}  // namespace
}  // namespace tinydata::game
