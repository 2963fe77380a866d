// Reading answers and gold labels from CSV files in the crowd-kit layout.
//
// answers.csv has a header naming the columns `task`, `worker`, `label` (any order, extra columns
// ignored); gold.csv has `task`, `label`. Ids are arbitrary non-empty strings. Fields may be quoted
// as in RFC 4180 (io/csv_reader.h). Errors name the file, the 1-based line and the reason.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/infer/answers.h"

namespace tinydata::io {

// Maps strings to dense ids 0..n-1 in order of first appearance, and back.
class IdTable {
 public:
  int32_t Intern(std::string_view name);      // adds if new
  int32_t Find(std::string_view name) const;  // -1 if absent
  const std::string& Name(int32_t id) const { return names_[id]; }
  int32_t size() const { return static_cast<int32_t>(names_.size()); }
  // Renumbers so that ids follow `order` (a permutation of 0..n-1 giving old ids in new order).
  void Reorder(const std::vector<int32_t>& order);

 private:
  std::vector<std::string> names_;
  // Open-addressing index into names_, kept private so the layout can change.
  std::vector<int32_t> slots_;
  std::vector<uint64_t> hashes_;
  void Grow();
};

// Called with (bytes read, total bytes) while a large file loads; may draw a progress bar.
using ProgressFn = std::function<void(uint64_t, uint64_t)>;

struct CategoricalAnswers {
  infer::AnswerMatrix matrix;
  IdTable items, workers, classes;  // classes sorted so ids are stable across runs (see .cc)
};

struct NumericAnswers {
  infer::NumericMatrix matrix;
  IdTable items, workers;
};

Result<CategoricalAnswers> ReadCategoricalAnswers(const std::string& path,
                                                  const ProgressFn& progress = {});
Result<NumericAnswers> ReadNumericAnswers(const std::string& path, const ProgressFn& progress = {});

// Reads gold.csv into one entry per item of `items`; gold rows for unknown items are ignored
// (counted in *unmatched when given), gold labels not in `classes` are added to it.
Result<infer::GoldLabels> ReadGoldLabels(const std::string& path, const IdTable& items,
                                         IdTable& classes, int64_t* unmatched = nullptr);
// Numeric gold: NaN for items without gold.
Result<std::vector<double>> ReadNumericGold(const std::string& path, const IdTable& items);

}  // namespace tinydata::io
