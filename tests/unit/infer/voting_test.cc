// Majority vote, Wawa and ZeroBasedSkill on hand-checked inputs, plus the input checks shared by
// every categorical method.
#include <gtest/gtest.h>

#include <vector>

#include "tinydata/infer/categorical.h"

namespace tinydata::infer {
namespace {

AnswerMatrix Matrix(int32_t items, int32_t workers, int32_t classes,
                    const std::vector<std::vector<int32_t>>& rows) {
  AnswerMatrix m;
  m.num_items = items;
  m.num_workers = workers;
  m.num_classes = classes;
  for (const std::vector<int32_t>& r : rows) m.Add(r[0], r[1], r[2]);
  return m;
}

// i0: w0=0 w1=0 w2=1 | i1: w0=1 w1=1 w2=0 | i2: w1=1 w2=0 (a tie) | i3: all say 1.
// Majority vote: 0, 1, 0 (tie -> smallest class), 1. Agreement with it: w0 3/3, w1 3/4, w2 2/4.
AnswerMatrix WawaFlipsATie() {
  return Matrix(4, 3, 2,
                {{0, 0, 0},
                 {0, 1, 0},
                 {0, 2, 1},
                 {1, 0, 1},
                 {1, 1, 1},
                 {1, 2, 0},
                 {2, 1, 1},
                 {2, 2, 0},
                 {3, 0, 1},
                 {3, 1, 1},
                 {3, 2, 1}});
}

TEST(MajorityVote, PosteriorIsTheShareOfVotes) {
  AnswerMatrix m = Matrix(1, 3, 2, {{0, 0, 0}, {0, 1, 0}, {0, 2, 1}});
  Result<CategoricalResult> r = InferCategorical(Method::kMajorityVote, m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_DOUBLE_EQ(r->Posterior(0, 0), 2.0 / 3);
  EXPECT_DOUBLE_EQ(r->Posterior(0, 1), 1.0 / 3);
  EXPECT_EQ(r->label[0], 0);
  EXPECT_DOUBLE_EQ(r->confidence[0], 2.0 / 3);
}

TEST(MajorityVote, TieGoesToTheSmallestClassId) {
  AnswerMatrix m = Matrix(2, 2, 3, {{0, 0, 2}, {0, 1, 1}, {1, 0, 0}, {1, 1, 2}});
  Result<CategoricalResult> r = InferCategorical(Method::kMajorityVote, m);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->label[0], 1);
  EXPECT_EQ(r->label[1], 0);
  EXPECT_DOUBLE_EQ(r->confidence[0], 0.5);
}

TEST(MajorityVote, WorkerAccuracyIsAgreementWithTheLabel) {
  Result<CategoricalResult> r = InferCategorical(Method::kMajorityVote, WawaFlipsATie());
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->worker_accuracy[0], 1.0);
  EXPECT_DOUBLE_EQ(r->worker_accuracy[1], 0.75);
  EXPECT_DOUBLE_EQ(r->worker_accuracy[2], 0.5);
}

TEST(MajorityVote, ItemWithoutAnswersHasNoLabelAndThePriorAsPosterior) {
  AnswerMatrix m = Matrix(2, 1, 2, {{0, 0, 1}});
  Result<CategoricalResult> r = InferCategorical(Method::kMajorityVote, m);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->label[1], kNoGold);
  EXPECT_DOUBLE_EQ(r->Posterior(1, 0), r->class_prior[0]);
  EXPECT_DOUBLE_EQ(r->Posterior(1, 1), r->class_prior[1]);
  EXPECT_GT(r->class_prior[1], r->class_prior[0]);
}

TEST(MajorityVote, WorkerWithoutAnswersHasChanceAccuracyAndSpamScoreOne) {
  AnswerMatrix m = Matrix(1, 2, 2, {{0, 0, 1}});
  Result<CategoricalResult> r = InferCategorical(Method::kMajorityVote, m);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->worker_accuracy[1], 0.5);
  EXPECT_DOUBLE_EQ(r->worker_spam_score[1], 1.0);
}

