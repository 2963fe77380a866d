// Aggregation of numeric answers: mean, median, and a robust reliability-weighted estimate that
// rejects outliers with a threshold that adapts to the number of answers.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/infer/answers.h"

namespace tinydata::infer {

enum class NumericMethod { kMean, kMedian, kRobust };
Result<NumericMethod> ParseNumericMethod(std::string_view name);  // "mean", "median", "robust"

struct NumericOptions {
  int max_iterations = 20;  // reliability re-estimation rounds for kRobust
  double tolerance = 1e-6;
};

struct NumericResult {
  std::vector<double> estimate;     // per item; NaN for items without answers
  std::vector<double> spread;       // per item: weighted standard deviation of the kept answers
  std::vector<int32_t> num_kept;    // per item: answers that were not rejected
  std::vector<uint8_t> rejected;    // per answer: 1 if rejected as an outlier
  std::vector<double> worker_reliability;  // per worker, in (0,1]
  int iterations = 0;
};

Result<NumericResult> AggregateNumeric(NumericMethod method, const NumericMatrix& answers,
                                       const NumericOptions& options = {});

}  // namespace tinydata::infer
