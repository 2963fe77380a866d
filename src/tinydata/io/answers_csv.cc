#include "tinydata/io/answers_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <utility>

#include "tinydata/io/csv_reader.h"

namespace tinydata::io {
namespace {

using Fields = std::vector<std::string_view>;

uint64_t HashBytes(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  h = (h ^ v) * 0x94d049bb133111ebULL;
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  return h ^ (h >> 32);
}

// Opens `path`, finds the `names` columns (any order) and calls
// row(fields, column_of_each_name, csv) for every data row, after checking that those columns are
// non-empty; reports progress about every 4 MiB.
template <typename Row>
Status ForEachRow(const std::string& path, std::initializer_list<const char*> names,
                  const ProgressFn& progress, Row&& row) {
  TD_ASSIGN_OR_RETURN(CsvReader csv, CsvReader::Open(path));
  std::vector<int> column;
  for (const char* name : names) {
    TD_ASSIGN_OR_RETURN(int index, csv.RequireColumn(name));
    column.push_back(index);
  }
  constexpr uint64_t kProgressBytes = uint64_t{4} << 20;
  uint64_t next_report = kProgressBytes;
  std::vector<std::string_view> fields;
  for (;;) {
    TD_ASSIGN_OR_RETURN(bool more, csv.Next(fields));
    if (!more) break;
    size_t j = 0;
    for (const char* name : names) {
      if (fields[column[j++]].empty()) {
        return csv.Error("empty " + std::string(name) + (std::strcmp(name, "label") ? " id" : ""),
                         name);
      }
    }
    TD_RETURN_IF_ERROR(row(fields, column, csv));
    if (progress && csv.offset() >= next_report) {
      progress(csv.offset(), csv.size());
      next_report = csv.offset() + kProgressBytes;
    }
  }
  if (progress) progress(csv.size(), csv.size());
  return Status::Ok();
}

bool ParseNumber(std::string_view text, double& out) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(out);
}

// Sorts classes numerically if every name is a number, else bytewise, and renumbers `labels`.
void SortClasses(IdTable& classes, std::vector<int32_t>& labels) {
  const int32_t n = classes.size();
  std::vector<double> number(n);
  bool numeric = true;
  for (int32_t c = 0; c < n && numeric; ++c) numeric = ParseNumber(classes.Name(c), number[c]);
  std::vector<int32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    if (numeric && number[a] != number[b]) return number[a] < number[b];
    return classes.Name(a) < classes.Name(b);
  });
  std::vector<int32_t> new_id(n);
  for (int32_t j = 0; j < n; ++j) new_id[order[j]] = j;
  for (int32_t& l : labels) l = new_id[l];
  classes.Reorder(order);
}

// After the first 1024 rows, reserves room for the whole file extrapolated from their size, so
// the matrix grows once instead of doubling its way up through millions of rows.
template <typename Matrix>
void ReserveFromSample(Matrix& m, const CsvReader& csv) {
  constexpr size_t kSampleRows = 1024;
  if (m.size() != kSampleRows || csv.offset() == 0) return;
  const double rows =
      static_cast<double>(csv.size()) / static_cast<double>(csv.offset()) * kSampleRows;
  const size_t estimate = static_cast<size_t>(rows * 1.05) + 16;
  m.item.reserve(estimate);
  m.worker.reserve(estimate);
  if constexpr (requires { m.label; }) m.label.reserve(estimate);
  if constexpr (requires { m.value; }) m.value.reserve(estimate);
}

}  // namespace

int32_t IdTable::Intern(std::string_view name) {
  if ((names_.size() + 1) * 2 > slots_.size()) Grow();
  const uint64_t h = HashBytes(name);
  const size_t mask = slots_.size() - 1;
  for (size_t s = h & mask;; s = (s + 1) & mask) {
    const int32_t id = slots_[s];
    if (id < 0) {
      slots_[s] = static_cast<int32_t>(names_.size());
      names_.emplace_back(name);
      hashes_.push_back(h);
      return slots_[s];
    }
    if (hashes_[id] == h && names_[id] == name) return id;
  }
}

int32_t IdTable::Find(std::string_view name) const {
  if (slots_.empty()) return -1;
  const uint64_t h = HashBytes(name);
  const size_t mask = slots_.size() - 1;
  for (size_t s = h & mask;; s = (s + 1) & mask) {
    const int32_t id = slots_[s];
    if (id < 0) return -1;
    if (hashes_[id] == h && names_[id] == name) return id;
  }
}

