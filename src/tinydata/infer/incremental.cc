#include "tinydata/infer/incremental.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "tinydata/infer/methods.h"

namespace tinydata::infer {
namespace {

// Probabilities are kept away from 0 so one surprising answer cannot veto a class for good.
constexpr double kMinProbability = 1e-9;

void FillOneCoin(int32_t num_classes, double accuracy, double* log_confusion) {
  const double right = std::clamp(accuracy, kMinProbability, 1 - kMinProbability);
  const double wrong = std::max((1 - right) / (num_classes - 1), kMinProbability);
  for (int32_t k = 0; k < num_classes; ++k) {
    for (int32_t l = 0; l < num_classes; ++l) {
      log_confusion[k * num_classes + l] = std::log(k == l ? right : wrong);
    }
  }
}

}  // namespace

SkillModel SkillModel::Uniform(int32_t num_classes, double accuracy) {
  SkillModel model;
  model.num_classes_ = num_classes;
  model.num_workers_ = 0;
  model.log_prior_.assign(num_classes, -std::log(static_cast<double>(num_classes)));
  model.default_log_confusion_.resize(static_cast<size_t>(num_classes) * num_classes);
  FillOneCoin(num_classes, accuracy, model.default_log_confusion_.data());
  return model;
}

SkillModel SkillModel::FromResult(const CategoricalResult& result, double default_accuracy) {
  const int32_t K = result.num_classes;
  const size_t KK = static_cast<size_t>(K) * K;
  SkillModel model = Uniform(K, default_accuracy);
  model.num_workers_ = result.num_workers;
  if (result.class_prior.size() == static_cast<size_t>(K)) {
    for (int32_t k = 0; k < K; ++k) {
      model.log_prior_[k] = std::log(std::max(result.class_prior[k], kMinProbability));
    }
  }
  model.log_confusion_.resize(static_cast<size_t>(result.num_workers) * KK);
  const bool has_confusion = result.worker_confusion.size() == result.num_workers * KK;
  for (int32_t w = 0; w < result.num_workers; ++w) {
    double* out = &model.log_confusion_[w * KK];
    if (has_confusion) {
      for (size_t x = 0; x < KK; ++x) {
        out[x] = std::log(std::max(result.worker_confusion[w * KK + x], kMinProbability));
      }
    } else {
      FillOneCoin(K, result.worker_accuracy[w], out);
    }
  }
  return model;
}

Status SkillModel::ItemPosterior(std::span<const WorkerLabel> answers,
                                 std::span<double> out) const {
  const int32_t K = num_classes_;
  if (out.size() != static_cast<size_t>(K)) {
    return Status::InvalidArgument("posterior buffer has " + std::to_string(out.size()) +
                                       " entries for " + std::to_string(K) + " classes",
                                   "out");
  }
  std::copy(log_prior_.begin(), log_prior_.end(), out.begin());
  const size_t KK = static_cast<size_t>(K) * K;
  for (const WorkerLabel& answer : answers) {
    if (answer.label < 0 || answer.label >= K) {
      return Status::InvalidArgument(
          "label " + std::to_string(answer.label) + " is outside [0, " + std::to_string(K) + ")",
          "label");
    }
    if (answer.worker < 0) {
      return Status::InvalidArgument("negative worker id " + std::to_string(answer.worker),
                                     "worker");
    }
    const double* confusion = answer.worker < num_workers_ ? &log_confusion_[answer.worker * KK]
                                                           : default_log_confusion_.data();
    for (int32_t k = 0; k < K; ++k) out[k] += confusion[k * K + answer.label];
  }
  internal::NormalizeLog(out.data(), K);
  return Status::Ok();
}

}  // namespace tinydata::infer
