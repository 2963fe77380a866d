#include "tinydata/infer/answers.h"

#include <cmath>
#include <string>

namespace tinydata::infer {
namespace {

Status CheckIds(const std::vector<int32_t>& ids, int32_t limit, const char* field) {
  for (size_t a = 0; a < ids.size(); ++a) {
    if (ids[a] < 0 || ids[a] >= limit) {
      return Status::InvalidArgument("answer " + std::to_string(a) + ": " + field + " id " +
                                         std::to_string(ids[a]) + " is outside [0, " +
                                         std::to_string(limit) + ")",
                                     field);
    }
  }
  return Status::Ok();
}

}  // namespace

Status AnswerMatrix::Validate() const {
  if (num_items < 0 || num_workers < 0 || num_classes < 0) {
    return Status::InvalidArgument("negative item, worker or class count");
  }
  if (worker.size() != item.size() || label.size() != item.size()) {
    return Status::InvalidArgument("item, worker and label arrays differ in length");
  }
  TD_RETURN_IF_ERROR(CheckIds(item, num_items, "item"));
  TD_RETURN_IF_ERROR(CheckIds(worker, num_workers, "worker"));
  return CheckIds(label, num_classes, "label");
}

Status NumericMatrix::Validate() const {
  if (num_items < 0 || num_workers < 0) {
    return Status::InvalidArgument("negative item or worker count");
  }
  if (worker.size() != item.size() || value.size() != item.size()) {
    return Status::InvalidArgument("item, worker and value arrays differ in length");
  }
  TD_RETURN_IF_ERROR(CheckIds(item, num_items, "item"));
  TD_RETURN_IF_ERROR(CheckIds(worker, num_workers, "worker"));
  for (size_t a = 0; a < value.size(); ++a) {
    if (!std::isfinite(value[a])) {
      return Status::InvalidArgument("answer " + std::to_string(a) + ": value is not finite",
                                     "value");
    }
  }
  return Status::Ok();
}

}  // namespace tinydata::infer
