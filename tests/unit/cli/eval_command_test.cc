#include "tinydata/cli/eval_command.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

namespace tinydata::cli {
namespace {

class EvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("eval_command_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string File(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(EvalTest, CountsCorrectLabelsAmongTasksInBothFiles) {
  EvalOptions options{File("labels.csv", "task,label,confidence\na,x,0.9\nb,y,0.8\nc,x,1\n"),
                      File("gold.csv", "task,label\na,x\nb,x\nd,y\n")};
  Result<EvalReport> report = Evaluate(options);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_FALSE(report->numeric);
  EXPECT_EQ(report->gold_items, 3);
  EXPECT_EQ(report->labelled_items, 3);
  EXPECT_EQ(report->matched, 2);
  EXPECT_EQ(report->correct, 1);
  EXPECT_DOUBLE_EQ(report->accuracy(), 0.5);
}

TEST_F(EvalTest, NumericLabelsGetMaeAndRmse) {
  EvalOptions options{
      File("labels.csv", "task,value,spread,kept,rejected\na,1.5,0,3,0\nb,4,0,3,0\n"),
      File("gold.csv", "task,label\na,1.5\nb,2\n")};
  Result<EvalReport> report = Evaluate(options);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->numeric);
  EXPECT_EQ(report->matched, 2);
  EXPECT_DOUBLE_EQ(report->accuracy(), 0.5);
  EXPECT_DOUBLE_EQ(report->mae(), 1.0);
  EXPECT_DOUBLE_EQ(report->rmse(), std::sqrt(2.0));
}

TEST_F(EvalTest, NumericGoldMayNameItsColumnValue) {
  EvalOptions options{File("labels.csv", "task,value\na,3\n"),
                      File("gold.csv", "task,value\na,3\n")};
  Result<EvalReport> report = Evaluate(options);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_DOUBLE_EQ(report->accuracy(), 1.0);
}

TEST_F(EvalTest, FormatsOneKeyValuePerLine) {
  EvalReport report;
  report.gold_items = 4;
  report.labelled_items = 5;
  report.matched = 4;
  report.correct = 3;
  EXPECT_EQ(FormatEvalReport(report),
            "gold_items: 4\nlabelled_items: 5\nmatched: 4\naccuracy: 0.750000\n");
}

TEST_F(EvalTest, NonNumericGoldValueNamesFileAndLine) {
  std::string gold = File("gold.csv", "task,label\na,1\nb,lots\n");
  Result<EvalReport> report = Evaluate({File("labels.csv", "task,value\na,1\nb,2\n"), gold});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(), gold + ":3: 'lots' is not a number");
}

TEST_F(EvalTest, NonNumericLabelValueNamesFileAndLine) {
  std::string labels = File("labels.csv", "task,value\na,1\nb,two\n");
  Result<EvalReport> report = Evaluate({labels, File("gold.csv", "task,label\na,1\nb,2\n")});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(), labels + ":3: 'two' is not a number");
}

TEST_F(EvalTest, MissingLabelColumnIsAnError) {
  std::string labels = File("labels.csv", "task,answer\na,1\n");
  Result<EvalReport> report = Evaluate({labels, File("gold.csv", "task,label\na,1\n")});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(), labels + ":1: missing column 'label' (header: task,answer)");
}

TEST_F(EvalTest, DuplicateTaskInLabelsIsAnError) {
  std::string labels = File("labels.csv", "task,label\na,1\na,2\n");
  Result<EvalReport> report = Evaluate({labels, File("gold.csv", "task,label\na,1\n")});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(), labels + ":3: duplicate task 'a'");
}

TEST_F(EvalTest, DuplicateTaskInGoldIsAnError) {
  std::string gold = File("gold.csv", "task,label\na,1\na,1\n");
  Result<EvalReport> report = Evaluate({File("labels.csv", "task,label\na,1\n"), gold});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(), gold + ":3: duplicate task 'a'");
}

TEST_F(EvalTest, EmptyTaskIdIsAnError) {
  std::string gold = File("gold.csv", "task,label\n,1\n");
  Result<EvalReport> report = Evaluate({File("labels.csv", "task,label\na,1\n"), gold});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(), gold + ":2: empty task id");
}

TEST_F(EvalTest, NoCommonTaskIsAnError) {
  Result<EvalReport> report =
      Evaluate({File("labels.csv", "task,label\na,1\n"), File("gold.csv", "task,label\nb,1\n")});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("no task of"), std::string::npos);
}

}  // namespace
}  // namespace tinydata::cli
