// A small RFC 4180 reader for the CLI's own tabular inputs (label files and gold files given to
// `tinydata eval`). Answer files, which can be huge, go through io/answers_csv.h instead.
//
// The first line is the header. Quoted fields may contain commas, doubled quotes and line breaks;
// CRLF and LF line ends are both accepted; blank lines are skipped. Every row must have exactly
// as many fields as the header.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"

namespace tinydata::cli {

class CsvReader {
 public:
  // Reads the whole file and its header. Errors: the file cannot be read, it is empty, or the
  // header has an empty or duplicate column name.
  static Result<CsvReader> Open(const std::string& path);

  const std::vector<std::string>& header() const { return header_; }
  // Index of the column called `name`, or -1.
  int ColumnIndex(std::string_view name) const;
  // Index of the column called `name`, or an error "<path>:1: missing column '<name>'".
  Result<int> RequireColumn(std::string_view name) const;

  // Reads the next row into `fields` (views valid until the next call). Returns false at the end
  // of the file; an error names path:line for a ragged row or an unterminated quote.
  Result<bool> Next(std::vector<std::string_view>& fields);

  // "<path>:<line>" of the row last returned by Next (1-based line where the row starts).
  std::string Where() const;
  int64_t line() const { return record_line_; }
  const std::string& path() const { return path_; }

 private:
  // Parses one record starting at pos_; fields are unescaped in place inside text_.
  Status ParseRecord(std::vector<std::string_view>& fields);

  std::string path_;
  std::string text_;
  size_t pos_ = 0;
  int64_t line_ = 1;         // line at pos_
  int64_t record_line_ = 1;  // line where the last record started
  std::vector<std::string> header_;
};

}  // namespace tinydata::cli
