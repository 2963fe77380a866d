// Behaviour every categorical method shares: degenerate inputs, gold anchoring, spam scores,
// normalised output.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "tinydata/infer/categorical.h"

namespace tinydata::infer {
namespace {

class EveryMethod : public ::testing::TestWithParam<Method> {
 protected:
  Result<CategoricalResult> Run(const AnswerMatrix& m, const GoldLabels* gold = nullptr) {
    return InferCategorical(GetParam(), m, gold);
  }
};

INSTANTIATE_TEST_SUITE_P(Categorical, EveryMethod,
                         ::testing::Values(Method::kMajorityVote, Method::kWawa,
                                           Method::kZeroBasedSkill, Method::kDawidSkene,
                                           Method::kOneCoin, Method::kGlad, Method::kMace),
                         [](const ::testing::TestParamInfo<Method>& info) {
                           return std::string(MethodName(info.param));
                         });

TEST_P(EveryMethod, OneWorkerGetsTheirOwnAnswers) {
  AnswerMatrix m;
  m.num_items = 4;
  m.num_workers = 1;
  m.num_classes = 3;
  for (int32_t i = 0; i < 4; ++i) m.Add(i, 0, i % 3);
  Result<CategoricalResult> r = Run(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (int32_t i = 0; i < 4; ++i) EXPECT_EQ(r->label[i], i % 3);
}

TEST_P(EveryMethod, OneItemGetsTheMajorityLabel) {
  AnswerMatrix m;
  m.num_items = 1;
  m.num_workers = 3;
  m.num_classes = 2;
  m.Add(0, 0, 1);
  m.Add(0, 1, 1);
  m.Add(0, 2, 0);
  Result<CategoricalResult> r = Run(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->label[0], 1);
}

TEST_P(EveryMethod, AllIdenticalAnswersGiveThatLabelConfidently) {
  AnswerMatrix m;
  m.num_items = 5;
  m.num_workers = 3;
  m.num_classes = 2;
  for (int32_t i = 0; i < 5; ++i) {
    for (int32_t w = 0; w < 3; ++w) m.Add(i, w, 1);
  }
  Result<CategoricalResult> r = Run(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (int32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(r->label[i], 1);
    EXPECT_GT(r->confidence[i], 0.9);
  }
}

TEST_P(EveryMethod, PosteriorRowsSumToOneAndConfidenceIsTheLabelsPosterior) {
  AnswerMatrix m;
  m.num_items = 6;
  m.num_workers = 4;
  m.num_classes = 3;
  for (int32_t i = 0; i < 6; ++i) {
    for (int32_t w = 0; w < 4; ++w) m.Add(i, w, (i + (w == 3 ? 1 : 0)) % 3);
  }
  Result<CategoricalResult> r = Run(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (int32_t i = 0; i < 6; ++i) {
    double sum = 0;
    for (int32_t k = 0; k < 3; ++k) sum += r->Posterior(i, k);
    EXPECT_NEAR(sum, 1, 1e-9);
    EXPECT_DOUBLE_EQ(r->confidence[i], r->Posterior(i, r->label[i]));
  }
  EXPECT_NEAR(std::accumulate(r->class_prior.begin(), r->class_prior.end(), 0.0), 1, 1e-9);
}

// 20 items with truth alternating 0/1: workers 0-2 always right, worker 3 always answers 0.
AnswerMatrix WithAOneClassWorker() {
  AnswerMatrix m;
  m.num_items = 20;
  m.num_workers = 4;
  m.num_classes = 2;
  for (int32_t i = 0; i < 20; ++i) {
    for (int32_t w = 0; w < 3; ++w) m.Add(i, w, i % 2);
    m.Add(i, 3, 0);
  }
  return m;
}

TEST_P(EveryMethod, AWorkerWhoAlwaysGivesTheSameClassScoresAsSpam) {
  Result<CategoricalResult> r = Run(WithAOneClassWorker());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->worker_spam_score[3], 0.8);
  // Majority vote leaves a quarter of each item's posterior on the spammer's class, which blurs
  // the careful workers' empirical confusion a little.
  for (int32_t w = 0; w < 3; ++w) EXPECT_LT(r->worker_spam_score[w], 0.3) << "worker " << w;
  for (int32_t i = 0; i < 20; ++i) EXPECT_EQ(r->label[i], i % 2);
}

// Workers 0 and 1 disagree on all 8 items; the gold labels of items 0-2 show that worker 1 is
// the one who is right.
AnswerMatrix TwoWorkersWhoAlwaysDisagree() {
  AnswerMatrix m;
  m.num_items = 8;
  m.num_workers = 2;
  m.num_classes = 2;
  for (int32_t i = 0; i < 8; ++i) {
    const int32_t truth = (i / 2) % 2;
    m.Add(i, 0, 1 - truth);
    m.Add(i, 1, truth);
  }
  return m;
}

TEST_P(EveryMethod, GoldItemsKeepTheirGoldLabel) {
  AnswerMatrix m = TwoWorkersWhoAlwaysDisagree();
  GoldLabels gold(8, kNoGold);
  gold[0] = 0;
  gold[3] = 1;
  Result<CategoricalResult> r = Run(m, &gold);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->label[0], 0);
  EXPECT_DOUBLE_EQ(r->Posterior(0, 0), 1.0);
  EXPECT_EQ(r->label[3], 1);
  EXPECT_DOUBLE_EQ(r->confidence[3], 1.0);
}

TEST_P(EveryMethod, GoldCountsTowardsWorkerSkill) {
  AnswerMatrix m = TwoWorkersWhoAlwaysDisagree();
  GoldLabels gold(8, kNoGold);
  for (int32_t i = 0; i < 3; ++i) gold[i] = (i / 2) % 2;
  Result<CategoricalResult> r = Run(m, &gold);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->worker_accuracy[1], r->worker_accuracy[0]);
}

TEST_P(EveryMethod, GoldSkillDecidesItemsWhereTheWorkersDisagree) {
  if (GetParam() == Method::kMajorityVote) GTEST_SKIP() << "mv ignores skills by definition";
  AnswerMatrix m = TwoWorkersWhoAlwaysDisagree();
  GoldLabels gold(8, kNoGold);
  for (int32_t i = 0; i < 3; ++i) gold[i] = (i / 2) % 2;
  Result<CategoricalResult> r = Run(m, &gold);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (int32_t i = 3; i < 8; ++i) EXPECT_EQ(r->label[i], (i / 2) % 2) << "item " << i;
}

}  // namespace
}  // namespace tinydata::infer
