#include "tinydata/io/task_import.h"

#include <gtest/gtest.h>

namespace tinydata::io {
namespace {

TEST(TaskImportTest, JsonlReadsDataAndGold) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kJsonl,
                                   "{\"data\": {\"text\": \"a\"}}\n"
                                   "\n"
                                   "{\"data\": {\"text\": \"b\"}, \"gold\": \"pos\"}\n");
  ASSERT_TRUE(f.errors.empty());
  ASSERT_EQ(f.tasks.size(), 2u);
  EXPECT_EQ(f.tasks[0].data["text"], "a");
  EXPECT_TRUE(f.tasks[0].gold.is_null());
  EXPECT_EQ(f.tasks[1].line, 3);
  EXPECT_EQ(f.tasks[1].gold, "pos");
}

TEST(TaskImportTest, JsonlBareObjectIsTheData) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kJsonl, "{\"image\": \"x.png\"}\n");
  ASSERT_EQ(f.tasks.size(), 1u);
  EXPECT_EQ(f.tasks[0].data["image"], "x.png");
}

TEST(TaskImportTest, JsonlErrorsNameLineAndFieldAndImportNothing) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kJsonl,
                                   "{\"data\": {\"t\": 1}}\n"
                                   "{\"data\": 5}\n"
                                   "not json\n");
  EXPECT_TRUE(f.tasks.empty());
  ASSERT_EQ(f.errors.size(), 2u);
  EXPECT_EQ(f.errors[0].line, 2);
  EXPECT_EQ(f.errors[0].field, "data");
  EXPECT_EQ(f.errors[1].line, 3);
}

TEST(TaskImportTest, CsvColumnsBecomeDataExceptGold) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kCsv,
                                   "text,source,gold\r\n"
                                   "\"hello, world\",web,pos\r\n"
                                   "\"say \"\"hi\"\"\",mail,\r\n");
  ASSERT_TRUE(f.errors.empty()) << f.errors[0].message;
  ASSERT_EQ(f.tasks.size(), 2u);
  EXPECT_EQ(f.tasks[0].data["text"], "hello, world");
  EXPECT_EQ(f.tasks[0].data["source"], "web");
  EXPECT_FALSE(f.tasks[0].data.contains("gold"));
  EXPECT_EQ(f.tasks[0].gold, "pos");
  EXPECT_EQ(f.tasks[1].data["text"], "say \"hi\"");
  EXPECT_TRUE(f.tasks[1].gold.is_null());
  EXPECT_EQ(f.tasks[1].line, 3);
}

TEST(TaskImportTest, CsvNumericGoldIsANumber) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kCsv, "q,gold\nhow many,42\n");
  ASSERT_EQ(f.tasks.size(), 1u);
  EXPECT_EQ(f.tasks[0].gold, 42);
}

TEST(TaskImportTest, CsvRowWithWrongFieldCountIsAnError) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kCsv, "a,b\n1,2\n3\n");
  EXPECT_TRUE(f.tasks.empty());
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].line, 3);
}

TEST(TaskImportTest, CsvUnterminatedQuoteIsAnError) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kCsv, "a\n\"open\n");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].line, 2);
}

TEST(TaskImportTest, LabelStudioCompletedChoiceBecomesGold) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kLabelStudio, R"([
    {"data": {"text": "a"}},
    {"data": {"text": "b"}, "annotations": [
      {"was_cancelled": true, "result": [{"value": {"choices": ["neg"]}}]},
      {"result": [{"from_name": "s", "to_name": "t", "type": "choices",
                   "value": {"choices": ["pos"]}}]}]}
  ])");
  ASSERT_TRUE(f.errors.empty());
  ASSERT_EQ(f.tasks.size(), 2u);
  EXPECT_TRUE(f.tasks[0].gold.is_null());
  EXPECT_EQ(f.tasks[1].gold, "pos");
  EXPECT_EQ(f.tasks[1].line, 2);
}

TEST(TaskImportTest, LabelStudioTaskWithoutDataIsAnError) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kLabelStudio, R"([{"data": {}}, {"id": 3}])");
  EXPECT_TRUE(f.tasks.empty());
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].line, 2);
  EXPECT_EQ(f.errors[0].field, "data");
}

TEST(TaskImportTest, EmptyFileIsAnError) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kJsonl, "\n\n");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].field, "file");
}

TEST(TaskImportTest, UnknownFormatNamesTheField) {
  auto r = ParseTaskFormat("xml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "format");
}

// A line nested 66,000 levels deep (about 130 KB) must be a row error, not a stack overflow
// when the value is later serialized or destroyed.
TEST(TaskImportTest, DeeplyNestedJsonlLineIsARowError) {
  const std::string deep = "{\"data\": " + std::string(66'000, '[') + std::string(66'000, ']') + "}";
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kJsonl, "{\"data\": {\"t\": 1}}\n" + deep + "\n");
  EXPECT_TRUE(f.tasks.empty());
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].line, 2);
  EXPECT_NE(f.errors[0].message.find("nested deeper"), std::string::npos);
}

TEST(TaskImportTest, DeeplyNestedLabelStudioFileIsAnError) {
  const std::string deep = "[{\"data\": {\"t\": " + std::string(66'000, '{') + "}]";
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kLabelStudio, deep);
  EXPECT_TRUE(f.tasks.empty());
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].field, "file");
  EXPECT_NE(f.errors[0].message.find("nested deeper"), std::string::npos);
}

