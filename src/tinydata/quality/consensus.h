// Consensus of one task from its answers: the value the crowd most likely means and how sure we
// are of it. Pure; called on every answer by the service, with the current worker skills.
//
// - single choice: the posterior of infer::SkillModel::ItemPosterior over the options, from the
//   workers' skills (confusion matrices of the last full inference; unknown workers get the
//   model's default). Consensus = argmax, confidence = its posterior.
// - multi choice: each option is an independent yes/no question with a one-coin model of
//   accuracy kMultiChoiceAccuracy; the consensus holds the options whose posterior exceeds 1/2
//   and the confidence is the product of the per-option posteriors of those decisions.
// - numeric: infer::AggregateNumeric(kRobust) over the task's answers; confidence is the share of
//   answers within QuestionSpec::NumericTolerance of the estimate.
// - text: the most frequent NormalizeText form (ties: the first given); confidence is its share.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/infer/incremental.h"
#include "tinydata/quality/question.h"

namespace tinydata::quality {

inline constexpr double kMultiChoiceAccuracy = 0.8;
// Accuracy assumed for workers without a skill estimate (before the first full inference).
inline constexpr double kDefaultWorkerAccuracy = 0.7;

struct WorkerAnswer {
  int32_t worker = 0;  // dense worker id of the skill model (>= num_workers: unknown worker)
  AnswerValue value;
};

struct Consensus {
  bool has_value = false;  // false when there are no answers
  AnswerValue value;
  double confidence = 0.0;
};

// `skills` is used for single choice and may be null (every worker then has
// kDefaultWorkerAccuracy); its class count must equal the number of options.
Result<Consensus> EstimateConsensus(const QuestionSpec& spec,
                                    std::span<const WorkerAnswer> answers,
                                    const infer::SkillModel* skills);

}  // namespace tinydata::quality
