#include "tinydata/infer/incremental.h"

#include <gtest/gtest.h>

#include <vector>

namespace tinydata::infer {
namespace {

TEST(SkillModel, UniformModelWithOneAnswerGivesTheWorkersAccuracy) {
  SkillModel model = SkillModel::Uniform(2, 0.8);
  std::vector<WorkerLabel> answers = {{0, 1}};
  std::vector<double> out(2);
  ASSERT_TRUE(model.ItemPosterior(answers, out).ok());
  EXPECT_NEAR(out[0], 0.2, 1e-12);
  EXPECT_NEAR(out[1], 0.8, 1e-12);
}

TEST(SkillModel, AgreeingAnswersMultiplyTheirEvidence) {
  SkillModel model = SkillModel::Uniform(2, 0.8);
  std::vector<WorkerLabel> answers = {{0, 1}, {1, 1}};
  std::vector<double> out(2);
  ASSERT_TRUE(model.ItemPosterior(answers, out).ok());
  EXPECT_NEAR(out[1], 0.64 / (0.64 + 0.04), 1e-12);
}

TEST(SkillModel, ErrorsAreSpreadOverTheOtherClasses) {
  SkillModel model = SkillModel::Uniform(3, 0.6);
  std::vector<WorkerLabel> answers = {{0, 2}};
  std::vector<double> out(3);
  ASSERT_TRUE(model.ItemPosterior(answers, out).ok());
  EXPECT_NEAR(out[2], 0.6, 1e-12);
  EXPECT_NEAR(out[0], 0.2, 1e-12);
}

TEST(SkillModel, NoAnswersGiveTheClassPrior) {
  SkillModel model = SkillModel::Uniform(4, 0.9);
  std::vector<double> out(4);
  ASSERT_TRUE(model.ItemPosterior({}, out).ok());
  for (double p : out) EXPECT_NEAR(p, 0.25, 1e-12);
}

TEST(SkillModel, MatchesTheFullDawidSkenePosteriorForFixedSkills) {
  AnswerMatrix m;
  m.num_items = 6;
  m.num_workers = 3;
  m.num_classes = 2;
  const int32_t labels[6][3] = {{0, 0, 1}, {1, 1, 1}, {0, 1, 0}, {1, 0, 1}, {0, 0, 0}, {1, 1, 0}};
  for (int32_t i = 0; i < 6; ++i) {
    for (int32_t w = 0; w < 3; ++w) m.Add(i, w, labels[i][w]);
  }
  InferenceOptions options;
  options.max_iterations = 3;  // the last E step used exactly the reported skills
  Result<CategoricalResult> full = InferCategorical(Method::kDawidSkene, m, nullptr, options);
  ASSERT_TRUE(full.ok());
  SkillModel model = SkillModel::FromResult(*full);
  for (int32_t i = 0; i < 6; ++i) {
    std::vector<WorkerLabel> answers = {{0, labels[i][0]}, {1, labels[i][1]}, {2, labels[i][2]}};
    std::vector<double> out(2);
    ASSERT_TRUE(model.ItemPosterior(answers, out).ok());
    EXPECT_NEAR(out[0], full->Posterior(i, 0), 1e-9) << "item " << i;
  }
}

TEST(SkillModel, UnknownWorkersUseTheDefaultAccuracy) {
  CategoricalResult result;
  result.num_workers = 1;
  result.num_classes = 2;
  result.worker_accuracy = {0.99};
  result.class_prior = {0.5, 0.5};
  SkillModel model = SkillModel::FromResult(result, 0.7);
  std::vector<WorkerLabel> answers = {{5, 1}};
  std::vector<double> out(2);
  ASSERT_TRUE(model.ItemPosterior(answers, out).ok());
  EXPECT_NEAR(out[1], 0.7, 1e-12);
}

TEST(SkillModel, LabelOutOfRangeIsAnError) {
  SkillModel model = SkillModel::Uniform(2, 0.8);
  std::vector<WorkerLabel> answers = {{0, 2}};
  std::vector<double> out(2);
  Status s = model.ItemPosterior(answers, out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "label");
}

TEST(SkillModel, OutputOfTheWrongSizeIsAnError) {
  SkillModel model = SkillModel::Uniform(2, 0.8);
  std::vector<double> out(3);
  EXPECT_EQ(model.ItemPosterior({}, out).field(), "out");
}

}  // namespace
}  // namespace tinydata::infer
