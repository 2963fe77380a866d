#include "tinydata/core/token_buckets.h"

#include <gtest/gtest.h>

#include <string>

namespace tinydata {
namespace {

TEST(TokenBucketsTest, TakeSpendsTheBurstThenWaits) {
  TokenBuckets buckets({.per_second = 0.5, .burst = 2});
  EXPECT_EQ(buckets.Take("k", 1000), 0);
  EXPECT_EQ(buckets.Take("k", 1000), 0);
  EXPECT_EQ(buckets.Take("k", 1000), 2);
  EXPECT_EQ(buckets.WaitSeconds("k", 2000), 1);
  EXPECT_EQ(buckets.Take("k", 3000), 0);
}

TEST(TokenBucketsTest, ChargeNeverGoesBelowEmptyAndResetRefills) {
  TokenBuckets buckets({.per_second = 1.0 / 60, .burst = 1});
  buckets.Charge("k", 0);
  buckets.Charge("k", 0);
  EXPECT_EQ(buckets.WaitSeconds("k", 0), 60);
  buckets.Reset("k");
  EXPECT_EQ(buckets.WaitSeconds("k", 0), 0);
}

TEST(TokenBucketsTest, NonPositiveRateIsNoLimit) {
  TokenBuckets buckets({.per_second = 0, .burst = 0});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(buckets.Take("k", 0), 0);
}

}  // namespace
}  // namespace tinydata