void IdTable::Reorder(const std::vector<int32_t>& order) {
  std::vector<std::string> names(order.size());
  std::vector<uint64_t> hashes(order.size());
  for (size_t j = 0; j < order.size(); ++j) {
    names[j] = std::move(names_[order[j]]);
    hashes[j] = hashes_[order[j]];
  }
  names_ = std::move(names);
  hashes_ = std::move(hashes);
  std::fill(slots_.begin(), slots_.end(), -1);
  const size_t mask = slots_.size() - 1;
  for (size_t id = 0; id < names_.size(); ++id) {
    size_t s = hashes_[id] & mask;
    while (slots_[s] >= 0) s = (s + 1) & mask;
    slots_[s] = static_cast<int32_t>(id);
  }
}

void IdTable::Grow() {
  const size_t capacity = std::max<size_t>(16, slots_.size() * 2);
  slots_.assign(capacity, -1);
  const size_t mask = capacity - 1;
  for (size_t id = 0; id < names_.size(); ++id) {
    size_t s = hashes_[id] & mask;
    while (slots_[s] >= 0) s = (s + 1) & mask;
    slots_[s] = static_cast<int32_t>(id);
  }
}

Result<CategoricalAnswers> ReadCategoricalAnswers(const std::string& path,
                                                  const ProgressFn& progress) {
  CategoricalAnswers out;
  infer::AnswerMatrix& m = out.matrix;
  TD_RETURN_IF_ERROR(
      ForEachRow(path, {"task", "worker", "label"}, progress,
                 [&](const Fields& f, const std::vector<int>& col, const CsvReader& csv) {
                   m.Add(out.items.Intern(f[col[0]]), out.workers.Intern(f[col[1]]),
                         out.classes.Intern(f[col[2]]));
                   ReserveFromSample(m, csv);
                   return Status::Ok();
                 }));
  SortClasses(out.classes, m.label);
  m.num_items = out.items.size();
  m.num_workers = out.workers.size();
  m.num_classes = out.classes.size();
  return out;
}

Result<NumericAnswers> ReadNumericAnswers(const std::string& path, const ProgressFn& progress) {
  NumericAnswers out;
  infer::NumericMatrix& m = out.matrix;
  TD_RETURN_IF_ERROR(
      ForEachRow(path, {"task", "worker", "label"}, progress,
                 [&](const Fields& f, const std::vector<int>& col, const CsvReader& csv) {
                   double value;
                   if (!ParseNumber(f[col[2]], value)) {
                     return csv.Error(
                         "label '" + std::string(f[col[2]]) + "' is not a finite number", "label");
                   }
                   m.Add(out.items.Intern(f[col[0]]), out.workers.Intern(f[col[1]]), value);
                   ReserveFromSample(m, csv);
                   return Status::Ok();
                 }));
  m.num_items = out.items.size();
  m.num_workers = out.workers.size();
  return out;
}

Result<infer::GoldLabels> ReadGoldLabels(const std::string& path, const IdTable& items,
                                         IdTable& classes, int64_t* unmatched) {
  infer::GoldLabels gold(items.size(), infer::kNoGold);
  int64_t missing = 0;
  TD_RETURN_IF_ERROR(ForEachRow(
      path, {"task", "label"}, {},
      [&](const Fields& f, const std::vector<int>& col, const CsvReader& csv) {
        const int32_t item = items.Find(f[col[0]]);
        if (item < 0) {
          ++missing;
          return Status::Ok();
        }
        const int32_t cls = classes.Intern(f[col[1]]);
        if (gold[item] != infer::kNoGold && gold[item] != cls) {
          return csv.Error("task '" + std::string(f[col[0]]) + "' has two gold labels, '" +
                               classes.Name(gold[item]) + "' and '" + classes.Name(cls) + "'",
                           "label");
        }
        gold[item] = cls;
        return Status::Ok();
      }));
  if (unmatched != nullptr) *unmatched = missing;
  return gold;
}

Result<std::vector<double>> ReadNumericGold(const std::string& path, const IdTable& items) {
  std::vector<double> gold(items.size(), std::numeric_limits<double>::quiet_NaN());
  TD_RETURN_IF_ERROR(
      ForEachRow(path, {"task", "label"}, {},
                 [&](const Fields& f, const std::vector<int>& col, const CsvReader& csv) {
                   double value;
                   if (!ParseNumber(f[col[1]], value)) {
                     return csv.Error(
                         "label '" + std::string(f[col[1]]) + "' is not a finite number", "label");
                   }
                   const int32_t item = items.Find(f[col[0]]);
                   if (item >= 0) gold[item] = value;
                   return Status::Ok();
                 }));
  return gold;
}

}  // namespace tinydata::io
