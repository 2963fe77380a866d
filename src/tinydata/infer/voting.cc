// Majority vote, Wawa and ZeroBasedSkill: plurality votes, optionally weighted per worker.
#include <algorithm>
#include <cmath>

#include "tinydata/infer/methods.h"

namespace tinydata::infer::internal {

void RunMajorityVote(const Problem& p, CategoricalResult& r) {
  WeightedVote(p, nullptr, r.posterior);
  AgreementWithArgmax(p, r.posterior, r.worker_accuracy);
  MeanPosterior(p, r.posterior, p.options.smoothing, r.class_prior);
  r.iterations = 0;
}

void RunWawa(const Problem& p, CategoricalResult& r) {
  WeightedVote(p, nullptr, r.posterior);
  std::vector<double> skill(p.num_workers);
  AgreementWithArgmax(p, r.posterior, skill);
  WeightedVote(p, skill.data(), r.posterior);
  r.worker_accuracy = skill;
  MeanPosterior(p, r.posterior, p.options.smoothing, r.class_prior);
  r.iterations = 1;
}

void RunZeroBasedSkill(const Problem& p, CategoricalResult& r) {
  // crowd-kit's schedule: learning rate 1, halved every 20 steps; skills start just above
  // chance so that the first weighted vote is a plain majority vote.
  constexpr int kStepsPerDecay = 20;
  constexpr double kDecay = 0.5;
  constexpr double kSkillEpsilon = 1e-5;
  std::vector<double> skill(p.num_workers, 1.0 / p.num_classes + kSkillEpsilon);
  std::vector<double> accuracy(p.num_workers);
  double rate = 1.0;
  r.converged = false;
  for (int it = 0; it < p.options.max_iterations; ++it) {
    if ((it + 1) % kStepsPerDecay == 0) rate *= kDecay;
    WeightedVote(p, skill.data(), r.posterior);
    AgreementWithArgmax(p, r.posterior, accuracy);
    double change = 0;
    for (int32_t w = 0; w < p.num_workers; ++w) {
      const double step = rate * (accuracy[w] - skill[w]);
      skill[w] += step;
      change = std::max(change, std::abs(step));
    }
    r.iterations = it + 1;
    if (change <= p.options.tolerance) {
      r.converged = true;
      break;
    }
  }
  WeightedVote(p, skill.data(), r.posterior);
  r.worker_accuracy = skill;
  MeanPosterior(p, r.posterior, p.options.smoothing, r.class_prior);
}

}  // namespace tinydata::infer::internal
