// Truth inference for categorical answers: one label with a posterior per item and a skill
// estimate per worker.
//
// What each method computes (K classes; "posterior" is a row per item summing to 1):
// - mv: posterior = share of the item's votes per class; label = plurality, ties to the smallest
//   class id. Worker accuracy = share of the worker's answers equal to the label.
// - wawa (crowd-kit Wawa): accuracy of each worker against majority vote, then votes weighted
//   by that accuracy; posterior = share of the weighted votes.
// - zbs (crowd-kit ZeroBasedSkill): skills start at 1/K + 1e-5 and move towards each worker's
//   agreement with the skill-weighted vote, step size 1 halved every 20 steps; stops after
//   max_iterations or when no skill moves by more than `tolerance`. Posterior = weighted shares.
// - ds (Dawid & Skene 1979): one K x K confusion matrix per worker and a class prior, EM started
//   from the majority-vote posterior (M step first). M step: every confusion cell gets the
//   pseudo-count `smoothing` and each diagonal cell one more (a Dirichlet prior, MAP, leaning
//   towards "workers are better than chance" so single-worker items stay identifiable); the class
//   prior gets `smoothing`. E step in
//   log space. Stops after max_iterations or when no posterior entry moves by more than
//   `tolerance`. Worker accuracy = sum_k prior[k] * C[k][k].
// - onecoin: ds with C[k][k] = p_w and errors spread evenly over the other K-1 classes;
//   p_w = (expected right answers + smoothing) / (answers + 2 * smoothing).
// - glad (Whitehill et al. 2009): P(right) = sigmoid(alpha_w * beta_i), beta_i > 0 the item's
//   easiness; generalised EM with one damped Newton step per parameter block per iteration and
//   priors alpha ~ N(1,1), log beta ~ N(0,1); the class prior stays uniform (as in the paper).
//   Worker accuracy = mean P(right) over the worker's answers.
// - mace (Hovy et al. 2013, crowd-kit's variational variant): a worker knows the truth with
//   probability theta_w, otherwise answers from a strategy xi_w; theta ~ Beta(0.5,0.5),
//   xi ~ Dirichlet(10); unlike crowd-kit the class prior is learned (mean posterior + smoothing).
//   Run 0 starts from majority vote; `restarts` - 1 more runs start from
//   seeded random parameters; the run with the best marginal likelihood is kept. Reported
//   confusion C[k][l] = theta*[k==l] + (1-theta)*xi[l].
//
// Gold items (if given) keep a one-hot posterior at their gold label from the start, so they
// count towards every skill estimate and are never re-estimated.
//
// Spam score, for every method: 1 - the weighted mean total-variation distance between the rows
// (true classes) of the worker's confusion matrix, pairs of rows weighted by the product of the
// two classes' weights. For ds and mace it uses the model's confusion weighted by the class
// prior (for mace this is exactly 1 - theta); for the other methods it uses the worker's
// empirical confusion against the inferred posterior (soft counts plus `smoothing`), weighted by
// the posterior mass of each class among the worker's items. 0 = the answer pins down the truth,
// 1 = the answer is independent of the truth (a random clicker or someone who always gives the
// same class). Adversarial workers who are reliably wrong score low: their answers are informative.
//
// Threading: InferCategorical is a pure function; concurrent calls are safe. With
// options.threads > 1 the E and M steps of ds, onecoin, glad and mace run on that many threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/infer/answers.h"

namespace tinydata::infer {

enum class Method {
  kMajorityVote,    // mv: plurality, ties broken towards the smallest class id
  kWawa,            // wawa: votes weighted by each worker's agreement with majority vote
  kZeroBasedSkill,  // zbs: votes weighted by skills learned by gradient steps from zero
  kDawidSkene,      // ds: full confusion matrix per worker, EM from majority vote
  kOneCoin,         // onecoin: one accuracy per worker, errors uniform over the other classes
  kGlad,            // glad: worker ability x item difficulty (Whitehill et al. 2009)
  kMace,            // mace: spammer/competent mixture per worker (Hovy et al. 2013)
};

// Parses "mv", "wawa", "zbs", "ds", "onecoin", "glad", "mace".
Result<Method> ParseMethod(std::string_view name);
const char* MethodName(Method method);

struct InferenceOptions {
  int max_iterations = 100;  // EM / gradient iteration cap
  double tolerance = 1e-6;   // stop when no posterior moves by more than this
  double smoothing = 0.01;   // Dirichlet pseudo-count added to every confusion cell
  int threads = 1;           // worker threads for the E and M steps (1 = no threads)
  uint64_t seed = 0;         // for methods with random restarts (MACE); fixed = reproducible
  int restarts = 1;          // MACE runs: the first from majority vote, the rest random
};

struct CategoricalResult {
  int32_t num_items = 0;
  int32_t num_workers = 0;
  int32_t num_classes = 0;
  // Row-major num_items x num_classes; each row sums to 1. Items without answers (and not
  // gold) get the class prior.
  std::vector<double> posterior;
  // argmax of the posterior (smallest class on ties); kNoGold for items without answers.
  std::vector<int32_t> label;
  std::vector<double> confidence;  // posterior[label]
  // Probability that the worker's answer equals the true label.
  std::vector<double> worker_accuracy;
  // Row-major num_workers x K x K, [w][true][given], rows sum to 1. Empty when the method has
  // no confusion matrices (mv, wawa, zbs, onecoin derive one only implicitly).
  std::vector<double> worker_confusion;
  // In [0,1]: 1 means the worker's answers carry no information about the truth.
  std::vector<double> worker_spam_score;
  std::vector<double> class_prior;  // K
  int iterations = 0;
  bool converged = true;

  double Posterior(int32_t item, int32_t cls) const {
    return posterior[static_cast<size_t>(item) * num_classes + cls];
  }
};

// Runs `method` on `answers`. `gold`, when given, has one entry per item; gold items are clamped
// to their label during EM and count towards worker skill. Errors (InvalidArgument): invalid ids,
// num_classes < 2, gold of the wrong length or with an out-of-range class, max_iterations < 1,
// restarts < 1, negative tolerance, smoothing <= 0. Workers without answers get accuracy 1/K
// and spam score 1 (their rows carry no evidence).
Result<CategoricalResult> InferCategorical(Method method, const AnswerMatrix& answers,
                                           const GoldLabels* gold = nullptr,
                                           const InferenceOptions& options = {});

}  // namespace tinydata::infer
