#include "tinydata/cli/csv_reader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace tinydata::cli {
namespace {

Status ReadWholeFile(const std::string& path, std::string& text) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return Status::NotFound(path + ": cannot open: " + std::strerror(errno));
  char chunk[1 << 16];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, f.get())) > 0) text.append(chunk, n);
  if (std::ferror(f.get())) return Status::Unavailable(path + ": read failed: " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

Result<CsvReader> CsvReader::Open(const std::string& path) {
  CsvReader reader;
  reader.path_ = path;
  TD_RETURN_IF_ERROR(ReadWholeFile(path, reader.text_));
  std::vector<std::string_view> fields;
  TD_ASSIGN_OR_RETURN(bool has_header, reader.Next(fields));
  if (!has_header) return Status::InvalidArgument(path + ":1: empty file, expected a header");
  for (std::string_view name : fields) {
    if (name.empty()) {
      return Status::InvalidArgument(reader.Where() + ": empty column name in header");
    }
    for (const std::string& seen : reader.header_) {
      if (seen == name) {
        return Status::InvalidArgument(reader.Where() + ": duplicate column '" + seen + "'");
      }
    }
    reader.header_.emplace_back(name);
  }
  return reader;
}

int CsvReader::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

Result<int> CsvReader::RequireColumn(std::string_view name) const {
  int index = ColumnIndex(name);
  if (index < 0) {
    return Status::InvalidArgument(path_ + ":1: missing column '" + std::string(name) + "'",
                                   std::string(name));
  }
  return index;
}

std::string CsvReader::Where() const { return path_ + ":" + std::to_string(record_line_); }

Result<bool> CsvReader::Next(std::vector<std::string_view>& fields) {
  // Blank lines carry no record.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= text_.size()) return false;
  TD_RETURN_IF_ERROR(ParseRecord(fields));
  if (!header_.empty() && fields.size() != header_.size()) {
    return Status::InvalidArgument(Where() + ": ragged row: " + std::to_string(fields.size()) +
                                   " fields, the header has " + std::to_string(header_.size()));
  }
  return true;
}

Status CsvReader::ParseRecord(std::vector<std::string_view>& fields) {
  fields.clear();
  record_line_ = line_;
  const size_t n = text_.size();
  while (true) {
    if (pos_ < n && text_[pos_] == '"') {
      // Quoted field: unescape in place; the output never overtakes the input.
      size_t out = pos_;
      const size_t start = out;
      ++pos_;
      while (true) {
        if (pos_ >= n) {
          return Status::InvalidArgument(Where() + ": unterminated quoted field");
        }
        char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < n && text_[pos_ + 1] == '"') {
            text_[out++] = '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          break;
        }
        if (c == '\n') ++line_;
        text_[out++] = c;
        ++pos_;
      }
      fields.emplace_back(text_.data() + start, out - start);
      if (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
        return Status::InvalidArgument(Where() + ": unexpected character after a quoted field");
      }
    } else {
      const size_t start = pos_;
      while (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
      fields.emplace_back(text_.data() + start, pos_ - start);
    }
    if (pos_ < n && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    // End of record: consume one line end (CRLF or LF).
    if (pos_ < n && text_[pos_] == '\r') ++pos_;
    if (pos_ < n && text_[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
    return Status::Ok();
  }
}

}  // namespace tinydata::cli
