// Deterministic synthetic crowd answers for the benchmarks (bench/tools/gen_answers.cc writes
// them as CSV; bench/infer_bench.cc builds them in memory).
//
// Model: every item has a true class drawn uniformly from K classes and is answered by
// `answers_per_item` distinct workers drawn uniformly from the pool. Each worker has an accuracy
// drawn uniformly from [min_accuracy, max_accuracy]; a worker answers the true class with that
// probability and otherwise a class drawn uniformly from the K-1 others. Numeric answers are the
// true value (uniform in [0, 100)) plus normal noise with a standard deviation of
// 20 * (1 - accuracy), and with probability 0.05 a gross outlier uniform in [0, 1000).
//
// The generator uses its own PRNG (xoshiro256** seeded by splitmix64) and its own
// distributions, so a seed gives byte-identical output with any compiler or standard library.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/infer/answers.h"

namespace tinydata::bench {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& s : state_) s = SplitMix(seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n) (Lemire's multiply-shift; the bias is below 2^-32 for our n).
  int32_t Below(int32_t n) {
    return static_cast<int32_t>((static_cast<unsigned __int128>(Next()) * static_cast<uint64_t>(n)) >> 64);
  }
  // Standard normal (Box-Muller; one value per call keeps the stream simple to reason about).
  double Normal() {
    double u1 = 1.0 - Uniform();  // (0, 1]
    double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t state_[4];
};

struct SyntheticSpec {
  int32_t items = 100000;
  int32_t answers_per_item = 10;
  int32_t workers = 2000;
  int32_t classes = 2;
  uint64_t seed = 1;
  double min_accuracy = 0.55;
  double max_accuracy = 0.95;
};

struct SyntheticCategorical {
  infer::AnswerMatrix answers;        // item-major: the answers of item 0, then item 1, ...
  std::vector<int32_t> truth;         // per item
  std::vector<double> worker_accuracy;
};

struct SyntheticNumeric {
  infer::NumericMatrix answers;
  std::vector<double> truth;
  std::vector<double> worker_accuracy;
};

inline Status CheckSpec(const SyntheticSpec& spec) {
  if (spec.items < 1 || spec.workers < 1 || spec.answers_per_item < 1 || spec.classes < 2) {
    return Status::InvalidArgument("items, workers, answers per item must be >= 1, classes >= 2");
  }
  if (spec.answers_per_item > spec.workers) {
    return Status::InvalidArgument("answers per item exceeds the number of workers");
  }
  if (!(spec.min_accuracy >= 0 && spec.min_accuracy <= spec.max_accuracy &&
        spec.max_accuracy <= 1)) {
    return Status::InvalidArgument("need 0 <= min_accuracy <= max_accuracy <= 1");
  }
  return Status::Ok();
}

namespace internal {

// Calls emit(item, worker) for answers_per_item distinct workers of every item, in item order.
template <typename Emit>
void ForEachAssignment(const SyntheticSpec& spec, Rng& rng, Emit emit) {
  std::vector<int32_t> chosen(spec.answers_per_item);
  for (int32_t i = 0; i < spec.items; ++i) {
    for (int32_t k = 0; k < spec.answers_per_item; ++k) {
      int32_t w;
      bool repeat;
      do {
        w = rng.Below(spec.workers);
        repeat = false;
        for (int32_t j = 0; j < k; ++j) repeat |= chosen[j] == w;
      } while (repeat);
      chosen[k] = w;
      emit(i, w);
    }
  }
}

inline std::vector<double> DrawAccuracies(const SyntheticSpec& spec, Rng& rng) {
  std::vector<double> accuracy(spec.workers);
  for (double& a : accuracy) {
    a = spec.min_accuracy + (spec.max_accuracy - spec.min_accuracy) * rng.Uniform();
  }
  return accuracy;
}

}  // namespace internal

inline Result<SyntheticCategorical> GenerateCategorical(const SyntheticSpec& spec) {
  TD_RETURN_IF_ERROR(CheckSpec(spec));
  Rng rng(spec.seed);
  SyntheticCategorical data;
  data.worker_accuracy = internal::DrawAccuracies(spec, rng);
  data.truth.resize(spec.items);
  for (int32_t& t : data.truth) t = rng.Below(spec.classes);
  infer::AnswerMatrix& m = data.answers;
  m.num_items = spec.items;
  m.num_workers = spec.workers;
  m.num_classes = spec.classes;
  m.Reserve(static_cast<size_t>(spec.items) * spec.answers_per_item);
  internal::ForEachAssignment(spec, rng, [&](int32_t i, int32_t w) {
    int32_t label = data.truth[i];
    if (rng.Uniform() >= data.worker_accuracy[w]) {
      // A uniformly chosen wrong class: skip over the true one.
      label = rng.Below(spec.classes - 1);
      if (label >= data.truth[i]) ++label;
    }
    m.Add(i, w, label);
  });
  return data;
}

inline Result<SyntheticNumeric> GenerateNumeric(const SyntheticSpec& spec) {
  TD_RETURN_IF_ERROR(CheckSpec(spec));
  Rng rng(spec.seed);
  SyntheticNumeric data;
  data.worker_accuracy = internal::DrawAccuracies(spec, rng);
  data.truth.resize(spec.items);
  for (double& t : data.truth) t = 100.0 * rng.Uniform();
  infer::NumericMatrix& m = data.answers;
  m.num_items = spec.items;
  m.num_workers = spec.workers;
  const size_t n = static_cast<size_t>(spec.items) * spec.answers_per_item;
  m.item.reserve(n);
  m.worker.reserve(n);
  m.value.reserve(n);
  internal::ForEachAssignment(spec, rng, [&](int32_t i, int32_t w) {
    double value = rng.Uniform() < 0.05
                       ? 1000.0 * rng.Uniform()
                       : data.truth[i] + 20.0 * (1.0 - data.worker_accuracy[w]) * rng.Normal();
    m.Add(i, w, value);
  });
  return data;
}

}  // namespace tinydata::bench
