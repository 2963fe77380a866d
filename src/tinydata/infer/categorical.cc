#include "tinydata/infer/categorical.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "tinydata/infer/methods.h"

namespace tinydata::infer {
namespace {

struct MethodEntry {
  Method method;
  const char* name;
};
constexpr MethodEntry kMethods[] = {
    {Method::kMajorityVote, "mv"}, {Method::kWawa, "wawa"},       {Method::kZeroBasedSkill, "zbs"},
    {Method::kDawidSkene, "ds"},   {Method::kOneCoin, "onecoin"}, {Method::kGlad, "glad"},
    {Method::kMace, "mace"},
};

Status ValidateInput(const AnswerMatrix& answers, const GoldLabels* gold,
                     const InferenceOptions& options) {
  TD_RETURN_IF_ERROR(answers.Validate());
  if (answers.num_classes < 2) {
    return Status::InvalidArgument(
        "need at least 2 classes, got " + std::to_string(answers.num_classes), "num_classes");
  }
  // Worker-by-class tables are indexed with int32 (worker * K + label) in the hot loops.
  if (static_cast<int64_t>(answers.num_workers) * answers.num_classes * answers.num_classes >
      std::numeric_limits<int32_t>::max()) {
    return Status::InvalidArgument("too many workers x classes for the confusion tables",
                                   "num_classes");
  }
  if (gold != nullptr) {
    if (gold->size() != static_cast<size_t>(answers.num_items)) {
      return Status::InvalidArgument("gold has " + std::to_string(gold->size()) + " entries for " +
                                         std::to_string(answers.num_items) + " items",
                                     "gold");
    }
    for (size_t i = 0; i < gold->size(); ++i) {
      const int32_t g = (*gold)[i];
      if (g != kNoGold && (g < 0 || g >= answers.num_classes)) {
        return Status::InvalidArgument("gold label " + std::to_string(g) + " of item " +
                                           std::to_string(i) + " is outside [0, " +
                                           std::to_string(answers.num_classes) + ")",
                                       "gold");
      }
    }
  }
  if (options.max_iterations < 1) {
    return Status::InvalidArgument("max_iterations must be at least 1", "max_iterations");
  }
  if (!(options.tolerance >= 0)) {
    return Status::InvalidArgument("tolerance must be >= 0", "tolerance");
  }
  if (!(options.smoothing > 0)) {
    return Status::InvalidArgument("smoothing must be > 0", "smoothing");
  }
  if (options.restarts < 1) {
    return Status::InvalidArgument("restarts must be at least 1", "restarts");
  }
  return Status::Ok();
}

// 1 - mean total-variation distance between the rows (true classes) of a confusion matrix,
// each pair of rows weighted by the product of the two classes' weights. Rows that are all alike
// mean the answer does not depend on the truth.
double SpamFromConfusion(const double* confusion, const double* class_weight, int32_t k_count) {
  double weighted = 0, total = 0;
  for (int32_t a = 0; a < k_count; ++a) {
    for (int32_t b = a + 1; b < k_count; ++b) {
      double tv = 0;
      for (int32_t l = 0; l < k_count; ++l) {
        tv += std::abs(confusion[a * k_count + l] - confusion[b * k_count + l]);
      }
      const double w = class_weight[a] * class_weight[b];
      weighted += w * 0.5 * tv;
      total += w;
    }
  }
  if (total <= 1e-12) {
    // The worker saw (almost) only one true class: compare all rows alike.
    weighted = total = 0;
    for (int32_t a = 0; a < k_count; ++a) {
      for (int32_t b = a + 1; b < k_count; ++b) {
        double tv = 0;
        for (int32_t l = 0; l < k_count; ++l) {
          tv += std::abs(confusion[a * k_count + l] - confusion[b * k_count + l]);
        }
        weighted += 0.5 * tv;
        total += 1;
      }
    }
  }
  return std::clamp(1.0 - weighted / total, 0.0, 1.0);
}

void ComputeSpamScores(const internal::Problem& p, CategoricalResult& r) {
  const int32_t K = p.num_classes;
  const size_t KK = static_cast<size_t>(K) * K;
  if (!r.worker_confusion.empty()) {
    for (int32_t w = 0; w < p.num_workers; ++w) {
      r.worker_spam_score[w] =
          SpamFromConfusion(&r.worker_confusion[w * KK], r.class_prior.data(), K);
    }
    return;
  }
  // No model confusion: use each worker's soft confusion against the inferred posterior.
  std::vector<double> counts(static_cast<size_t>(p.num_workers) * KK, 0.0);
  for (int32_t i = 0; i < p.num_items; ++i) {
    const double* q = &r.posterior[static_cast<size_t>(i) * K];
    for (int64_t a = p.Begin(i); a < p.End(i); ++a) {
      double* c = &counts[p.index.worker[a] * KK + p.index.label[a]];
      for (int32_t k = 0; k < K; ++k) c[k * K] += q[k];
    }
  }
  std::vector<double> mass(K);
  for (int32_t w = 0; w < p.num_workers; ++w) {
    double* c = &counts[w * KK];
    for (int32_t k = 0; k < K; ++k) {
      double row = 0;
      for (int32_t l = 0; l < K; ++l) row += c[k * K + l];
      mass[k] = row;
      for (int32_t l = 0; l < K; ++l) {
        c[k * K + l] = (c[k * K + l] + p.options.smoothing) / (row + K * p.options.smoothing);
      }
    }
    r.worker_spam_score[w] = SpamFromConfusion(c, mass.data(), K);
  }
}

void Finish(const internal::Problem& p, CategoricalResult& r) {
  const int32_t K = p.num_classes;
  r.label.assign(p.num_items, kNoGold);
  r.confidence.assign(p.num_items, 0.0);
  double prior_sum = 0;
  for (double v : r.class_prior) prior_sum += v;
  for (int32_t i = 0; i < p.num_items; ++i) {
    double* q = &r.posterior[static_cast<size_t>(i) * K];
    if (p.IsGold(i)) {
      std::fill(q, q + K, 0.0);
      q[p.gold[i]] = 1.0;
    } else if (p.Begin(i) == p.End(i)) {
      for (int32_t k = 0; k < K; ++k) q[k] = r.class_prior[k] / prior_sum;
      continue;  // no evidence: the row is the prior and there is no label
    }
    r.label[i] = internal::ArgMax(q, K);
    r.confidence[i] = q[r.label[i]];
  }
  for (double& v : r.class_prior) v /= prior_sum;
  ComputeSpamScores(p, r);
  std::vector<uint8_t> answered(p.num_workers, 0);
  for (int32_t w : p.index.worker) answered[w] = 1;
  for (int32_t w = 0; w < p.num_workers; ++w) {
    if (answered[w]) continue;
    r.worker_accuracy[w] = 1.0 / K;
    r.worker_spam_score[w] = 1.0;
  }
}

}  // namespace

Result<Method> ParseMethod(std::string_view name) {
  for (const MethodEntry& e : kMethods) {
    if (name == e.name) return e.method;
  }
  return Status::InvalidArgument("unknown method '" + std::string(name) +
                                     "' (expected mv, wawa, zbs, ds, onecoin, glad, mace)",
                                 "method");
}

const char* MethodName(Method method) {
  for (const MethodEntry& e : kMethods) {
    if (method == e.method) return e.name;
  }
  return "unknown";
}

Result<CategoricalResult> InferCategorical(Method method, const AnswerMatrix& answers,
                                           const GoldLabels* gold,
                                           const InferenceOptions& options) {
  TD_RETURN_IF_ERROR(ValidateInput(answers, gold, options));
  internal::Problem p;
  p.num_items = answers.num_items;
  p.num_workers = answers.num_workers;
  p.num_classes = answers.num_classes;
  p.index = internal::BuildItemIndex(answers.num_items, answers.item, answers.worker,
                                     &answers.label, nullptr);
  p.gold = gold != nullptr ? gold->data() : nullptr;
  p.options = options;

  const int32_t K = p.num_classes;
  CategoricalResult r;
  r.num_items = p.num_items;
  r.num_workers = p.num_workers;
  r.num_classes = K;
  r.posterior.assign(static_cast<size_t>(p.num_items) * K, 1.0 / K);
  r.worker_accuracy.assign(p.num_workers, 1.0 / K);
  r.worker_spam_score.assign(p.num_workers, 1.0);
  r.class_prior.assign(K, 1.0 / K);
  switch (method) {
    case Method::kMajorityVote:
      internal::RunMajorityVote(p, r);
      break;
    case Method::kWawa:
      internal::RunWawa(p, r);
      break;
    case Method::kZeroBasedSkill:
      internal::RunZeroBasedSkill(p, r);
      break;
    case Method::kDawidSkene:
      internal::RunDawidSkene(p, r);
      break;
    case Method::kOneCoin:
      internal::RunOneCoin(p, r);
      break;
    case Method::kGlad:
      internal::RunGlad(p, r);
      break;
    case Method::kMace:
      internal::RunMace(p, r);
      break;
  }
  Finish(p, r);
  return r;
}

namespace internal {

void WeightedVote(const Problem& p, const double* weight, std::vector<double>& posterior) {
  const int32_t K = p.num_classes;
  for (int32_t i = 0; i < p.num_items; ++i) {
    double* q = &posterior[static_cast<size_t>(i) * K];
    std::fill(q, q + K, 0.0);
    if (p.IsGold(i)) {
      q[p.gold[i]] = 1.0;
      continue;
    }
    double total = 0;
    for (int64_t a = p.Begin(i); a < p.End(i); ++a) {
      const double v = weight != nullptr ? weight[p.index.worker[a]] : 1.0;
      q[p.index.label[a]] += v;
      total += v;
    }
    if (total > 0) {
      for (int32_t k = 0; k < K; ++k) q[k] /= total;
    } else {
      std::fill(q, q + K, 1.0 / K);
    }
  }
}

void AgreementWithArgmax(const Problem& p, const std::vector<double>& posterior,
                         std::vector<double>& accuracy) {
  const int32_t K = p.num_classes;
  std::vector<double> agree(p.num_workers, 0.0), total(p.num_workers, 0.0);
  for (int32_t i = 0; i < p.num_items; ++i) {
    const int32_t truth = ArgMax(&posterior[static_cast<size_t>(i) * K], K);
    for (int64_t a = p.Begin(i); a < p.End(i); ++a) {
      const int32_t w = p.index.worker[a];
      agree[w] += p.index.label[a] == truth ? 1.0 : 0.0;
      total[w] += 1.0;
    }
  }
  for (int32_t w = 0; w < p.num_workers; ++w) {
    accuracy[w] = total[w] > 0 ? agree[w] / total[w] : 1.0 / K;
  }
}

void MeanPosterior(const Problem& p, const std::vector<double>& posterior, double smoothing,
                   std::vector<double>& prior) {
  const int32_t K = p.num_classes;
  std::fill(prior.begin(), prior.end(), smoothing);
  double total = K * smoothing;
  for (int32_t i = 0; i < p.num_items; ++i) {
    if (p.Begin(i) == p.End(i) && !p.IsGold(i)) continue;
    const double* q = &posterior[static_cast<size_t>(i) * K];
    for (int32_t k = 0; k < K; ++k) prior[k] += q[k];
    total += 1.0;
  }
  for (double& v : prior) v /= total;
}

void NormalizeLog(double* v, int32_t n) {
  double top = v[0];
  for (int32_t k = 1; k < n; ++k) top = std::max(top, v[k]);
  double sum = 0;
  for (int32_t k = 0; k < n; ++k) {
    v[k] = std::exp(v[k] - top);
    sum += v[k];
  }
  for (int32_t k = 0; k < n; ++k) v[k] /= sum;
}

double StoreRow(const double* row, int32_t n, double* out) {
  double change = 0;
  for (int32_t k = 0; k < n; ++k) {
    change = std::max(change, std::abs(row[k] - out[k]));
    out[k] = row[k];
  }
  return change;
}

}  // namespace internal
}  // namespace tinydata::infer
