// Dawid-Skene and one-coin Dawid-Skene on hand-checked inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tinydata/infer/categorical.h"

namespace tinydata::infer {
namespace {

// i0: w0=0 w1=0 | i1: w0=1 w1=0 (a tie under majority vote).
AnswerMatrix TwoItemsOneTie() {
  AnswerMatrix m;
  m.num_items = 2;
  m.num_workers = 2;
  m.num_classes = 2;
  m.Add(0, 0, 0);
  m.Add(0, 1, 0);
  m.Add(1, 0, 1);
  m.Add(1, 1, 0);
  return m;
}

TEST(DawidSkene, OneIterationIsOneSmoothedMStepFromMajorityVoteThenOneEStep) {
  InferenceOptions options;
  options.max_iterations = 1;
  const double s = options.smoothing;
  Result<CategoricalResult> r =
      InferCategorical(Method::kDawidSkene, TwoItemsOneTie(), nullptr, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Majority vote posteriors: i0 = (1, 0), i1 = (1/2, 1/2). Soft counts [true][given]:
  // w0: true 0 -> (1, 0.5), true 1 -> (0, 0.5); w1: true 0 -> (1.5, 0), true 1 -> (0.5, 0).
  const double prior0 = (1.5 + s) / (2 + 2 * s), prior1 = (0.5 + s) / (2 + 2 * s);
  // Every cell gets s, each diagonal cell one more pseudo-answer.
  const double w0_t0_gives1 = (0.5 + s) / (1.5 + 2 * s + 1);
  const double w0_t1_gives1 = (0.5 + s + 1) / (0.5 + 2 * s + 1);
  const double w1_t0_gives0 = (1.5 + s + 1) / (1.5 + 2 * s + 1);
  const double w1_t1_gives0 = (0.5 + s) / (0.5 + 2 * s + 1);
  const double p0 = prior0 * w0_t0_gives1 * w1_t0_gives0;
  const double p1 = prior1 * w0_t1_gives1 * w1_t1_gives0;
  EXPECT_NEAR(r->Posterior(1, 0), p0 / (p0 + p1), 1e-12);
  EXPECT_NEAR(r->class_prior[0], prior0, 1e-12);
  ASSERT_EQ(r->worker_confusion.size(), 2u * 2 * 2);
  EXPECT_NEAR(r->worker_confusion[0 * 4 + 1 * 2 + 1], w0_t1_gives1, 1e-12);  // w0, true 1, gave 1
  EXPECT_EQ(r->iterations, 1);
}

TEST(DawidSkene, ConfusionRowsSumToOne) {
  Result<CategoricalResult> r = InferCategorical(Method::kDawidSkene, TwoItemsOneTie());
  ASSERT_TRUE(r.ok());
  for (int w = 0; w < 2; ++w) {
    for (int k = 0; k < 2; ++k) {
      EXPECT_NEAR(r->worker_confusion[w * 4 + k * 2] + r->worker_confusion[w * 4 + k * 2 + 1], 1,
                  1e-12);
    }
  }
}

// Three careful workers and one who swaps the two classes, on 40 items.
AnswerMatrix WithASwapper() {
  AnswerMatrix m;
  m.num_items = 40;
  m.num_workers = 4;
  m.num_classes = 2;
  for (int32_t i = 0; i < 40; ++i) {
    const int32_t truth = i % 2;
    for (int32_t w = 0; w < 3; ++w) m.Add(i, w, truth);
    m.Add(i, 3, 1 - truth);
  }
  return m;
}

TEST(DawidSkene, LearnsThatASwappingWorkerIsInformative) {
  Result<CategoricalResult> r = InferCategorical(Method::kDawidSkene, WithASwapper());
  ASSERT_TRUE(r.ok());
  EXPECT_LT(r->worker_accuracy[3], 0.1);
  EXPECT_GT(r->worker_confusion[3 * 4 + 0 * 2 + 1], 0.9);  // true 0 -> gives 1
  EXPECT_LT(r->worker_spam_score[3], 0.2);                 // reliably wrong is not spam
  for (int32_t i = 0; i < 40; ++i) EXPECT_EQ(r->label[i], i % 2);
}

TEST(DawidSkene, ConvergesBeforeTheCapOnCleanData) {
  Result<CategoricalResult> r = InferCategorical(Method::kDawidSkene, WithASwapper());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->converged);
  EXPECT_LT(r->iterations, 100);
}

TEST(DawidSkene, RunsWithMoreClassesThanTheUnrolledKernels) {
  AnswerMatrix m;
  m.num_items = 7;
  m.num_workers = 3;
  m.num_classes = 7;
  for (int32_t i = 0; i < 7; ++i) {
    for (int32_t w = 0; w < 3; ++w) m.Add(i, w, i);
  }
  Result<CategoricalResult> r = InferCategorical(Method::kDawidSkene, m);
  ASSERT_TRUE(r.ok());
  for (int32_t i = 0; i < 7; ++i) EXPECT_EQ(r->label[i], i);
}

TEST(DawidSkene, ThreadsGiveTheSameAnswerAsOneThread) {
  AnswerMatrix m;
  m.num_items = 20000;
  m.num_workers = 50;
  m.num_classes = 3;
  for (int32_t i = 0; i < m.num_items; ++i) {
    for (int32_t j = 0; j < 3; ++j) {
      const int32_t w = (i * 7 + j * 13) % 50;
      m.Add(i, w, (i + (w % 5 == 0 ? 1 : 0)) % 3);
    }
  }
  InferenceOptions two;
  two.threads = 2;
  Result<CategoricalResult> a = InferCategorical(Method::kDawidSkene, m);
  Result<CategoricalResult> b = InferCategorical(Method::kDawidSkene, m, nullptr, two);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->label, b->label);
  for (size_t x = 0; x < a->posterior.size(); ++x) {
    ASSERT_NEAR(a->posterior[x], b->posterior[x], 1e-9);
  }
}

TEST(OneCoin, AccuracyIsSmoothedShareOfExpectedRightAnswers) {
  InferenceOptions options;
  options.max_iterations = 1;
  const double s = options.smoothing;
  Result<CategoricalResult> r =
      InferCategorical(Method::kOneCoin, TwoItemsOneTie(), nullptr, options);
  ASSERT_TRUE(r.ok());
  // From majority vote: w0 is right on i0 (1) and half right on i1 (0.5); so is w1.
  EXPECT_NEAR(r->worker_accuracy[0], (1.5 + s) / (2 + 2 * s), 1e-12);
  EXPECT_NEAR(r->worker_accuracy[1], (1.5 + s) / (2 + 2 * s), 1e-12);
  EXPECT_TRUE(r->worker_confusion.empty());
}

TEST(OneCoin, SpreadsErrorsEvenlySoAnswersForAThirdClassDoNotMatter) {
  // Two equally good workers disagree between classes 0 and 1; class 2 gets nothing.
  AnswerMatrix m;
  m.num_items = 1;
  m.num_workers = 2;
  m.num_classes = 3;
  m.Add(0, 0, 0);
  m.Add(0, 1, 1);
  Result<CategoricalResult> r = InferCategorical(Method::kOneCoin, m);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->Posterior(0, 0), r->Posterior(0, 1), 1e-9);
  EXPECT_LT(r->Posterior(0, 2), r->Posterior(0, 0));
}

}  // namespace
}  // namespace tinydata::infer
