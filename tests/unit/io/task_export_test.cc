#include "tinydata/io/task_export.h"

#include <gtest/gtest.h>

namespace tinydata::io {
namespace {

ExportRow SampleRow() {
  ExportRow row;
  row.task_id = 7;
  row.data = {{"text", "a, \"b\""}};
  row.consensus = "pos";
  row.confidence = 0.75;
  row.answers = {{"a-0123456789ab", "pos", "accepted"}, {"a-ba9876543210", "neg", "rejected"}};
  return row;
}

std::string WriteAll(ExportFormat format, const std::vector<ExportRow>& rows) {
  TaskExportWriter w(format, "single_choice");
  std::string out;
  w.Begin(out);
  for (const auto& r : rows) w.Row(r, out);
  w.End(out);
  return out;
}

TEST(TaskExportTest, JsonlWritesOneObjectPerTask) {
  const std::string out = WriteAll(ExportFormat::kJsonl, {SampleRow(), SampleRow()});
  const size_t nl = out.find('\n');
  ASSERT_NE(nl, std::string::npos);
  auto j = nlohmann::json::parse(out.substr(0, nl));
  EXPECT_EQ(j["task_id"], 7);
  EXPECT_EQ(j["consensus"], "pos");
  EXPECT_DOUBLE_EQ(j["confidence"].get<double>(), 0.75);
  ASSERT_EQ(j["answers"].size(), 2u);
  EXPECT_EQ(j["answers"][1]["annotator"], "a-ba9876543210");
  EXPECT_EQ(j["answers"][1]["verdict"], "rejected");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
}

TEST(TaskExportTest, CsvQuotesJsonCells) {
  const std::string out = WriteAll(ExportFormat::kCsv, {SampleRow()});
  EXPECT_EQ(out.substr(0, out.find("\r\n")), "task_id,data,consensus,confidence,answers");
  EXPECT_NE(out.find("7,\"{\"\"text\"\":\"\"a, \\\"\"b\\\"\"\"\"}\",\"\"\"pos\"\"\",0.75,"),
            std::string::npos)
      << out;
}

TEST(TaskExportTest, LabelStudioIsAJsonArrayWithConsensusAsPrediction) {
  ExportRow open = SampleRow();
  open.task_id = 8;
  open.consensus = nullptr;
  open.answers.clear();
  auto j = nlohmann::json::parse(WriteAll(ExportFormat::kLabelStudio, {SampleRow(), open}));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["id"], 7);
  EXPECT_EQ(j[0]["predictions"][0]["result"][0]["value"]["choices"][0], "pos");
  EXPECT_EQ(j[0]["annotations"][1]["completed_by"], "a-ba9876543210");
  EXPECT_TRUE(j[1]["predictions"].empty());
}

TEST(TaskExportTest, EmptyLabelStudioExportIsAnEmptyArray) {
  auto j = nlohmann::json::parse(WriteAll(ExportFormat::kLabelStudio, {}));
  EXPECT_TRUE(j.is_array());
  EXPECT_TRUE(j.empty());
}

}  // namespace
}  // namespace tinydata::io
