#pragma once

// Aggregation of numeric answers: mean, median, and a robust reliability-weighted estimate that
// rejects outliers with a threshold that adapts to the number of answers.
//
// kMean: plain mean. kMedian: plain median (mean of the two middle answers for an even count).
// Neither rejects anything; every worker_reliability is 1.
//
// kRobust, per round (at most max_iterations rounds; stops early when no estimate moves by more
// than `tolerance`, absolute):
//  1. Per item with n answers: centre c = reliability-weighted median of the answers; scale
//     sigma = max(1.4826 * weighted MAD around c, sigma_floor), where sigma_floor is half the
//     median over items with >= 3 answers of their unweighted 1.4826 * MAD (so an item whose
//     answers happen to coincide does not get a zero scale while the data set is noisy). 1.4826
//     makes the MAD a consistent estimate of a normal standard deviation; median and MAD do not
//     let the outliers inflate the scale that is meant to expose them.
//  2. Chauvenet's criterion, for items with n >= 3: reject answer x if
//     n * erfc(|x - c| / (sigma * sqrt 2)) < 0.5, i.e. |x - c| / sigma > ChauvenetThreshold(n)
//     (1.38 for n = 3, 1.96 for n = 10, 2.81 for n = 100). If sigma is 0 (every item agrees
//     exactly), every answer that differs from c is rejected.
//  3. Estimate = reliability-weighted mean of the kept answers.
//  4. Worker reliability: v_w = (sum over the worker's answers of min(z^2, 9) + 2) / (answers + 2)
//     with z = (x - estimate) / sigma of the item (rejected answers included, items with one
//     answer skipped), i.e. the worker's error variance in item-scale units, shrunk towards 1
//     by two pseudo-answers. Weight = 1 / v_w; reliability = weight / largest weight, in (0, 1].
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
  std::vector<double> estimate;     // per item; NaN for items without answers
  std::vector<double> spread;       // per item: weighted standard deviation of the kept answers
  std::vector<int32_t> num_kept;    // per item: answers that were not rejected
  std::vector<uint8_t> rejected;    // per answer: 1 if rejected as an outlier
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
