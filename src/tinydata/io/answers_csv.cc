#include "tinydata/io/answers_csv.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <utility>

namespace tinydata::io {
namespace {

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

// The whole file mapped read-only; the loader scans it once front to back.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) munmap(const_cast<char*>(data_), size_);
  }

  Status Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      std::string msg = path + ": cannot open: " + std::strerror(err);
      return err == ENOENT ? Status::NotFound(msg) : Status::Unavailable(msg);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return Status::Unavailable(path + ": cannot stat: " + std::strerror(err));
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p == MAP_FAILED) {
        const int err = errno;
        ::close(fd);
        return Status::Unavailable(path + ": cannot map: " + std::strerror(err));
      }
      madvise(p, size_, MADV_SEQUENTIAL);
      data_ = static_cast<const char*>(p);
    }
    ::close(fd);
    return Status::Ok();
  }

  const char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

// Splits an RFC 4180 buffer into records. Unquoted fields and quoted fields without doubled
// quotes are views into the buffer; only fields with "" are copied (into per-column scratch).
class CsvCursor {
 public:
  CsvCursor(const char* data, size_t size, const std::string& path)
      : begin_(data), p_(data), end_(data + size), path_(path) {
    if (size >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) p_ += 3;  // UTF-8 BOM
  }

  // Reads the next non-blank record into fields(); false at end of input or on error (check
  // status()). line() is the 1-based line where the record starts.
  bool Next() {
    fields_.clear();
    while (p_ < end_ && (*p_ == '\n' || *p_ == '\r')) {
      if (*p_ == '\n') ++next_line_;
      ++p_;
    }
    if (p_ >= end_) return false;
    line_ = next_line_;
    for (;;) {
      if (p_ < end_ && *p_ == '"') {
        if (!QuotedField()) return false;
      } else {
        const char* start = p_;
        while (p_ < end_ && *p_ != ',' && *p_ != '\n' && *p_ != '\r') {
          if (*p_ == '"') {
            status_ = Error("quote inside an unquoted field");
            return false;
          }
          ++p_;
        }
        fields_.emplace_back(start, static_cast<size_t>(p_ - start));
      }
      if (p_ >= end_) return true;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == '\r') ++p_;
      if (p_ < end_ && *p_ == '\n') {
        ++p_;
        ++next_line_;
      }
      return true;
    }
  }

  const std::vector<std::string_view>& fields() const { return fields_; }
  int64_t line() const { return line_; }
  uint64_t offset() const { return static_cast<uint64_t>(p_ - begin_); }
  const Status& status() const { return status_; }
  Status Error(const std::string& reason, std::string field = {}) const {
    return Status::InvalidArgument(path_ + ":" + std::to_string(line_) + ": " + reason,
                                   std::move(field));
  }

 private:
  bool QuotedField() {
    ++p_;
    const char* start = p_;
    bool doubled = false;
    for (;;) {
      if (p_ >= end_) {
        status_ = Error("unterminated quoted field");
        return false;
      }
      if (*p_ == '"') {
        if (p_ + 1 < end_ && p_[1] == '"') {
          doubled = true;
          p_ += 2;
          continue;
        }
        break;
      }
      if (*p_ == '\n') ++next_line_;
      ++p_;
    }
    std::string_view raw(start, static_cast<size_t>(p_ - start));
    ++p_;  // closing quote
    if (p_ < end_ && *p_ != ',' && *p_ != '\n' && *p_ != '\r') {
      status_ = Error("unexpected character after a closing quote");
      return false;
    }
    if (!doubled) {
      fields_.push_back(raw);
      return true;
    }
    const size_t column = fields_.size();
    if (unquoted_.size() <= column) unquoted_.resize(column + 1);
    std::string& out = unquoted_[column];
    out.clear();
    for (size_t j = 0; j < raw.size(); ++j) {
      out.push_back(raw[j]);
      if (raw[j] == '"') ++j;  // skip the second quote of a pair
    }
    fields_.emplace_back(out);
    return true;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  const std::string& path_;
  int64_t line_ = 0;
  int64_t next_line_ = 1;
  std::vector<std::string_view> fields_;
  std::vector<std::string> unquoted_;
  Status status_;
};

// Reads the header and finds `names` in it (any order); index[j] is the column of names[j].
Status ReadHeader(CsvCursor& csv, const std::string& path, std::initializer_list<const char*> names,
                  std::vector<size_t>& index, size_t& width) {
  if (!csv.Next()) {
    if (!csv.status().ok()) return csv.status();
    return Status::InvalidArgument(path + ":1: empty file, expected a header naming the columns",
                                   "header");
  }
  const std::vector<std::string_view>& header = csv.fields();
  width = header.size();
  index.clear();
  for (const char* name : names) {
    auto it = std::find(header.begin(), header.end(), std::string_view(name));
    if (it == header.end()) {
      std::string have;
      for (std::string_view h : header) have += (have.empty() ? "" : ",") + std::string(h);
      return csv.Error("missing column '" + std::string(name) + "' (header: " + have + ")", name);
    }
    index.push_back(static_cast<size_t>(it - header.begin()));
  }
  return Status::Ok();
}

