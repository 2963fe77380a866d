#include "tinydata/quality/holds.h"

#include <gtest/gtest.h>

#include <vector>

namespace tinydata::quality {
namespace {

TEST(HoldsTest, TheClientMayClaimToBeFasterNeverSlowerThanTheServerSaw) {
  EXPECT_EQ(AnswerTimeMs(4000, 0), 4000);     // no claim
  EXPECT_EQ(AnswerTimeMs(4000, 1500), 1500);  // a faster claim is believed
  EXPECT_EQ(AnswerTimeMs(400, 60'000), 400);  // a slower one is not
  EXPECT_EQ(AnswerTimeMs(-5, 0), 0);          // a clock step back
}

TEST(HoldsTest, MedianOfAnswerTimes) {
  std::vector<int64_t> none;
  EXPECT_EQ(MedianMs(none), 0);
  std::vector<int64_t> times = {9000, 1000, 5000, 3000, 7000};
  EXPECT_EQ(MedianMs(times), 5000);
}

TEST(HoldsTest, FarFasterThanTypicalIsTooFastOnceTheMedianMeansSomething) {
  const HoldRules rules;  // a quarter of the median, over 20 answers, median >= 1 s
  EXPECT_TRUE(IsTooFast(1400, 6000, 20, rules));
  EXPECT_FALSE(IsTooFast(1500, 6000, 20, rules));  // exactly a quarter is not
  EXPECT_FALSE(IsTooFast(100, 6000, 19, rules));   // too few answers to know what is typical
  EXPECT_FALSE(IsTooFast(10, 900, 500, rules));    // a median under a human reading time
  HoldRules off = rules;
  off.fast_fraction = 0;
  EXPECT_FALSE(IsTooFast(0, 6000, 100, off));
  EXPECT_EQ(TooFastReason(400, 6200), "answered in 400 ms; answers here typically take 6200 ms");
}

TEST(HoldsTest, OneFastAnswerIsHeldAloneAFewHoldTheWorker) {
  const HoldRules rules;
  EXPECT_FALSE(HoldsEveryAnswer(1, 0.0, rules));
  EXPECT_FALSE(HoldsEveryAnswer(2, 0.5, rules));
  EXPECT_TRUE(HoldsEveryAnswer(3, 0.0, rules));
  EXPECT_TRUE(HoldsEveryAnswer(0, 0.95, rules));  // a spam hold
}

TEST(HoldsTest, ASpamWorkerNeedsAnswersAndItemsOfTwoClasses) {
  const HoldRules rules;  // score 0.9 over 10 answers, 3 items of a second class
  EXPECT_TRUE(IsSpamWorker(0.95, 10, 3.0, rules));
  EXPECT_FALSE(IsSpamWorker(0.89, 100, 50.0, rules));
  EXPECT_FALSE(IsSpamWorker(0.99, 9, 5.0, rules));
  // Somebody who only ever met cats cannot be told from a bot that always says "cat".
  EXPECT_FALSE(IsSpamWorker(1.0, 100, 2.5, rules));
  EXPECT_EQ(SpamReason(0.9375, 30),
            "spam score 0.94 over 30 answers: they say little about the truth");
}

}  // namespace
}  // namespace tinydata::quality
