// Truth inference for categorical answers: one label with a posterior per item and a skill
// estimate per worker.
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
  int max_iterations = 100;   // EM / gradient iteration cap
  double tolerance = 1e-6;    // stop when no posterior moves by more than this
  double smoothing = 0.01;    // Dirichlet pseudo-count added to every confusion cell
  int threads = 1;            // worker threads for the E and M steps (1 = no threads)
  uint64_t seed = 0;          // for methods with random restarts (MACE); fixed = reproducible
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
// to their label during EM and count towards worker skill. Errors: invalid ids, num_classes < 2,
// gold of the wrong length or with an out-of-range class.
Result<CategoricalResult> InferCategorical(Method method, const AnswerMatrix& answers,
                                           const GoldLabels* gold = nullptr,
                                           const InferenceOptions& options = {});

}  // namespace tinydata::infer
