// Fast CSV output for large result files (millions of rows).
//
// Rows are built in one in-memory buffer and written with a single fwrite per ~1 MiB; numbers are
// formatted with std::to_chars, so no iostream or printf runs per field. Fields are quoted as in
// RFC 4180 only when they contain a comma, a quote or a line break.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "tinydata/core/status.h"

namespace tinydata::cli {

class CsvWriter {
 public:
  // Passed as `significant_digits` to write the shortest text that reads back as the same double.
  static constexpr int kRoundTrip = 0;

  // Opens `path` for writing, truncating it; "-" means standard output.
  static Result<std::unique_ptr<CsvWriter>> Open(const std::string& path);

  // Writes to `out`, which the writer does not close; `name` appears in error messages.
  CsvWriter(std::FILE* out, std::string name);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void Field(std::string_view text);
  void Field(int64_t value);
  // General notation with `significant_digits` digits (kRoundTrip: shortest exact form).
  // NaN is written as an empty field, infinities as "inf"/"-inf".
  void Field(double value, int significant_digits);
  void EndRow();

  // Writes what is buffered and, for a file opened by Open, closes it. Reports the first write
  // error (e.g. a full disk) with the file name. Must be called once, after the last row.
  Status Close();

 private:
  void Separate();
  void FlushBuffer();

  std::FILE* out_;
  bool owns_file_ = false;
  std::string name_;
  std::string buffer_;
  bool row_started_ = false;
  Status error_;
};

}  // namespace tinydata::cli