// Calls row(fields) for every data record after checking its width and that the `required`
// columns are non-empty; reports progress about every 4 MiB.
template <typename Row>
Status ForEachRow(CsvCursor& csv, size_t width, const std::vector<size_t>& index,
                  std::initializer_list<const char*> names, uint64_t total,
                  const ProgressFn& progress, Row&& row) {
  constexpr uint64_t kProgressBytes = uint64_t{4} << 20;
  uint64_t next_report = kProgressBytes;
  while (csv.Next()) {
    const std::vector<std::string_view>& fields = csv.fields();
    if (fields.size() != width) {
      return csv.Error("expected " + std::to_string(width) + " fields, found " +
                       std::to_string(fields.size()));
    }
    size_t j = 0;
    for (const char* name : names) {
      if (fields[index[j++]].empty()) {
        return csv.Error("empty " + std::string(name) + (std::strcmp(name, "label") ? " id" : ""),
                         name);
      }
    }
    TD_RETURN_IF_ERROR(row(fields));
    if (progress && csv.offset() >= next_report) {
      progress(csv.offset(), total);
      next_report = csv.offset() + kProgressBytes;
    }
  }
  TD_RETURN_IF_ERROR(csv.status());
  if (progress) progress(total, total);
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

template <typename Matrix>
void ReserveFromSample(Matrix& m, uint64_t consumed, uint64_t total) {
  constexpr size_t kSampleRows = 1024;
  if (m.size() != kSampleRows || consumed == 0) return;
  const double rows = static_cast<double>(total) / static_cast<double>(consumed) * kSampleRows;
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
  MappedFile file;
  TD_RETURN_IF_ERROR(file.Open(path));
  CsvCursor csv(file.data(), file.size(), path);
  std::vector<size_t> col;
  size_t width = 0;
  TD_RETURN_IF_ERROR(ReadHeader(csv, path, {"task", "worker", "label"}, col, width));
  const uint64_t header_end = csv.offset();
  CategoricalAnswers out;
  infer::AnswerMatrix& m = out.matrix;
  TD_RETURN_IF_ERROR(ForEachRow(
      csv, width, col, {"task", "worker", "label"}, file.size(), progress,
      [&](const std::vector<std::string_view>& f) {
        m.Add(out.items.Intern(f[col[0]]), out.workers.Intern(f[col[1]]),
              out.classes.Intern(f[col[2]]));
        ReserveFromSample(m, csv.offset() - header_end, file.size() - header_end);
        return Status::Ok();
      }));
  SortClasses(out.classes, m.label);
  m.num_items = out.items.size();
  m.num_workers = out.workers.size();
  m.num_classes = out.classes.size();
  return out;
}

Result<NumericAnswers> ReadNumericAnswers(const std::string& path, const ProgressFn& progress) {
  MappedFile file;
  TD_RETURN_IF_ERROR(file.Open(path));
  CsvCursor csv(file.data(), file.size(), path);
  std::vector<size_t> col;
  size_t width = 0;
  TD_RETURN_IF_ERROR(ReadHeader(csv, path, {"task", "worker", "label"}, col, width));
  const uint64_t header_end = csv.offset();
  NumericAnswers out;
  infer::NumericMatrix& m = out.matrix;
  TD_RETURN_IF_ERROR(ForEachRow(
      csv, width, col, {"task", "worker", "label"}, file.size(), progress,
      [&](const std::vector<std::string_view>& f) {
        double value;
        if (!ParseNumber(f[col[2]], value)) {
          return csv.Error("label '" + std::string(f[col[2]]) + "' is not a finite number",
                           "label");
        }
        m.Add(out.items.Intern(f[col[0]]), out.workers.Intern(f[col[1]]), value);
        ReserveFromSample(m, csv.offset() - header_end, file.size() - header_end);
        return Status::Ok();
      }));
  m.num_items = out.items.size();
  m.num_workers = out.workers.size();
  return out;
}

Result<infer::GoldLabels> ReadGoldLabels(const std::string& path, const IdTable& items,
                                         IdTable& classes, int64_t* unmatched) {
  MappedFile file;
  TD_RETURN_IF_ERROR(file.Open(path));
  CsvCursor csv(file.data(), file.size(), path);
  std::vector<size_t> col;
  size_t width = 0;
  TD_RETURN_IF_ERROR(ReadHeader(csv, path, {"task", "label"}, col, width));
  infer::GoldLabels gold(items.size(), infer::kNoGold);
  int64_t missing = 0;
  TD_RETURN_IF_ERROR(ForEachRow(
      csv, width, col, {"task", "label"}, file.size(), {},
      [&](const std::vector<std::string_view>& f) {
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
  MappedFile file;
  TD_RETURN_IF_ERROR(file.Open(path));
  CsvCursor csv(file.data(), file.size(), path);
  std::vector<size_t> col;
  size_t width = 0;
  TD_RETURN_IF_ERROR(ReadHeader(csv, path, {"task", "label"}, col, width));
  std::vector<double> gold(items.size(), std::numeric_limits<double>::quiet_NaN());
  TD_RETURN_IF_ERROR(ForEachRow(
      csv, width, col, {"task", "label"}, file.size(), {},
      [&](const std::vector<std::string_view>& f) {
        double value;
        if (!ParseNumber(f[col[1]], value)) {
          return csv.Error("label '" + std::string(f[col[1]]) + "' is not a finite number",
                           "label");
        }
        const int32_t item = items.Find(f[col[0]]);
        if (item >= 0) gold[item] = value;
        return Status::Ok();
      }));
  return gold;
}

}  // namespace tinydata::io
