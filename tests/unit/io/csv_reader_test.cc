#include "tinydata/io/csv_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace tinydata::io {
namespace {

class CsvReaderTest : public ::testing::Test {
 protected:
  std::string WriteFile(const std::string& text) {
    path_ = (std::filesystem::temp_directory_path() /
             ("csv_reader_test_" + std::to_string(::getpid()) + ".csv"))
                .string();
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    return path_;
  }
  void TearDown() override {
    if (!path_.empty()) std::filesystem::remove(path_);
  }

  // All data rows as strings, or the error message.
  std::vector<std::vector<std::string>> Rows(CsvReader& reader, std::string* error = nullptr) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string_view> fields;
    while (true) {
      Result<bool> more = reader.Next(fields);
      if (!more.ok()) {
        if (error != nullptr) *error = more.status().message();
        break;
      }
      if (!*more) break;
      rows.emplace_back(fields.begin(), fields.end());
    }
    return rows;
  }

  std::string path_;
};

TEST_F(CsvReaderTest, ReadsHeaderAndRows) {
  Result<CsvReader> reader = CsvReader::Open(WriteFile("task,label\na,1\nb,2\n"));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"task", "label"}));
  EXPECT_EQ(reader->ColumnIndex("label"), 1);
  EXPECT_EQ(reader->ColumnIndex("worker"), -1);
  EXPECT_EQ(Rows(*reader), (std::vector<std::vector<std::string>>{{"a", "1"}, {"b", "2"}}));
}

TEST_F(CsvReaderTest, UnquotesFieldsWithCommasQuotesAndLineBreaks) {
  Result<CsvReader> reader =
      CsvReader::Open(WriteFile("task,label\n\"a,b\",\"say \"\"x\"\"\"\n\"two\nlines\",z\n"));
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(Rows(*reader),
            (std::vector<std::vector<std::string>>{{"a,b", "say \"x\""}, {"two\nlines", "z"}}));
}

TEST_F(CsvReaderTest, KeepsEveryDoubledQuoteFieldOfARecord) {
  // Found by tests/fuzz/answers_csv_fuzz: the scratch of a later column used to move the
  // earlier short fields out from under their views.
  Result<CsvReader> reader = CsvReader::Open(
      WriteFile("\"a\"\"b\",\"c\"\"d\",\"e\"\"f\"\n\"1\"\"\",\"2\"\"\",\"3\"\"\"\n"));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"a\"b", "c\"d", "e\"f"}));
  EXPECT_EQ(Rows(*reader), (std::vector<std::vector<std::string>>{{"1\"", "2\"", "3\""}}));
}

TEST_F(CsvReaderTest, AcceptsCrlfAndSkipsBlankLines) {
  Result<CsvReader> reader = CsvReader::Open(WriteFile("task,label\r\na,1\r\n\r\nb,2"));
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(Rows(*reader), (std::vector<std::vector<std::string>>{{"a", "1"}, {"b", "2"}}));
}

TEST_F(CsvReaderTest, KeepsEmptyFields) {
  Result<CsvReader> reader = CsvReader::Open(WriteFile("task,label\n,1\n"));
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(Rows(*reader), (std::vector<std::vector<std::string>>{{"", "1"}}));
}

TEST_F(CsvReaderTest, RaggedRowNamesFileAndLine) {
  std::string path = WriteFile("task,label\na,1\nb\n");
  Result<CsvReader> reader = CsvReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string error;
  Rows(*reader, &error);
  EXPECT_NE(error.find(path + ":3: ragged row"), std::string::npos) << error;
}

TEST_F(CsvReaderTest, LineNumbersCountLineBreaksInsideQuotes) {
  std::string path = WriteFile("task,label\n\"a\nb\",1\nc\n");
  Result<CsvReader> reader = CsvReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string error;
  Rows(*reader, &error);
  EXPECT_NE(error.find(path + ":4:"), std::string::npos) << error;
}

TEST_F(CsvReaderTest, UnterminatedQuoteIsAnError) {
  std::string path = WriteFile("task,label\n\"a,1\n");
  Result<CsvReader> reader = CsvReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string error;
  Rows(*reader, &error);
  EXPECT_NE(error.find(path + ":2: unterminated"), std::string::npos) << error;
}

TEST_F(CsvReaderTest, RequireColumnNamesTheMissingColumn) {
  std::string path = WriteFile("task,value\na,1\n");
  Result<CsvReader> reader = CsvReader::Open(path);
  ASSERT_TRUE(reader.ok());
  Result<int> column = reader->RequireColumn("label");
  ASSERT_FALSE(column.ok());
  EXPECT_EQ(column.status().message(), path + ":1: missing column 'label' (header: task,value)");
  EXPECT_EQ(column.status().field(), "label");
}

TEST_F(CsvReaderTest, EmptyFileIsAnError) {
  Result<CsvReader> reader = CsvReader::Open(WriteFile(""));
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find(":1: empty file"), std::string::npos);
}

TEST_F(CsvReaderTest, DuplicateHeaderColumnIsAnError) {
  Result<CsvReader> reader = CsvReader::Open(WriteFile("task,task\n"));
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("duplicate column 'task'"), std::string::npos);
}

TEST_F(CsvReaderTest, AllowsEmptyHeaderNamesSuchAsAnIndexColumn) {
  Result<CsvReader> reader = CsvReader::Open(WriteFile(",task,label\n0,a,1\n"));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_EQ(reader->ColumnIndex("task"), 1);
  EXPECT_EQ(Rows(*reader), (std::vector<std::vector<std::string>>{{"0", "a", "1"}}));
}

TEST_F(CsvReaderTest, SkipsAUtf8ByteOrderMark) {
  Result<CsvReader> reader = CsvReader::Open(WriteFile("\xEF\xBB\xBFtask,label\na,1\n"));
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->ColumnIndex("task"), 0);
}

TEST_F(CsvReaderTest, TextAfterAClosingQuoteIsAnError) {
  std::string path = WriteFile("task,label\n\"a\"b,1\n");
  Result<CsvReader> reader = CsvReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string error;
  Rows(*reader, &error);
  EXPECT_NE(error.find(path + ":2: unexpected character after a closing quote"), std::string::npos)
      << error;
}

TEST_F(CsvReaderTest, ReportsOffsetAndSizeForProgress) {
  std::string path = WriteFile("task,label\na,1\n");
  Result<CsvReader> reader = CsvReader::Open(path);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->offset(), 11u);
  Rows(*reader);
  EXPECT_EQ(reader->offset(), reader->size());
  EXPECT_EQ(reader->size(), 15u);
}

TEST_F(CsvReaderTest, MissingFileIsNotFoundWithThePath) {
  Result<CsvReader> reader = CsvReader::Open("/nonexistent/gold.csv");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kNotFound);
  EXPECT_NE(reader.status().message().find("/nonexistent/gold.csv"), std::string::npos);
}

}  // namespace
}  // namespace tinydata::io
