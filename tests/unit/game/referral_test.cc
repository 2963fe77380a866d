#include "tinydata/game/referral.h"

#include <gtest/gtest.h>

#include <vector>

namespace tinydata::game {
namespace {

TEST(ReferralTest, AcceptsNewUserReferredByOther) {
  const std::vector<int64_t> chain = {3, 4};
  EXPECT_TRUE(ValidateReferral(1, 2, std::nullopt, chain).ok());
}

TEST(ReferralTest, RefusesSelfReferral) {
  Status s = ValidateReferral(7, 7, std::nullopt, {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "referrer");
}

TEST(ReferralTest, RefusesSecondReferrer) {
  EXPECT_EQ(ValidateReferral(1, 2, 3, {}).code(), StatusCode::kAlreadyExists);
}

TEST(ReferralTest, RefusesDirectCycle) {
  // 2 was referred by 1; 1 may not now be referred by 2.
  const std::vector<int64_t> chain = {1};
  Status s = ValidateReferral(1, 2, std::nullopt, chain);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.field(), "referrer");
}

TEST(ReferralTest, RefusesLongerCycle) {
  // 3 <- 2 <- 1: 1 may not be referred by 3.
  const std::vector<int64_t> chain = {2, 1};
  EXPECT_EQ(ValidateReferral(1, 3, std::nullopt, chain).code(), StatusCode::kFailedPrecondition);
}

TEST(ReferralTest, RefusesNonPositiveIds) {
  EXPECT_EQ(ValidateReferral(0, 2, std::nullopt, {}).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tinydata::game
