#include "tinydata/io/answers_csv.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace tinydata::io {
namespace {

class AnswersCsvTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const std::string& p : written_) std::remove(p.c_str());
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("answers_csv_test_" + std::to_string(::getpid()) + "_" + name))
                                 .string();
    std::ofstream(path, std::ios::binary) << text;
    written_.push_back(path);
    return path;
  }
  std::vector<std::string> written_;
};

TEST_F(AnswersCsvTest, ReadsColumnsInAnyOrderAndIgnoresExtraColumns) {
  const std::string path = Write("a.csv", "label,extra,worker,task\nyes,x,w1,t1\nno,y,w2,t1\n");
  Result<CategoricalAnswers> r = ReadCategoricalAnswers(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->matrix.size(), 2u);
  EXPECT_EQ(r->matrix.num_items, 1);
  EXPECT_EQ(r->matrix.num_workers, 2);
  EXPECT_EQ(r->matrix.num_classes, 2);
  EXPECT_EQ(r->workers.Name(r->matrix.worker[1]), "w2");
  EXPECT_EQ(r->classes.Name(r->matrix.label[0]), "yes");
}

TEST_F(AnswersCsvTest, SortsNumericClassesByValue) {
  const std::string path = Write("n.csv", "task,worker,label\nt,a,10\nt,b,9\nt,c,-1\n");
  Result<CategoricalAnswers> r = ReadCategoricalAnswers(path);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->classes.Name(0), "-1");
  EXPECT_EQ(r->classes.Name(1), "9");
  EXPECT_EQ(r->classes.Name(2), "10");
  EXPECT_EQ(r->matrix.label[0], 2);
}

TEST_F(AnswersCsvTest, UnquotesRfc4180FieldsAndAcceptsCrlfAndABom) {
  const std::string path =
      Write("q.csv", "\xEF\xBB\xBFtask,worker,label\r\n\"a,b\",\"say \"\"hi\"\"\",x\r\n\r\n");
  Result<CategoricalAnswers> r = ReadCategoricalAnswers(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->items.Name(0), "a,b");
  EXPECT_EQ(r->workers.Name(0), "say \"hi\"");
}

TEST_F(AnswersCsvTest, MissingColumnNamesFileLineAndColumn) {
  const std::string path = Write("m.csv", "task,label\nt,1\n");
  Result<CategoricalAnswers> r = ReadCategoricalAnswers(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(path + ":1: missing column 'worker' (header: task,label)"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(r.status().field(), "worker");
}

TEST_F(AnswersCsvTest, EmptyIdNamesFileAndLine) {
  const std::string path = Write("e.csv", "task,worker,label\nt,a,1\n,b,1\n");
  Result<CategoricalAnswers> r = ReadCategoricalAnswers(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(path + ":3: empty task id"), std::string::npos)
      << r.status().message();
}

TEST_F(AnswersCsvTest, EmptyLabelIsAnError) {
  const std::string path = Write("l.csv", "task,worker,label\nt,a,\n");
  Result<CategoricalAnswers> r = ReadCategoricalAnswers(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(":2: empty label"), std::string::npos);
  EXPECT_EQ(r.status().field(), "label");
}

TEST_F(AnswersCsvTest, RaggedRowNamesFileLineAndFieldCounts) {
  const std::string path = Write("r.csv", "task,worker,label\nt,a,1\nt,b\n");
  Result<CategoricalAnswers> r = ReadCategoricalAnswers(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(path + ":3: ragged row: 2 fields, the header has 3"),
            std::string::npos)
      << r.status().message();
}

TEST_F(AnswersCsvTest, LineNumbersCountLineBreaksInsideQuotes) {
  const std::string path = Write("b.csv", "task,worker,label\n\"t\nu\",a,1\nt,b\n");
  Result<CategoricalAnswers> r = ReadCategoricalAnswers(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(":4: ragged row"), std::string::npos) << r.status().message();
}

TEST_F(AnswersCsvTest, UnterminatedQuoteIsAnError) {
  const std::string path = Write("u.csv", "task,worker,label\n\"t,a,1\n");
  Result<CategoricalAnswers> r = ReadCategoricalAnswers(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(":2: unterminated quoted field"), std::string::npos);
}

TEST_F(AnswersCsvTest, EmptyFileIsAnError) {
  Result<CategoricalAnswers> r = ReadCategoricalAnswers(Write("z.csv", ""));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(":1: empty file"), std::string::npos);
}

TEST_F(AnswersCsvTest, MissingFileIsNotFoundWithThePath) {
  Result<CategoricalAnswers> r = ReadCategoricalAnswers("/nonexistent/answers.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/answers.csv"), std::string::npos);
}

