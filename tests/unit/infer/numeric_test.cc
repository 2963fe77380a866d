#include "tinydata/infer/numeric.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tinydata::infer {
namespace {

// One item per row of `items`; answer j of an item comes from worker j.
NumericMatrix Items(const std::vector<std::vector<double>>& items) {
  NumericMatrix m;
  m.num_items = static_cast<int32_t>(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    for (size_t j = 0; j < items[i].size(); ++j) {
      m.Add(static_cast<int32_t>(i), static_cast<int32_t>(j), items[i][j]);
      m.num_workers = std::max(m.num_workers, static_cast<int32_t>(j) + 1);
    }
  }
  return m;
}

TEST(ChauvenetThreshold, MatchesTheTabulatedCriterion) {
  EXPECT_NEAR(ChauvenetThreshold(1), 0.6745, 1e-4);
  EXPECT_NEAR(ChauvenetThreshold(3), 1.3830, 1e-4);
  EXPECT_NEAR(ChauvenetThreshold(10), 1.9600, 1e-4);
  EXPECT_NEAR(ChauvenetThreshold(100), 2.8070, 1e-3);
  EXPECT_EQ(ChauvenetThreshold(0), 0);
}

TEST(ChauvenetThreshold, GrowsWithTheNumberOfAnswers) {
  for (int64_t n = 2; n < 200; ++n) EXPECT_GT(ChauvenetThreshold(n), ChauvenetThreshold(n - 1));
}

TEST(NumericMean, IsThePlainMean) {
  Result<NumericResult> r = AggregateNumeric(NumericMethod::kMean, Items({{1, 2, 6}}));
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->estimate[0], 3);
  EXPECT_DOUBLE_EQ(r->spread[0], std::sqrt((4.0 + 1 + 9) / 3));
  EXPECT_EQ(r->num_kept[0], 3);
}

TEST(NumericMedian, IsTheMiddleAnswerOrTheMeanOfTheTwoMiddleOnes) {
  Result<NumericResult> r =
      AggregateNumeric(NumericMethod::kMedian, Items({{1, 2, 60}, {1, 2, 3, 10}}));
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->estimate[0], 2);
  EXPECT_DOUBLE_EQ(r->estimate[1], 2.5);
}

TEST(NumericRobust, RejectsAGrossOutlierAndReportsIt) {
  Result<NumericResult> r =
      AggregateNumeric(NumericMethod::kRobust, Items({{10, 10.5, 9.5, 10.2, 9.8, 500}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected, (std::vector<uint8_t>{0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(r->num_kept[0], 5);
  EXPECT_NEAR(r->estimate[0], 10, 0.2);
}

TEST(NumericRobust, KeepsAnswersWithinTheThreshold) {
  // Mean 10, sample sd 1.58: 12 is 1.26 sd out, under the n = 5 threshold of 1.65.
  Result<NumericResult> r = AggregateNumeric(NumericMethod::kRobust, Items({{8, 9, 10, 11, 12}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->num_kept[0], 5);
  EXPECT_DOUBLE_EQ(r->estimate[0], 10);
}

TEST(NumericRobust, NeverRejectsFromTwoAnswers) {
  Result<NumericResult> r = AggregateNumeric(NumericMethod::kRobust, Items({{1, 1000}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->num_kept[0], 2);
}

TEST(NumericRobust, IdenticalAnswersRejectNothingAndHaveNoSpread) {
  Result<NumericResult> r = AggregateNumeric(NumericMethod::kRobust, Items({{7, 7, 7, 7}}));
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->estimate[0], 7);
  EXPECT_DOUBLE_EQ(r->spread[0], 0);
  EXPECT_EQ(r->num_kept[0], 4);
}

TEST(NumericRobust, WorkersFarFromTheConsensusLoseReliability) {
  // Worker 3 is off by 5 on every item; the others within 0.5.
  std::vector<std::vector<double>> items;
  for (int i = 0; i < 40; ++i) {
    const double truth = i;
    items.push_back({truth + 0.3, truth - 0.2, truth, truth + 5});
  }
  Result<NumericResult> r = AggregateNumeric(NumericMethod::kRobust, Items(items));
  ASSERT_TRUE(r.ok());
  EXPECT_LT(r->worker_reliability[3], 0.5 * r->worker_reliability[0]);
  EXPECT_DOUBLE_EQ(*std::max_element(r->worker_reliability.begin(), r->worker_reliability.end()),
                   1.0);
  // Down-weighting worker 3 pulls the estimates towards the others.
  Result<NumericResult> mean = AggregateNumeric(NumericMethod::kMean, Items(items));
  EXPECT_LT(std::abs(r->estimate[7] - 7.0), std::abs(mean->estimate[7] - 7.0));
}

TEST(Numeric, ItemsWithoutAnswersGetNaN) {
  NumericMatrix m = Items({{1, 2}});
  m.num_items = 2;
  for (NumericMethod method :
       {NumericMethod::kMean, NumericMethod::kMedian, NumericMethod::kRobust}) {
    Result<NumericResult> r = AggregateNumeric(method, m);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(std::isnan(r->estimate[1]));
    EXPECT_EQ(r->num_kept[1], 0);
  }
}

TEST(Numeric, NonFiniteValueIsAnErrorNamingTheAnswer) {
  NumericMatrix m = Items({{1, NAN}});
  Result<NumericResult> r = AggregateNumeric(NumericMethod::kMean, m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "value");
  EXPECT_NE(r.status().message().find("answer 1"), std::string::npos);
}

TEST(Numeric, ZeroIterationsIsAnError) {
  NumericOptions options;
  options.max_iterations = 0;
  EXPECT_EQ(AggregateNumeric(NumericMethod::kRobust, Items({{1}}), options).status().field(),
            "max_iterations");
}

TEST(Numeric, ParsesEstimatorNames) {
  EXPECT_EQ(*ParseNumericMethod("mean"), NumericMethod::kMean);
  EXPECT_EQ(*ParseNumericMethod("median"), NumericMethod::kMedian);
  EXPECT_EQ(*ParseNumericMethod("robust"), NumericMethod::kRobust);
  EXPECT_EQ(ParseNumericMethod("mode").status().field(), "estimator");
}

}  // namespace
}  // namespace tinydata::infer
