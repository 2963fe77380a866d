#include "tinydata/io/csv_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace tinydata::io {

Result<CsvReader> CsvReader::Open(const std::string& path) {
  CsvReader reader;
  reader.path_ = path;
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
  reader.size_ = static_cast<uint64_t>(st.st_size);
  if (reader.size_ > 0) {
    // MAP_POPULATE: one sequential read-ahead instead of a page fault per 4 KiB.
    void* p = mmap(nullptr, reader.size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return Status::Unavailable(path + ": cannot map: " + std::strerror(err));
    }
    madvise(p, reader.size_, MADV_SEQUENTIAL);
    reader.begin_ = static_cast<const char*>(p);
  }
  ::close(fd);
  reader.p_ = reader.begin_;
  reader.end_ = reader.begin_ + reader.size_;
  if (reader.size_ >= 3 && std::memcmp(reader.begin_, "\xEF\xBB\xBF", 3) == 0) reader.p_ += 3;

  std::vector<std::string_view> fields;
  TD_ASSIGN_OR_RETURN(bool has_header, reader.Next(fields));
  if (!has_header) {
    return Status::InvalidArgument(path + ":1: empty file, expected a header naming the columns",
                                   "header");
  }
  for (std::string_view name : fields) {
    // Empty names are allowed (pandas writes one for its index column) but cannot be required.
    if (!name.empty() && reader.ColumnIndex(name) >= 0) {
      return reader.Error("duplicate column '" + std::string(name) + "'", std::string(name));
    }
    reader.header_.emplace_back(name);
  }
  return reader;
}

CsvReader::CsvReader(CsvReader&& other) noexcept { *this = std::move(other); }

CsvReader& CsvReader::operator=(CsvReader&& other) noexcept {
  if (this == &other) return *this;
  if (begin_ != nullptr) munmap(const_cast<char*>(begin_), size_);
  path_ = std::move(other.path_);
  begin_ = std::exchange(other.begin_, nullptr);
  p_ = std::exchange(other.p_, nullptr);
  end_ = std::exchange(other.end_, nullptr);
  size_ = std::exchange(other.size_, 0);
  next_line_ = other.next_line_;
  record_line_ = other.record_line_;
  header_ = std::move(other.header_);
  unquoted_ = std::move(other.unquoted_);
  return *this;
}

CsvReader::~CsvReader() {
  if (begin_ != nullptr) munmap(const_cast<char*>(begin_), size_);
}

int CsvReader::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

Result<int> CsvReader::RequireColumn(std::string_view name) const {
  const int index = ColumnIndex(name);
  if (index >= 0) return index;
  std::string have;
  for (const std::string& h : header_) have += (have.empty() ? "" : ",") + h;
  return Status::InvalidArgument(
      path_ + ":1: missing column '" + std::string(name) + "' (header: " + have + ")",
      std::string(name));
}

Status CsvReader::Error(const std::string& reason, std::string field) const {
  return Status::InvalidArgument(Where() + ": " + reason, std::move(field));
}

std::string CsvReader::Where() const { return path_ + ":" + std::to_string(record_line_); }

Result<bool> CsvReader::Next(std::vector<std::string_view>& fields) {
  // Blank lines carry no record.
  while (p_ < end_ && (*p_ == '\n' || *p_ == '\r')) {
    if (*p_ == '\n') ++next_line_;
    ++p_;
  }
  if (p_ >= end_) return false;
  TD_RETURN_IF_ERROR(ParseRecord(fields));
  if (!header_.empty() && fields.size() != header_.size()) {
    return Error("ragged row: " + std::to_string(fields.size()) + " fields, the header has " +
                 std::to_string(header_.size()));
  }
  return true;
}

Status CsvReader::ParseRecord(std::vector<std::string_view>& fields) {
  fields.clear();
  record_line_ = next_line_;
  for (;;) {
    if (p_ < end_ && *p_ == '"') {
      TD_RETURN_IF_ERROR(QuotedField(fields));
    } else {
      const char* start = p_;
      while (p_ < end_ && *p_ != ',' && *p_ != '\n' && *p_ != '\r') {
        if (*p_ == '"') return Error("quote inside an unquoted field");
        ++p_;
      }
      fields.emplace_back(start, static_cast<size_t>(p_ - start));
    }
    if (p_ < end_ && *p_ == ',') {
      ++p_;
      continue;
    }
    // End of record: consume one line end (CRLF or LF).
    if (p_ < end_ && *p_ == '\r') ++p_;
    if (p_ < end_ && *p_ == '\n') {
      ++p_;
      ++next_line_;
    }
    return Status::Ok();
  }
}

Status CsvReader::QuotedField(std::vector<std::string_view>& fields) {
  ++p_;
  const char* start = p_;
  bool doubled = false;
  for (;;) {
    if (p_ >= end_) return Error("unterminated quoted field");
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
  const std::string_view raw(start, static_cast<size_t>(p_ - start));
  ++p_;  // the closing quote
  if (p_ < end_ && *p_ != ',' && *p_ != '\n' && *p_ != '\r') {
    return Error("unexpected character after a closing quote");
  }
  if (!doubled) {
    fields.push_back(raw);
    return Status::Ok();
  }
  const size_t column = fields.size();
  if (unquoted_.size() <= column) unquoted_.resize(column + 1);
  std::string& out = unquoted_[column];
  out.clear();
  for (size_t j = 0; j < raw.size(); ++j) {
    out.push_back(raw[j]);
    if (raw[j] == '"') ++j;  // skip the second quote of a pair
  }
  fields.emplace_back(out);
  return Status::Ok();
}

}  // namespace tinydata::io
