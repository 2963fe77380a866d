#pragma once

// Aggregation of numeric answers: mean, median, and a robust reliability-weighted estimate that
// rejects outliers with a threshold that adapts to the number of answers.
//
// kMean: plain mean. kMedian: plain median (mean of the two middle answers for an even count).
// Neither rejects anything; every worker_reliability is 1.
//
// kRobust, per round (at most max_iterations rounds; stops early when no estimate moves by more
// than `tolerance`, absolute):
//  1. Chauvenet's criterion in its classic form, for items with n >= 3 answers: with c the
//     reliability-weighted mean and sigma the weighted sample standard deviation of all n
//     answers, reject x if n * erfc(|x - c| / (sigma * sqrt 2)) < 0.5, i.e. if
//     |x - c| / sigma > ChauvenetThreshold(n) (1.38 for n = 3, 1.96 for n = 10, 2.81 for
//     n = 100): under a normal model fewer than half an answer per item is expected that far out.
//     Items whose answers all agree (sigma = 0) reject nothing.
//  2. Estimate = reliability-weighted mean of the kept answers.
//  3. Worker reliability: v_w = (sum over the worker's answers of min(z^2, 9) + 30) /
//     (answers + 30) with z = (x - estimate) / s, s the pooled residual standard deviation of all
//     items with two or more answers (rejected answers included, one-answer items skipped): the
//     worker's error variance relative to the crowd's, shrunk towards 1 by 30 pseudo-answers so a
//     handful of answers cannot make a worker decisive. Weight = 1 / v_w; reliability = weight /
//     largest weight, in (0, 1].
// spread = sqrt of the weighted mean squared deviation of the kept answers from the estimate.

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
  std::vector<double> estimate;   // per item; NaN for items without answers
  std::vector<double> spread;     // per item: weighted standard deviation of the kept answers
  std::vector<int32_t> num_kept;  // per item: answers that were not rejected
  std::vector<uint8_t> rejected;  // per answer: 1 if rejected as an outlier
  std::vector<double> worker_reliability;  // per worker, in (0,1]
  int iterations = 0;
};

// The |x - centre| / sigma above which Chauvenet's criterion rejects one of n answers: the z with
// n * erfc(z / sqrt 2) = 0.5. Grows with n; 0 for n < 1.
double ChauvenetThreshold(int64_t n);

// Errors (InvalidArgument): invalid ids or non-finite values (NumericMatrix::Validate),
// max_iterations < 1, negative tolerance. Items without answers get NaN estimate and spread.
// Pure function; concurrent calls are safe.
Result<NumericResult> AggregateNumeric(NumericMethod method, const NumericMatrix& answers,
                                       const NumericOptions& options = {});

}  // namespace tinydata::infer
