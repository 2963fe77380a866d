#include "tinydata/cli/csv_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>

namespace tinydata::cli {
namespace {

// Runs `write` on a writer backed by a temporary file and returns what was written.
template <typename Write>
std::string Written(Write write) {
  std::FILE* f = std::tmpfile();
  {
    CsvWriter out(f, "tmp");
    write(out);
    EXPECT_TRUE(out.Close().ok());
  }
  std::rewind(f);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

TEST(CsvWriterTest, SeparatesFieldsWithCommasAndEndsRowsWithNewline) {
  EXPECT_EQ(Written([](CsvWriter& out) {
              out.Field("a");
              out.Field(int64_t{42});
              out.EndRow();
              out.Field("b");
              out.EndRow();
            }),
            "a,42\nb\n");
}

TEST(CsvWriterTest, QuotesFieldsWithCommasQuotesAndLineBreaks) {
  EXPECT_EQ(Written([](CsvWriter& out) {
              out.Field("x,y");
              out.Field("say \"hi\"");
              out.Field("two\nlines");
              out.EndRow();
            }),
            "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n");
}

TEST(CsvWriterTest, WritesDoublesWithTheRequestedSignificantDigits) {
  EXPECT_EQ(Written([](CsvWriter& out) {
              out.Field(0.123456789, 6);
              out.Field(1.0, 6);
              out.Field(0.1 + 0.2, CsvWriter::kRoundTrip);
              out.EndRow();
            }),
            "0.123457,1,0.30000000000000004\n");
}

TEST(CsvWriterTest, WritesNanAsAnEmptyField) {
  EXPECT_EQ(Written([](CsvWriter& out) {
              out.Field("t");
              out.Field(std::numeric_limits<double>::quiet_NaN(), 6);
              out.EndRow();
            }),
            "t,\n");
}

TEST(CsvWriterTest, KeepsEveryRowOfALargeOutput) {
  std::string text = Written([](CsvWriter& out) {
    for (int64_t i = 0; i < 300000; ++i) {
      out.Field(i);
      out.EndRow();
    }
  });
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 300000);
  EXPECT_EQ(text.substr(text.size() - 7), "299999\n");
}

TEST(CsvWriterTest, OpenFailsWithThePathForAnUnwritableLocation) {
  Result<std::unique_ptr<CsvWriter>> out = CsvWriter::Open("/nonexistent-dir/labels.csv");
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("/nonexistent-dir/labels.csv"), std::string::npos);
}

TEST(CsvWriterTest, CloseReportsAWriteError) {
  std::FILE* full = std::fopen("/dev/full", "wb");
  ASSERT_NE(full, nullptr);
  Status status;
  {
    CsvWriter out(full, "/dev/full");
    out.Field("x");
    out.EndRow();
    status = out.Close();
  }
  std::fclose(full);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/dev/full"), std::string::npos);
}

}  // namespace
}  // namespace tinydata::cli
