// The one RFC 4180 reader of tinydata: answer files of millions of rows, gold files, label files.
//
// The file is memory-mapped and scanned once front to back. The first record is the header.
// Quoted fields may contain commas, doubled quotes and line breaks; CRLF and LF line ends are
// both accepted; blank lines are skipped; a UTF-8 byte order mark before the header is ignored.
// Every row must have exactly as many fields as the header. Errors name "<path>:<line>" (the
// 1-based line where the record starts) and the reason.
//
// Fields are views: unquoted fields and quoted fields without doubled quotes point into the
// mapping, the few with doubled quotes into per-column scratch. They stay valid until the next
// call of Next. Not thread-safe; one reader per thread.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"

namespace tinydata::io {

class CsvReader {
 public:
  // Maps `path` and reads its header. Errors: NotFound (no such file), Unavailable (cannot be
  // read or mapped), InvalidArgument (empty file, a duplicate column name, a malformed header).
  static Result<CsvReader> Open(const std::string& path);

  CsvReader(CsvReader&& other) noexcept;
  CsvReader& operator=(CsvReader&& other) noexcept;
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;
  ~CsvReader();

  const std::vector<std::string>& header() const { return header_; }
  // Index of the column called `name`, or -1.
  int ColumnIndex(std::string_view name) const;
  // Index of the column called `name`, or InvalidArgument "<path>:1: missing column '<name>'
  // (header: ...)" with field() = name.
  Result<int> RequireColumn(std::string_view name) const;

  // Reads the next row into `fields`. Returns false at the end of the file; an error names
  // path:line for a ragged row, an unterminated quote or a character after a closing quote.
  Result<bool> Next(std::vector<std::string_view>& fields);

  // InvalidArgument "<path>:<line>: <reason>" for the row last returned by Next.
  Status Error(const std::string& reason, std::string field = {}) const;
  // "<path>:<line>" of the row last returned by Next.
  std::string Where() const;
  int64_t line() const { return record_line_; }
  const std::string& path() const { return path_; }
  // Bytes consumed so far and the file size, for progress reports.
  uint64_t offset() const { return static_cast<uint64_t>(p_ - begin_); }
  uint64_t size() const { return size_; }

 private:
  CsvReader() = default;
  Status ParseRecord(std::vector<std::string_view>& fields);
  Status QuotedField(std::vector<std::string_view>& fields);

  std::string path_;
  const char* begin_ = nullptr;  // the mapping (null for an empty file)
  const char* p_ = nullptr;
  const char* end_ = nullptr;
  uint64_t size_ = 0;
  int64_t next_line_ = 1;    // line at p_
  int64_t record_line_ = 1;  // line where the last record started
  std::vector<std::string> header_;
  // Per column, for fields with doubled quotes. A deque, so that growing it for a later column
  // of a record leaves the earlier fields' views (into short, inline strings) valid.
  std::deque<std::string> unquoted_;
};

}  // namespace tinydata::io