TEST(Wawa, WeightsVotesByAgreementWithMajorityVote) {
  Result<CategoricalResult> r = InferCategorical(Method::kWawa, WawaFlipsATie());
  ASSERT_TRUE(r.ok());
  // i2: class 1 has w1's weight 3/4, class 0 has w2's weight 1/2.
  EXPECT_DOUBLE_EQ(r->Posterior(2, 1), 0.75 / 1.25);
  EXPECT_EQ(r->label[2], 1);
  // i0: class 0 has w0 + w1 = 7/4, class 1 has w2 = 1/2.
  EXPECT_DOUBLE_EQ(r->Posterior(0, 0), 1.75 / 2.25);
  EXPECT_DOUBLE_EQ(r->worker_accuracy[1], 0.75);
}

TEST(ZeroBasedSkill, LearnsSkillsThatRankWorkersByAgreement) {
  Result<CategoricalResult> r = InferCategorical(Method::kZeroBasedSkill, WawaFlipsATie());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->converged);
  // Once w1 outweighs w2 the tie on i2 goes to w1, who then agrees with every label.
  EXPECT_GT(r->worker_accuracy[1], r->worker_accuracy[2]);
  EXPECT_EQ(r->label[2], 1);
  EXPECT_EQ(r->label[0], 0);
  EXPECT_EQ(r->label[1], 1);
  EXPECT_EQ(r->label[3], 1);
}

TEST(ZeroBasedSkill, StopsAtTheIterationCap) {
  InferenceOptions options;
  options.max_iterations = 1;
  options.tolerance = 0;
  Result<CategoricalResult> r =
      InferCategorical(Method::kZeroBasedSkill, WawaFlipsATie(), nullptr, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->iterations, 1);
  EXPECT_FALSE(r->converged);
}

TEST(MethodNames, ParseAndNameRoundTrip) {
  for (const char* name : {"mv", "wawa", "zbs", "ds", "onecoin", "glad", "mace"}) {
    Result<Method> m = ParseMethod(name);
    ASSERT_TRUE(m.ok()) << name;
    EXPECT_STREQ(MethodName(*m), name);
  }
}

TEST(MethodNames, UnknownNameIsAnErrorListingTheMethods) {
  Result<Method> m = ParseMethod("bayes");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("'bayes'"), std::string::npos);
  EXPECT_NE(m.status().message().find("mace"), std::string::npos);
}

TEST(InputChecks, RejectsFewerThanTwoClasses) {
  AnswerMatrix m = Matrix(1, 1, 1, {{0, 0, 0}});
  Result<CategoricalResult> r = InferCategorical(Method::kMajorityVote, m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "num_classes");
}

TEST(InputChecks, RejectsOutOfRangeIdsNamingTheField) {
  AnswerMatrix m = Matrix(1, 1, 2, {{0, 3, 0}});
  Result<CategoricalResult> r = InferCategorical(Method::kDawidSkene, m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "worker");
  EXPECT_NE(r.status().message().find("answer 0"), std::string::npos);
}

TEST(InputChecks, RejectsGoldOfTheWrongLength) {
  AnswerMatrix m = Matrix(2, 1, 2, {{0, 0, 0}, {1, 0, 1}});
  GoldLabels gold = {0};
  Result<CategoricalResult> r = InferCategorical(Method::kDawidSkene, m, &gold);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "gold");
}

TEST(InputChecks, RejectsGoldWithAnOutOfRangeClass) {
  AnswerMatrix m = Matrix(1, 1, 2, {{0, 0, 0}});
  GoldLabels gold = {2};
  Result<CategoricalResult> r = InferCategorical(Method::kMajorityVote, m, &gold);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "gold");
}

TEST(InputChecks, RejectsBadOptions) {
  AnswerMatrix m = Matrix(1, 1, 2, {{0, 0, 0}});
  InferenceOptions no_iterations;
  no_iterations.max_iterations = 0;
  InferenceOptions no_smoothing;
  no_smoothing.smoothing = 0;
  InferenceOptions no_restarts;
  no_restarts.restarts = 0;
  InferenceOptions negative_tolerance;
  negative_tolerance.tolerance = -1;
  EXPECT_EQ(InferCategorical(Method::kDawidSkene, m, nullptr, no_iterations).status().field(),
            "max_iterations");
  EXPECT_EQ(InferCategorical(Method::kDawidSkene, m, nullptr, no_smoothing).status().field(),
            "smoothing");
  EXPECT_EQ(InferCategorical(Method::kMace, m, nullptr, no_restarts).status().field(), "restarts");
  EXPECT_EQ(InferCategorical(Method::kDawidSkene, m, nullptr, negative_tolerance).status().field(),
            "tolerance");
}

}  // namespace
}  // namespace tinydata::infer
