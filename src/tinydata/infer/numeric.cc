#include "tinydata/infer/numeric.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "tinydata/infer/item_index.h"

namespace tinydata::infer {
namespace {

constexpr double kMaxZSquared = 9.0;
constexpr double kReliabilityPseudoAnswers = 30.0;
constexpr int64_t kMinAnswersToReject = 3;

struct Weighted {
  double value;
  double weight;
};

// Weighted median of `points` (reordered); with equal weights the usual median.
double WeightedMedian(std::vector<Weighted>& points) {
  std::sort(points.begin(), points.end(),
            [](const Weighted& a, const Weighted& b) { return a.value < b.value; });
  double total = 0;
  for (const Weighted& p : points) total += p.weight;
  const double half = total / 2;
  const double eps = 1e-12 * total;
  double cumulative = 0;
  for (size_t j = 0; j < points.size(); ++j) {
    cumulative += points[j].weight;
    if (std::abs(cumulative - half) <= eps && j + 1 < points.size()) {
      return (points[j].value + points[j + 1].value) / 2;
    }
    if (cumulative > half) return points[j].value;
  }
  return points.back().value;
}

struct Scratch {
  std::vector<Weighted> points;
};

double Median(const internal::ItemIndex& index, int64_t begin, int64_t end, Scratch& scratch) {
  scratch.points.clear();
  for (int64_t a = begin; a < end; ++a) scratch.points.push_back({index.value[a], 1.0});
  return WeightedMedian(scratch.points);
}

}  // namespace

double ChauvenetThreshold(int64_t n) {
  if (n < 1) return 0;
  // n * erfc(z / sqrt 2) decreases in z; bisect for where it crosses 0.5.
  double lo = 0, hi = 40;
  for (int step = 0; step < 64; ++step) {
    const double mid = (lo + hi) / 2;
    if (static_cast<double>(n) * std::erfc(mid / std::sqrt(2.0)) < 0.5) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return (lo + hi) / 2;
}

Result<NumericMethod> ParseNumericMethod(std::string_view name) {
  if (name == "mean") return NumericMethod::kMean;
  if (name == "median") return NumericMethod::kMedian;
  if (name == "robust") return NumericMethod::kRobust;
  return Status::InvalidArgument(
      "unknown numeric method '" + std::string(name) + "' (expected mean, median, robust)",
      "estimator");
}

Result<NumericResult> AggregateNumeric(NumericMethod method, const NumericMatrix& answers,
                                       const NumericOptions& options) {
  TD_RETURN_IF_ERROR(answers.Validate());
  if (options.max_iterations < 1) {
    return Status::InvalidArgument("max_iterations must be at least 1", "max_iterations");
  }
  if (!(options.tolerance >= 0)) {
    return Status::InvalidArgument("tolerance must be >= 0", "tolerance");
  }
  const int32_t N = answers.num_items;
  const internal::ItemIndex index =
      internal::BuildItemIndex(N, answers.item, answers.worker, nullptr, &answers.value);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  NumericResult r;
  r.estimate.assign(N, nan);
  r.spread.assign(N, nan);
  r.num_kept.assign(N, 0);
  r.rejected.assign(answers.size(), 0);
  r.worker_reliability.assign(answers.num_workers, 1.0);
  std::vector<double> weight(answers.num_workers, 1.0);
  Scratch scratch;

  // Estimate and spread of item i from its kept answers.
  auto summarise = [&](int64_t i, double estimate) {
    double total = 0, squares = 0;
    int32_t kept = 0;
    for (int64_t a = index.offsets[i]; a < index.offsets[i + 1]; ++a) {
      if (r.rejected[index.original[a]]) continue;
      const double w = weight[index.worker[a]];
      const double d = index.value[a] - estimate;
      total += w;
      squares += w * d * d;
      ++kept;
    }
    r.estimate[i] = estimate;
    r.spread[i] = total > 0 ? std::sqrt(squares / total) : 0.0;
    r.num_kept[i] = kept;
  };
  auto weighted_mean = [&](int64_t i) {
    double total = 0, sum = 0;
    for (int64_t a = index.offsets[i]; a < index.offsets[i + 1]; ++a) {
      if (r.rejected[index.original[a]]) continue;
      const double w = weight[index.worker[a]];
      total += w;
      sum += w * index.value[a];
    }
    return sum / total;
  };

  if (method != NumericMethod::kRobust) {
    for (int64_t i = 0; i < N; ++i) {
      if (index.offsets[i] == index.offsets[i + 1]) continue;
      summarise(i, method == NumericMethod::kMean
                       ? weighted_mean(i)
                       : Median(index, index.offsets[i], index.offsets[i + 1], scratch));
    }
    r.iterations = 1;
    return r;
  }

  int64_t most_answers = 0;
  for (int64_t i = 0; i < N; ++i) {
    most_answers = std::max(most_answers, index.offsets[i + 1] - index.offsets[i]);
  }
  std::vector<double> threshold(static_cast<size_t>(most_answers) + 1);
  for (int64_t n = 0; n <= most_answers; ++n) threshold[n] = ChauvenetThreshold(n);
  std::vector<double> errors(answers.num_workers), counts(answers.num_workers);
  for (int round = 0; round < options.max_iterations; ++round) {
    double moved = 0;
    for (int64_t i = 0; i < N; ++i) {
      const int64_t begin = index.offsets[i], end = index.offsets[i + 1];
      const int64_t n = end - begin;
      if (n == 0) continue;
      // Chauvenet's criterion in its classic form: the weighted mean and the weighted sample
      // standard deviation of all the item's answers, one pass.
      double total = 0, sum = 0;
      for (int64_t a = begin; a < end; ++a) {
        total += weight[index.worker[a]];
        sum += weight[index.worker[a]] * index.value[a];
      }
      const double centre = sum / total;
      double squares = 0;
      for (int64_t a = begin; a < end; ++a) {
        const double d = index.value[a] - centre;
        squares += weight[index.worker[a]] * d * d;
      }
      const double sigma =
          n > 1 ? std::sqrt(squares / total * static_cast<double>(n) / static_cast<double>(n - 1))
                : 0.0;
      for (int64_t a = begin; a < end; ++a) {
        const bool reject = n >= kMinAnswersToReject && sigma > 0 &&
                            std::abs(index.value[a] - centre) > threshold[n] * sigma;
        r.rejected[index.original[a]] = reject ? 1 : 0;
      }
      const double previous = r.estimate[i];
      summarise(i, weighted_mean(i));
      moved = std::isnan(previous) ? std::numeric_limits<double>::infinity()
                                   : std::max(moved, std::abs(r.estimate[i] - previous));
    }
    r.iterations = round + 1;

    // Residuals in units of the pooled residual standard deviation of all items with two or
    // more answers, so that workers on noisy items are not blamed for the item's noise only.
    double pooled = 0, pooled_count = 0;
    for (int64_t i = 0; i < N; ++i) {
      const int64_t begin = index.offsets[i], end = index.offsets[i + 1];
      if (end - begin < 2) continue;
      for (int64_t a = begin; a < end; ++a) {
        const double d = index.value[a] - r.estimate[i];
        pooled += d * d;
        pooled_count += 1;
      }
    }
    pooled = pooled_count > 0 ? pooled / pooled_count : 0.0;
    std::fill(errors.begin(), errors.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0.0);
    if (pooled > 0) {
      for (int64_t i = 0; i < N; ++i) {
        const int64_t begin = index.offsets[i], end = index.offsets[i + 1];
        if (end - begin < 2) continue;
        for (int64_t a = begin; a < end; ++a) {
          const double d = index.value[a] - r.estimate[i];
          errors[index.worker[a]] += std::min(d * d / pooled, kMaxZSquared);
          counts[index.worker[a]] += 1;
        }
      }
    }
    double best = 0;
    for (int32_t w = 0; w < answers.num_workers; ++w) {
      const double variance =
          (errors[w] + kReliabilityPseudoAnswers) / (counts[w] + kReliabilityPseudoAnswers);
      weight[w] = 1.0 / variance;
      best = std::max(best, weight[w]);
    }
    for (int32_t w = 0; w < answers.num_workers; ++w) r.worker_reliability[w] = weight[w] / best;
    if (moved <= options.tolerance) break;
  }
  return r;
}

}  // namespace tinydata::infer