TEST_F(AnswersCsvTest, ReadsNumericValues) {
  const std::string path = Write("v.csv", "task,worker,label\nt,a,1.5\nt,b, +2 \nu,a,-3e2\n");
  Result<NumericAnswers> r = ReadNumericAnswers(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->matrix.value, (std::vector<double>{1.5, 2, -300}));
  EXPECT_EQ(r->matrix.num_items, 2);
}

TEST_F(AnswersCsvTest, NonNumericValueNamesFileLineAndValue) {
  const std::string path = Write("x.csv", "task,worker,label\nt,a,1\nt,b,high\n");
  Result<NumericAnswers> r = ReadNumericAnswers(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(path + ":3: label 'high' is not a finite number"),
            std::string::npos)
      << r.status().message();
}

TEST_F(AnswersCsvTest, InfiniteValueIsRejected) {
  Result<NumericAnswers> r = ReadNumericAnswers(Write("i.csv", "task,worker,label\nt,a,inf\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(":2:"), std::string::npos);
}

TEST_F(AnswersCsvTest, ReportsProgressUpToTheFileSize) {
  const std::string path = Write("p.csv", "task,worker,label\nt,a,1\n");
  uint64_t last_done = 0, last_total = 0;
  Result<CategoricalAnswers> r = ReadCategoricalAnswers(path, [&](uint64_t done, uint64_t total) {
    last_done = done;
    last_total = total;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(last_total, std::filesystem::file_size(path));
  EXPECT_EQ(last_done, last_total);
}

TEST_F(AnswersCsvTest, GoldMapsTasksAndCountsUnknownOnes) {
  Result<CategoricalAnswers> a =
      ReadCategoricalAnswers(Write("a.csv", "task,worker,label\nt1,a,yes\nt2,a,no\n"));
  ASSERT_TRUE(a.ok());
  int64_t unmatched = -1;
  Result<infer::GoldLabels> gold = ReadGoldLabels(
      Write("g.csv", "task,label\nt2,yes\nt9,no\nt1,maybe\n"), a->items, a->classes, &unmatched);
  ASSERT_TRUE(gold.ok()) << gold.status().ToString();
  EXPECT_EQ(unmatched, 1);
  EXPECT_EQ(a->classes.Name((*gold)[1]), "yes");
  EXPECT_EQ(a->classes.Name((*gold)[0]), "maybe");  // a class nobody answered is added
  EXPECT_EQ(a->classes.size(), 3);
}

TEST_F(AnswersCsvTest, GoldWithTwoLabelsForOneTaskIsAnError) {
  Result<CategoricalAnswers> a =
      ReadCategoricalAnswers(Write("a.csv", "task,worker,label\nt1,a,yes\n"));
  ASSERT_TRUE(a.ok());
  const std::string path = Write("g.csv", "task,label\nt1,yes\nt1,no\n");
  Result<infer::GoldLabels> gold = ReadGoldLabels(path, a->items, a->classes);
  ASSERT_FALSE(gold.ok());
  EXPECT_NE(gold.status().message().find(path + ":3: task 't1' has two gold labels"),
            std::string::npos);
}

TEST_F(AnswersCsvTest, NumericGoldIsNaNForItemsWithoutGold) {
  Result<NumericAnswers> a =
      ReadNumericAnswers(Write("a.csv", "task,worker,label\nt1,a,1\nt2,a,2\n"));
  ASSERT_TRUE(a.ok());
  Result<std::vector<double>> gold =
      ReadNumericGold(Write("g.csv", "task,label\nt2,4.5\n"), a->items);
  ASSERT_TRUE(gold.ok());
  EXPECT_TRUE(std::isnan((*gold)[0]));
  EXPECT_DOUBLE_EQ((*gold)[1], 4.5);
}

TEST(IdTable, InternsInOrderOfFirstAppearance) {
  IdTable t;
  EXPECT_EQ(t.Intern("b"), 0);
  EXPECT_EQ(t.Intern("a"), 1);
  EXPECT_EQ(t.Intern("b"), 0);
  EXPECT_EQ(t.Find("a"), 1);
  EXPECT_EQ(t.Find("c"), -1);
  EXPECT_EQ(t.size(), 2);
}

TEST(IdTable, StaysCorrectThroughGrowth) {
  IdTable t;
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(t.Intern("id" + std::to_string(i)), i);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(t.Find("id" + std::to_string(i)), i);
}

TEST(IdTable, ReorderRenumbersAndKeepsLookupsWorking) {
  IdTable t;
  t.Intern("x");
  t.Intern("y");
  t.Intern("z");
  t.Reorder({2, 0, 1});
  EXPECT_EQ(t.Name(0), "z");
  EXPECT_EQ(t.Find("x"), 1);
  EXPECT_EQ(t.Find("y"), 2);
}

}  // namespace
}  // namespace tinydata::io
