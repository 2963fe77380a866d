// Dawid-Skene (full confusion matrices) and its one-coin special case, by EM.
//
// Hot loops run over answers grouped by item. Each answer carries one int32 `worker * K + label`
// so the E step adds one contiguous K-vector of log probabilities per answer and the M step adds
// the item's posterior row into one contiguous K-vector of counts. The loops are templates over
// the class count so the common small K (2..5) unroll.
#include <algorithm>
#include <cmath>
#include <vector>

#include "tinydata/infer/methods.h"
#include "tinydata/infer/parallel.h"

namespace tinydata::infer::internal {
namespace {

// One pseudo-answer "right" per confusion row (a Dirichlet prior leaning to the diagonal). Without
// it a worker who is the only one to label some items is unidentifiable (any relabelling fits as
// well) and EM drifts into putting every item in the largest class.
constexpr double kDiagonalPseudoCount = 1.0;

std::vector<int32_t> WorkerLabelIndex(const Problem& p) {
  std::vector<int32_t> wl(p.index.worker.size());
  for (size_t a = 0; a < wl.size(); ++a)
    wl[a] = p.index.worker[a] * p.num_classes + p.index.label[a];
  return wl;
}

bool HasEvidence(const Problem& p, int32_t i) { return p.IsGold(i) || p.Begin(i) != p.End(i); }

// Counts[(w*K + l)*K + k] += posterior[i][k] for every answer (w, l) of items [begin, end);
// prior[k] += posterior[i][k] for items with evidence.
template <int KF>
void AccumulateConfusion(const Problem& p, const std::vector<int32_t>& wl,
                         const std::vector<double>& posterior, int64_t begin, int64_t end,
                         double* counts, double* prior) {
  const int32_t K = KF > 0 ? KF : p.num_classes;
  for (int64_t i = begin; i < end; ++i) {
    if (!HasEvidence(p, static_cast<int32_t>(i))) continue;
    const double* q = &posterior[i * K];
    for (int32_t k = 0; k < K; ++k) prior[k] += q[k];
    const int64_t stop = p.index.offsets[i + 1];
    for (int64_t a = p.index.offsets[i]; a < stop; ++a) {
      double* c = counts + static_cast<int64_t>(wl[a]) * K;
      for (int32_t k = 0; k < K; ++k) c[k] += q[k];
    }
  }
}

// E step over items [begin, end): posterior[i][k] ∝ prior[k] * prod_a C_w[k][l]. Returns the
// largest change of any posterior entry. Gold items and items without answers are left alone.
template <int KF>
double ExpectLabels(const Problem& p, const std::vector<int32_t>& wl,
                    const std::vector<double>& log_conf, const std::vector<double>& log_prior,
                    int64_t begin, int64_t end, std::vector<double>& posterior) {
  const int32_t K = KF > 0 ? KF : p.num_classes;
  std::vector<double> row(K);
  double change = 0;
  for (int64_t i = begin; i < end; ++i) {
    const int64_t start = p.index.offsets[i], stop = p.index.offsets[i + 1];
    if (start == stop || p.IsGold(static_cast<int32_t>(i))) continue;
    for (int32_t k = 0; k < K; ++k) row[k] = log_prior[k];
    for (int64_t a = start; a < stop; ++a) {
      const double* lc = &log_conf[static_cast<int64_t>(wl[a]) * K];
      for (int32_t k = 0; k < K; ++k) row[k] += lc[k];
    }
    NormalizeLog(row.data(), K);
    change = std::max(change, StoreRow(row.data(), K, &posterior[i * K]));
  }
  return change;
}

template <int KF>
void DawidSkene(const Problem& p, CategoricalResult& r) {
  const int32_t K = p.num_classes;
  const int32_t W = p.num_workers;
  const double s = p.options.smoothing;
  const size_t table = static_cast<size_t>(W) * K * K;
  const std::vector<int32_t> wl = WorkerLabelIndex(p);
  const int chunks = ChunkCount(p.options.threads, p.num_items);
  std::vector<std::vector<double>> counts(chunks, std::vector<double>(table));
  std::vector<std::vector<double>> prior_sums(chunks, std::vector<double>(K));
  std::vector<double> log_conf(table), log_prior(K), change(chunks);

  WeightedVote(p, nullptr, r.posterior);
  r.converged = false;
  for (int it = 0; it < p.options.max_iterations; ++it) {
    // M step: smoothed confusion rows and class prior from the current posteriors.
    ParallelFor(p.options.threads, p.num_items, [&](int64_t b, int64_t e, int c) {
      std::fill(counts[c].begin(), counts[c].end(), 0.0);
      std::fill(prior_sums[c].begin(), prior_sums[c].end(), 0.0);
      AccumulateConfusion<KF>(p, wl, r.posterior, b, e, counts[c].data(), prior_sums[c].data());
    });
    for (int c = 1; c < chunks; ++c) {
      for (size_t x = 0; x < table; ++x) counts[0][x] += counts[c][x];
      for (int32_t k = 0; k < K; ++k) prior_sums[0][k] += prior_sums[c][k];
    }
    for (int32_t w = 0; w < W; ++w) {
      const double* c = &counts[0][static_cast<size_t>(w) * K * K];
      double* lc = &log_conf[static_cast<size_t>(w) * K * K];
      for (int32_t k = 0; k < K; ++k) {
        double row = 0;
        for (int32_t l = 0; l < K; ++l) row += c[l * K + k];
        const double log_norm = std::log(row + K * s + kDiagonalPseudoCount);
        for (int32_t l = 0; l < K; ++l) {
          const double diagonal = l == k ? kDiagonalPseudoCount : 0.0;
          lc[l * K + k] = std::log(c[l * K + k] + s + diagonal) - log_norm;
        }
      }
    }
    double prior_total = 0;
    for (int32_t k = 0; k < K; ++k) prior_total += prior_sums[0][k] + s;
    for (int32_t k = 0; k < K; ++k) {
      r.class_prior[k] = (prior_sums[0][k] + s) / prior_total;
      log_prior[k] = std::log(r.class_prior[k]);
    }
    // E step.
    ParallelFor(p.options.threads, p.num_items, [&](int64_t b, int64_t e, int c) {
      change[c] = ExpectLabels<KF>(p, wl, log_conf, log_prior, b, e, r.posterior);
    });
    r.iterations = it + 1;
    if (*std::max_element(change.begin(), change.end()) <= p.options.tolerance) {
      r.converged = true;
      break;
    }
  }

  r.worker_confusion.assign(table, 0.0);
  for (int32_t w = 0; w < W; ++w) {
    const double* lc = &log_conf[static_cast<size_t>(w) * K * K];
    double* out = &r.worker_confusion[static_cast<size_t>(w) * K * K];
    double accuracy = 0;
    for (int32_t k = 0; k < K; ++k) {
      for (int32_t l = 0; l < K; ++l) out[k * K + l] = std::exp(lc[l * K + k]);
      accuracy += r.class_prior[k] * out[k * K + k];
    }
    r.worker_accuracy[w] = accuracy;
  }
}

// One-coin E step: log posterior[k] = log prior[k] + sum_a (l_a == k ? log p_w : log q_w) with
// q_w = (1 - p_w) / (K - 1), i.e. a shared base plus a per-answer bonus on the given label.
template <int KF>
double ExpectLabelsOneCoin(const Problem& p, const std::vector<double>& log_right,
                           const std::vector<double>& log_wrong,
                           const std::vector<double>& log_prior, int64_t begin, int64_t end,
                           std::vector<double>& posterior) {
  const int32_t K = KF > 0 ? KF : p.num_classes;
  std::vector<double> row(K);
  double change = 0;
  for (int64_t i = begin; i < end; ++i) {
    const int64_t start = p.index.offsets[i], stop = p.index.offsets[i + 1];
    if (start == stop || p.IsGold(static_cast<int32_t>(i))) continue;
    for (int32_t k = 0; k < K; ++k) row[k] = log_prior[k];
    double base = 0;
    for (int64_t a = start; a < stop; ++a) {
      const int32_t w = p.index.worker[a];
      base += log_wrong[w];
      row[p.index.label[a]] += log_right[w] - log_wrong[w];
    }
    for (int32_t k = 0; k < K; ++k) row[k] += base;
    NormalizeLog(row.data(), K);
    change = std::max(change, StoreRow(row.data(), K, &posterior[i * K]));
  }
  return change;
}

template <int KF>
void OneCoin(const Problem& p, CategoricalResult& r) {
  const int32_t K = p.num_classes;
  const int32_t W = p.num_workers;
  const double s = p.options.smoothing;
  const int chunks = ChunkCount(p.options.threads, p.num_items);
  std::vector<double> answered(W, 0.0);
  for (int32_t w : p.index.worker) answered[w] += 1.0;
  std::vector<std::vector<double>> right(chunks, std::vector<double>(W));
  std::vector<std::vector<double>> prior_sums(chunks, std::vector<double>(K));
  std::vector<double> log_right(W), log_wrong(W), log_prior(K), change(chunks);

  WeightedVote(p, nullptr, r.posterior);
  r.converged = false;
  for (int it = 0; it < p.options.max_iterations; ++it) {
    ParallelFor(p.options.threads, p.num_items, [&](int64_t b, int64_t e, int c) {
      std::vector<double>& rc = right[c];
      std::vector<double>& pc = prior_sums[c];
      std::fill(rc.begin(), rc.end(), 0.0);
      std::fill(pc.begin(), pc.end(), 0.0);
      for (int64_t i = b; i < e; ++i) {
        if (!HasEvidence(p, static_cast<int32_t>(i))) continue;
        const double* q = &r.posterior[i * K];
        for (int32_t k = 0; k < K; ++k) pc[k] += q[k];
        for (int64_t a = p.index.offsets[i]; a < p.index.offsets[i + 1]; ++a) {
          rc[p.index.worker[a]] += q[p.index.label[a]];
        }
      }
    });
    for (int c = 1; c < chunks; ++c) {
      for (int32_t w = 0; w < W; ++w) right[0][w] += right[c][w];
      for (int32_t k = 0; k < K; ++k) prior_sums[0][k] += prior_sums[c][k];
    }
    for (int32_t w = 0; w < W; ++w) {
      const double acc = (right[0][w] + s) / (answered[w] + 2 * s);
      r.worker_accuracy[w] = acc;
      log_right[w] = std::log(acc);
      log_wrong[w] = std::log((1 - acc) / (K - 1));
    }
    double prior_total = 0;
    for (int32_t k = 0; k < K; ++k) prior_total += prior_sums[0][k] + s;
    for (int32_t k = 0; k < K; ++k) {
      r.class_prior[k] = (prior_sums[0][k] + s) / prior_total;
      log_prior[k] = std::log(r.class_prior[k]);
    }
    ParallelFor(p.options.threads, p.num_items, [&](int64_t b, int64_t e, int c) {
      change[c] = ExpectLabelsOneCoin<KF>(p, log_right, log_wrong, log_prior, b, e, r.posterior);
    });
    r.iterations = it + 1;
    if (*std::max_element(change.begin(), change.end()) <= p.options.tolerance) {
      r.converged = true;
      break;
    }
  }
  for (int32_t w = 0; w < W; ++w) {
    if (answered[w] == 0) r.worker_accuracy[w] = 1.0 / K;
  }
}

}  // namespace

void RunDawidSkene(const Problem& p, CategoricalResult& r) {
  switch (p.num_classes) {
    case 2:
      return DawidSkene<2>(p, r);
    case 3:
      return DawidSkene<3>(p, r);
    case 4:
      return DawidSkene<4>(p, r);
    case 5:
      return DawidSkene<5>(p, r);
    default:
      return DawidSkene<0>(p, r);
  }
}

void RunOneCoin(const Problem& p, CategoricalResult& r) {
  switch (p.num_classes) {
    case 2:
      return OneCoin<2>(p, r);
    default:
      return OneCoin<0>(p, r);
  }
}

}  // namespace tinydata::infer::internal