// The same for a CSV gold cell that parses as JSON: one nested too deep is kept as text (which
// the question then refuses), never as a value that copying it would overflow the stack with.
TEST(TaskImportTest, DeeplyNestedCsvGoldCellStaysText) {
  const std::string deep = std::string(66'000, '[') + std::string(66'000, ']');
  ParsedTaskFile f =
      ParseTaskFile(TaskFormat::kCsv, "text,gold\nfine,\"[1, [2]]\"\nx," + deep + "\n");
  ASSERT_TRUE(f.errors.empty());
  ASSERT_EQ(f.tasks.size(), 2u);
  EXPECT_EQ(f.tasks[0].gold, nlohmann::json::parse("[1, [2]]"));
  ASSERT_TRUE(f.tasks[1].gold.is_string());
  EXPECT_EQ(f.tasks[1].gold.get<std::string>(), deep);
}

TEST(TaskImportTest, InvalidUtf8InACsvCellNamesItsColumn) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kCsv, "text,gold\nfine,pos\nbad \xff here,neg\n");
  EXPECT_TRUE(f.tasks.empty());
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].line, 3);
  EXPECT_EQ(f.errors[0].field, "text");
  EXPECT_NE(f.errors[0].message.find("UTF-8"), std::string::npos);
}

TEST(TaskImportTest, InvalidUtf8InACsvHeaderIsAnError) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kCsv, "te\xc3xt\nfine\n");
  EXPECT_TRUE(f.tasks.empty());
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].field, "column 1");
}

TEST(TaskImportTest, InvalidUtf8InAJsonlLineIsARowError) {
  ParsedTaskFile f = ParseTaskFile(TaskFormat::kJsonl, "{\"data\": {\"t\": \"\xff\"}}\n");
  EXPECT_TRUE(f.tasks.empty());
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].line, 1);
}

}  // namespace
}  // namespace tinydata::io

namespace tinydata::io {
namespace {

TEST(TaskImportTest, TrainingItemsCarryTheirExplanationInEveryFormat) {
  ParsedTaskFile jsonl = ParseTaskFile(
      TaskFormat::kJsonl,
      R"({"data": {"t": "a"}, "gold": "pos", "training": true, "explanation": "It praises."})"
      "\n");
  ASSERT_TRUE(jsonl.errors.empty());
  EXPECT_TRUE(jsonl.tasks[0].training);
  EXPECT_EQ(jsonl.tasks[0].explanation, "It praises.");

  ParsedTaskFile csv = ParseTaskFile(TaskFormat::kCsv,
                                     "t,gold,training,explanation\n"
                                     "a,pos,yes,It praises.\n"
                                     "b,neg,,\n");
  ASSERT_TRUE(csv.errors.empty()) << csv.errors[0].message;
  ASSERT_EQ(csv.tasks.size(), 2u);
  EXPECT_TRUE(csv.tasks[0].training);
  EXPECT_EQ(csv.tasks[0].explanation, "It praises.");
  EXPECT_FALSE(csv.tasks[0].data.contains("training"));
  EXPECT_FALSE(csv.tasks[0].data.contains("explanation"));
  EXPECT_FALSE(csv.tasks[1].training);

  ParsedTaskFile ls = ParseTaskFile(
      TaskFormat::kLabelStudio,
      R"([{"data": {"t": "a"}, "training": true, "explanation": "It praises.",
           "annotations": [{"result": [{"value": {"choices": ["pos"]}}]}]}])");
  ASSERT_TRUE(ls.errors.empty()) << ls.errors[0].message;
  EXPECT_TRUE(ls.tasks[0].training);
  EXPECT_EQ(ls.tasks[0].gold, "pos");
}

TEST(TaskImportTest, TrainingWithoutGoldOrExplanationWithoutTrainingIsARowError) {
  ParsedTaskFile f = ParseTaskFile(
      TaskFormat::kJsonl,
      R"({"data": {"t": "a"}, "training": true})" "\n"
      R"({"data": {"t": "b"}, "gold": "pos", "explanation": "shown to nobody"})" "\n"
      R"({"data": {"t": "c"}, "gold": "pos", "training": "yes"})" "\n");
  EXPECT_TRUE(f.tasks.empty());
  ASSERT_EQ(f.errors.size(), 3u);
  EXPECT_EQ(f.errors[0].field, "training");
  EXPECT_EQ(f.errors[1].field, "explanation");
  EXPECT_EQ(f.errors[2].field, "training");
  EXPECT_EQ(f.errors[2].line, 3);

  ParsedTaskFile csv = ParseTaskFile(TaskFormat::kCsv, "t,gold,training\na,pos,maybe\n");
  ASSERT_EQ(csv.errors.size(), 1u);
  EXPECT_EQ(csv.errors[0].field, "training");
  EXPECT_EQ(csv.errors[0].line, 2);

  ParsedTaskFile long_one = ParseTaskFile(
      TaskFormat::kJsonl, R"({"data": {}, "gold": "pos", "training": true, "explanation": ")" +
                              std::string(2001, 'x') + "\"}\n");
  ASSERT_EQ(long_one.errors.size(), 1u);
  EXPECT_EQ(long_one.errors[0].field, "explanation");
}

}  // namespace
}  // namespace tinydata::io
