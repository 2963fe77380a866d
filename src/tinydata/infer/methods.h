// Private to infer/: the categorical methods behind InferCategorical and what they share.
//
// InferCategorical validates the input, builds a Problem and sizes a CategoricalResult
// (posterior, worker_accuracy, worker_spam_score, class_prior); a method then fills posterior
// (rows of items without answers are overwritten afterwards), worker_accuracy, class_prior,
// iterations, converged and, if it has one, worker_confusion. Labels, confidences and spam
// scores are derived afterwards in one place (categorical.cc).
#pragma once

#include <cstdint>
#include <vector>

#include "tinydata/infer/categorical.h"
#include "tinydata/infer/item_index.h"

namespace tinydata::infer::internal {

struct Problem {
  int32_t num_items = 0;
  int32_t num_workers = 0;
  int32_t num_classes = 0;
  ItemIndex index;
  const int32_t* gold = nullptr;  // num_items entries or null
  InferenceOptions options;

  bool IsGold(int32_t i) const { return gold != nullptr && gold[i] != kNoGold; }
  int64_t Begin(int32_t i) const { return index.offsets[i]; }
  int64_t End(int32_t i) const { return index.offsets[i + 1]; }
};

void RunMajorityVote(const Problem& p, CategoricalResult& r);
void RunWawa(const Problem& p, CategoricalResult& r);
void RunZeroBasedSkill(const Problem& p, CategoricalResult& r);
void RunDawidSkene(const Problem& p, CategoricalResult& r);
void RunOneCoin(const Problem& p, CategoricalResult& r);
void RunGlad(const Problem& p, CategoricalResult& r);
void RunMace(const Problem& p, CategoricalResult& r);

// Posterior rows from votes weighted by `weight` (per worker; null = 1 each): each row is the
// share of the item's total weight per class. Gold items get a one-hot row; items whose total
// weight is zero get a uniform row.
void WeightedVote(const Problem& p, const double* weight, std::vector<double>& posterior);

// Share of each worker's answers equal to the argmax label of their item (the gold label on
// gold items). Workers without answers get 1/K.
void AgreementWithArgmax(const Problem& p, const std::vector<double>& posterior,
                         std::vector<double>& accuracy);

// Class prior = mean posterior row over items with answers or gold, plus `smoothing` per class.
void MeanPosterior(const Problem& p, const std::vector<double>& posterior, double smoothing,
                   std::vector<double>& prior);

// Index of the largest of n values, the smallest index on ties.
inline int32_t ArgMax(const double* v, int32_t n) {
  int32_t best = 0;
  for (int32_t k = 1; k < n; ++k) {
    if (v[k] > v[best]) best = k;
  }
  return best;
}

// Turns log scores into a normalised distribution in place (log-sum-exp).
void NormalizeLog(double* v, int32_t n);

// Writes `row` into posterior row i of an item and returns the largest absolute change.
double StoreRow(const double* row, int32_t n, double* out);

}  // namespace tinydata::infer::internal
