// Incremental inference: the posterior of one item from its answers, given fixed worker skills.
// The server calls this on every answer; a periodic full EM run refreshes the skills.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/infer/categorical.h"

namespace tinydata::infer {

struct WorkerLabel {
  int32_t worker;  // dense worker id; ids >= SkillModel::num_workers are "unknown worker"
  int32_t label;
};

// Fixed skills for the incremental update: log confusion matrices per worker plus a default
// matrix for workers the model has not seen yet.
class SkillModel {
 public:
  // A model where every worker, known or not, has `accuracy` and errors spread uniformly.
  static SkillModel Uniform(int32_t num_classes, double accuracy);
  // Takes the skills of a full run. Workers with a confusion matrix use it; others use a
  // one-coin matrix built from their accuracy. `default_accuracy` is for unknown workers.
  static SkillModel FromResult(const CategoricalResult& result, double default_accuracy = 0.7);

  int32_t num_classes() const { return num_classes_; }
  int32_t num_workers() const { return num_workers_; }

  // Writes the normalised posterior of one item into `out` (num_classes entries). Labels out of
  // range are an error; an empty answer list gives the class prior.
  Status ItemPosterior(std::span<const WorkerLabel> answers, std::span<double> out) const;

 private:
  int32_t num_classes_ = 0;
  int32_t num_workers_ = 0;
  std::vector<double> log_prior_;              // K
  std::vector<double> log_confusion_;          // num_workers x K x K
  std::vector<double> default_log_confusion_;  // K x K
};

}  // namespace tinydata::infer
