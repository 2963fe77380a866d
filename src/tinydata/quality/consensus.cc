#include "tinydata/quality/consensus.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include "tinydata/infer/numeric.h"

namespace tinydata::quality {
namespace {

Result<Consensus> SingleChoice(const QuestionSpec& spec, std::span<const WorkerAnswer> answers,
                               const infer::SkillModel* skills) {
  const int32_t k = static_cast<int32_t>(spec.options.size());
  infer::SkillModel fallback;
  if (skills == nullptr || skills->num_classes() != k) {
    fallback = infer::SkillModel::Uniform(k, kDefaultWorkerAccuracy);
    skills = &fallback;
  }
  std::vector<infer::WorkerLabel> labels;
  labels.reserve(answers.size());
  for (const WorkerAnswer& a : answers) labels.push_back({a.worker, a.value.choice});
  std::vector<double> posterior(static_cast<size_t>(k));
  TD_RETURN_IF_ERROR(skills->ItemPosterior(labels, posterior));
  const auto best = std::max_element(posterior.begin(), posterior.end());
  Consensus c;
  c.has_value = true;
  c.value.choice = static_cast<int32_t>(best - posterior.begin());
  c.confidence = *best;
  return c;
}

Result<Consensus> MultiChoice(const QuestionSpec& spec, std::span<const WorkerAnswer> answers) {
  const infer::SkillModel model = infer::SkillModel::Uniform(2, kMultiChoiceAccuracy);
  std::vector<infer::WorkerLabel> labels(answers.size());
  double posterior[2];
  Consensus c;
  c.has_value = true;
  c.confidence = 1.0;
  for (size_t option = 0; option < spec.options.size(); ++option) {
    const uint64_t bit = uint64_t{1} << option;
    for (size_t i = 0; i < answers.size(); ++i) {
      labels[i] = {answers[i].worker, (answers[i].value.choices & bit) ? 1 : 0};
    }
    TD_RETURN_IF_ERROR(model.ItemPosterior(labels, posterior));
    if (posterior[1] > 0.5) {
      c.value.choices |= bit;
      c.confidence *= posterior[1];
    } else {
      c.confidence *= posterior[0];
    }
  }
  return c;
}

Result<Consensus> Numeric(const QuestionSpec& spec, std::span<const WorkerAnswer> answers) {
  infer::NumericMatrix matrix;
  matrix.num_items = 1;
  for (size_t i = 0; i < answers.size(); ++i) {
    matrix.Add(0, static_cast<int32_t>(i), answers[i].value.number);
  }
  matrix.num_workers = static_cast<int32_t>(answers.size());
  TD_ASSIGN_OR_RETURN(infer::NumericResult result,
                      infer::AggregateNumeric(infer::NumericMethod::kRobust, matrix));
  Consensus c;
  c.has_value = true;
  c.value.number = result.estimate[0];
  if (spec.step) {
    c.value.number = spec.min + std::round((c.value.number - spec.min) / *spec.step) * *spec.step;
  }
  c.value.number = std::clamp(c.value.number, spec.min, spec.max);
  int agree = 0;
  for (const WorkerAnswer& a : answers) agree += SameAnswer(spec, c.value, a.value) ? 1 : 0;
  c.confidence = static_cast<double>(agree) / static_cast<double>(answers.size());
  return c;
}

Consensus Text(std::span<const WorkerAnswer> answers) {
  std::unordered_map<std::string, int> counts;
  size_t best = 0;
  int best_count = 0;
  for (size_t i = 0; i < answers.size(); ++i) {
    const int n = ++counts[NormalizeText(answers[i].value.text)];
    if (n > best_count) {
      best_count = n;
      best = i;
    }
  }
  Consensus c;
  c.has_value = true;
  c.value.text = answers[best].value.text;
  c.confidence = static_cast<double>(best_count) / static_cast<double>(answers.size());
  return c;
}

}  // namespace

Result<Consensus> EstimateConsensus(const QuestionSpec& spec,
                                    std::span<const WorkerAnswer> answers,
                                    const infer::SkillModel* skills) {
  if (answers.empty()) return Consensus{};
  switch (spec.type) {
    case QuestionType::kSingleChoice:
      return SingleChoice(spec, answers, skills);
    case QuestionType::kMultiChoice:
      return MultiChoice(spec, answers);
    case QuestionType::kNumeric:
      return Numeric(spec, answers);
    case QuestionType::kText:
      return Text(answers);
  }
  return Status::Internal("unknown question type");
}

}  // namespace tinydata::quality
