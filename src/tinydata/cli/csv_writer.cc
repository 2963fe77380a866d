#include "tinydata/cli/csv_writer.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>

namespace tinydata::cli {
namespace {

constexpr size_t kFlushBytes = size_t{1} << 20;

bool NeedsQuotes(std::string_view text) {
  return text.find_first_of(",\"\r\n") != std::string_view::npos;
}

}  // namespace

Result<std::unique_ptr<CsvWriter>> CsvWriter::Open(const std::string& path) {
  if (path == "-") return std::make_unique<CsvWriter>(stdout, "<stdout>");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return Status::InvalidArgument(path + ": cannot open for writing: " + std::strerror(errno));
  }
  auto writer = std::make_unique<CsvWriter>(f, path);
  writer->owns_file_ = true;
  return writer;
}

CsvWriter::CsvWriter(std::FILE* out, std::string name) : out_(out), name_(std::move(name)) {
  buffer_.reserve(kFlushBytes + 4096);
}

CsvWriter::~CsvWriter() {
  if (owns_file_ && out_ != nullptr) std::fclose(out_);
}

void CsvWriter::Separate() {
  if (row_started_) buffer_.push_back(',');
  row_started_ = true;
}

void CsvWriter::Field(std::string_view text) {
  Separate();
  if (!NeedsQuotes(text)) {
    buffer_.append(text);
    return;
  }
  buffer_.push_back('"');
  for (char c : text) {
    if (c == '"') buffer_.push_back('"');
    buffer_.push_back(c);
  }
  buffer_.push_back('"');
}

void CsvWriter::Field(int64_t value) {
  Separate();
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  buffer_.append(digits, end);
}

void CsvWriter::Field(double value, int significant_digits) {
  Separate();
  if (std::isnan(value)) return;
  char digits[64];
  std::to_chars_result r =
      significant_digits == kRoundTrip
          ? std::to_chars(digits, digits + sizeof digits, value)
          : std::to_chars(digits, digits + sizeof digits, value, std::chars_format::general,
                          significant_digits);
  buffer_.append(digits, r.ptr);
}

void CsvWriter::EndRow() {
  buffer_.push_back('\n');
  row_started_ = false;
  if (buffer_.size() >= kFlushBytes) FlushBuffer();
}

void CsvWriter::FlushBuffer() {
  if (!buffer_.empty() && error_.ok() &&
      std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) {
    error_ = Status::Unavailable(name_ + ": write failed: " + std::strerror(errno));
  }
  buffer_.clear();
}

Status CsvWriter::Close() {
  FlushBuffer();
  if (out_ != nullptr) {
    int rc = owns_file_ ? std::fclose(out_) : std::fflush(out_);
    if (rc != 0 && error_.ok()) {
      error_ = Status::Unavailable(name_ + ": write failed: " + std::strerror(errno));
    }
    if (owns_file_) out_ = nullptr;
  }
  return error_;
}

}  // namespace tinydata::cli
