// MACE (Hovy et al. 2013) as in crowd-kit's variational-Bayes variant: each answer is the truth
// when the worker "knows" (probability theta_w) and otherwise a draw from the worker's own
// strategy xi_w. Priors: theta ~ Beta(0.5, 0.5), xi_w ~ Dirichlet(10). Differences from
// crowd-kit: the class prior of the true labels is learned in every M step (mean posterior plus
// `smoothing`) instead of fixed uniform, because with a uniform prior the answers of spammers who
// favour the majority class make every minority-class answer decisive (product data set: 0.83
// accuracy with a uniform prior, 0.93 learned); all sums run in log space (no underflow on items
// with many answers); the first run starts from majority vote, and further restarts
// (InferenceOptions::restarts) start from seeded random parameters; the run with the highest
// marginal likelihood wins.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "tinydata/infer/methods.h"
#include "tinydata/infer/parallel.h"

namespace tinydata::infer::internal {
namespace {

constexpr double kSpamPrior = 0.5;       // Beta pseudo-count on "spamming"
constexpr double kKnowPrior = 0.5;       // Beta pseudo-count on "knowing"
constexpr double kStrategyPrior = 10.0;  // Dirichlet pseudo-count per class of xi_w
constexpr double kRandomInitNoise = 0.5;

double Digamma(double x) {
  double result = 0;
  while (x < 6) {
    result -= 1 / x;
    x += 1;
  }
  const double f = 1 / (x * x);
  return result + std::log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Uniform(uint64_t& state) { return (SplitMix64(state) >> 11) * 0x1.0p-53; }

struct Params {
  std::vector<double> know, spam;  // per worker (variational, need not sum to 1)
  std::vector<double> strategy;    // per worker x K
};

struct Run {
  Params params;
  std::vector<double> posterior;
  double log_likelihood = -std::numeric_limits<double>::infinity();
  int iterations = 0;
  bool converged = false;
};

class Mace {
 public:
  explicit Mace(const Problem& p)
      : p_(p),
        K_(p.num_classes),
        chunks_(ChunkCount(p.options.threads, p.num_items)),
        wl_(p.index.worker.size()),
        log_spam_(static_cast<size_t>(p.num_workers) * K_),
        log_bonus_(log_spam_.size()),
        know_share_(log_spam_.size()),
        know_counts_(chunks_, std::vector<double>(p.num_workers)),
        strategy_counts_(chunks_, std::vector<double>(log_spam_.size())),
        answered_(p.num_workers, 0.0),
        change_(chunks_),
        log_likelihood_(chunks_) {
    for (size_t a = 0; a < wl_.size(); ++a) {
      wl_[a] = p.index.worker[a] * K_ + p.index.label[a];
      answered_[p.index.worker[a]] += 1.0;
    }
  }

  // restart 0 starts from majority vote, the others from random parameters.
  Run Fit(int restart) {
    Run run;
    prior_.assign(K_, 1.0 / K_);
    log_prior_.assign(K_, -std::log(static_cast<double>(K_)));
    run.posterior.assign(static_cast<size_t>(p_.num_items) * K_, 1.0 / K_);
    WeightedVote(p_, nullptr, run.posterior);
    if (restart == 0) {
      run.params.know.assign(p_.num_workers, 0.5);
      run.params.spam.assign(p_.num_workers, 0.5);
      run.params.strategy.assign(log_spam_.size(), 1.0 / K_);
    } else {
      RandomParams(restart, run.params);
      SetTables(run.params);
      Expect(run);
    }
    for (int it = 0; it < p_.options.max_iterations; ++it) {
      SetTables(run.params);
      Maximize(run);
      SetTables(run.params);
      const double moved = Expect(run);
      run.iterations = it + 1;
      if (moved <= p_.options.tolerance) {
        run.converged = true;
        break;
      }
    }
    return run;
  }

 private:
  void RandomParams(int restart, Params& params) const {
    uint64_t state = p_.options.seed ^ (0x6a09e667f3bcc909ULL * static_cast<uint64_t>(restart));
    params.know.resize(p_.num_workers);
    params.spam.resize(p_.num_workers);
    params.strategy.resize(log_spam_.size());
    for (int32_t w = 0; w < p_.num_workers; ++w) {
      const double a = 1 + kRandomInitNoise * Uniform(state);
      const double b = 1 + kRandomInitNoise * Uniform(state);
      params.spam[w] = a / (a + b);
      params.know[w] = b / (a + b);
      double total = 0;
      for (int32_t l = 0; l < K_; ++l) {
        total += params.strategy[w * K_ + l] = 1 + kRandomInitNoise * Uniform(state);
      }
      for (int32_t l = 0; l < K_; ++l) params.strategy[w * K_ + l] /= total;
    }
  }

  // Per (worker, label): log P(answer l | spamming), the log-likelihood bonus of l being the
  // truth, and P(knowing | answer l and truth l).
  void SetTables(const Params& params) {
    for (int32_t w = 0; w < p_.num_workers; ++w) {
      for (int32_t l = 0; l < K_; ++l) {
        const size_t x = static_cast<size_t>(w) * K_ + l;
        const double spam = params.spam[w] * params.strategy[x];
        log_spam_[x] = std::log(spam);
        log_bonus_[x] = std::log(spam + params.know[w]) - log_spam_[x];
        know_share_[x] = params.know[w] / (spam + params.know[w]);
      }
    }
  }

  double Expect(Run& run) {
    ParallelFor(p_.options.threads, p_.num_items, [&](int64_t b, int64_t e, int c) {
      std::vector<double> row(K_);
      double moved = 0, log_likelihood = 0;
      for (int64_t i = b; i < e; ++i) {
        const int64_t start = p_.index.offsets[i], stop = p_.index.offsets[i + 1];
        if (start == stop) continue;
        double base = 0;
        std::copy(log_prior_.begin(), log_prior_.end(), row.begin());
        for (int64_t a = start; a < stop; ++a) {
          base += log_spam_[wl_[a]];
          row[p_.index.label[a]] += log_bonus_[wl_[a]];
        }
        if (p_.IsGold(static_cast<int32_t>(i))) {
          log_likelihood += base + row[p_.gold[i]];
          continue;
        }
        double top = row[0];
        for (int32_t k = 1; k < K_; ++k) top = std::max(top, row[k]);
        double sum = 0;
        for (int32_t k = 0; k < K_; ++k) sum += std::exp(row[k] - top);
        log_likelihood += base + top + std::log(sum);
        NormalizeLog(row.data(), K_);
        moved = std::max(moved, StoreRow(row.data(), K_, &run.posterior[i * K_]));
      }
      change_[c] = moved;
      log_likelihood_[c] = log_likelihood;
    });
    run.log_likelihood = 0;
    for (int c = 0; c < chunks_; ++c) run.log_likelihood += log_likelihood_[c];
    return *std::max_element(change_.begin(), change_.end());
  }

  // Variational M step: expected "knowing" counts per worker and spam-label counts per
  // (worker, label) from the posteriors, then the digamma updates of crowd-kit's
  // _variational_m_step.
  void Maximize(Run& run) {
    ParallelFor(p_.options.threads, p_.num_items, [&](int64_t b, int64_t e, int c) {
      std::vector<double>& know = know_counts_[c];
      std::vector<double>& strategy = strategy_counts_[c];
      std::fill(know.begin(), know.end(), 0.0);
      std::fill(strategy.begin(), strategy.end(), 0.0);
      for (int64_t i = b; i < e; ++i) {
        const double* q = &run.posterior[i * K_];
        for (int64_t a = p_.index.offsets[i]; a < p_.index.offsets[i + 1]; ++a) {
          const double knew = q[p_.index.label[a]] * know_share_[wl_[a]];
          know[p_.index.worker[a]] += knew;
          strategy[wl_[a]] += 1 - knew;
        }
      }
    });
    for (int c = 1; c < chunks_; ++c) {
      for (size_t w = 0; w < answered_.size(); ++w) know_counts_[0][w] += know_counts_[c][w];
      for (size_t x = 0; x < log_spam_.size(); ++x)
        strategy_counts_[0][x] += strategy_counts_[c][x];
    }
    MeanPosterior(p_, run.posterior, p_.options.smoothing, prior_);
    for (int32_t k = 0; k < K_; ++k) log_prior_[k] = std::log(prior_[k]);
    Params& params = run.params;
    for (int32_t w = 0; w < p_.num_workers; ++w) {
      const double know = know_counts_[0][w];
      const double spam = answered_[w] - know;
      const double log_norm = Digamma(answered_[w] + kSpamPrior + kKnowPrior);
      params.know[w] = std::exp(Digamma(know + kKnowPrior) - log_norm);
      params.spam[w] = std::exp(Digamma(std::max(spam, 0.0) + kSpamPrior) - log_norm);
      double total = 0;
      for (int32_t l = 0; l < K_; ++l) total += strategy_counts_[0][w * K_ + l];
      const double log_total = Digamma(total + K_ * kStrategyPrior);
      for (int32_t l = 0; l < K_; ++l) {
        params.strategy[w * K_ + l] =
            std::exp(Digamma(strategy_counts_[0][w * K_ + l] + kStrategyPrior) - log_total);
      }
    }
  }

  const Problem& p_;
  const int32_t K_;
  const int chunks_;
  std::vector<int32_t> wl_;
  std::vector<double> log_spam_, log_bonus_, know_share_;
  std::vector<std::vector<double>> know_counts_, strategy_counts_;
  std::vector<double> answered_;
  std::vector<double> prior_, log_prior_;  // class prior of the current run
  std::vector<double> change_, log_likelihood_;
};

}  // namespace

void RunMace(const Problem& p, CategoricalResult& r) {
  const int32_t K = p.num_classes;
  Mace mace(p);
  Run best;
  for (int restart = 0; restart < p.options.restarts; ++restart) {
    Run run = mace.Fit(restart);
    if (restart == 0 || run.log_likelihood > best.log_likelihood) best = std::move(run);
  }
  r.posterior = std::move(best.posterior);
  r.iterations = best.iterations;
  r.converged = best.converged;
  MeanPosterior(p, r.posterior, p.options.smoothing, r.class_prior);

  // Report the model as a confusion matrix: C[k][l] = knows * [k == l] + (1 - knows) * xi[l].
  const size_t KK = static_cast<size_t>(K) * K;
  r.worker_confusion.assign(static_cast<size_t>(p.num_workers) * KK, 0.0);
  for (int32_t w = 0; w < p.num_workers; ++w) {
    const double knows = best.params.know[w] / (best.params.know[w] + best.params.spam[w]);
    double strategy_total = 0;
    for (int32_t l = 0; l < K; ++l) strategy_total += best.params.strategy[w * K + l];
    double* c = &r.worker_confusion[w * KK];
    double accuracy = 0;
    for (int32_t k = 0; k < K; ++k) {
      for (int32_t l = 0; l < K; ++l) {
        c[k * K + l] =
            (1 - knows) * best.params.strategy[w * K + l] / strategy_total + (k == l ? knows : 0.0);
      }
      accuracy += r.class_prior[k] * c[k * K + k];
    }
    r.worker_accuracy[w] = accuracy;
  }
}

}  // namespace tinydata::infer::internal
