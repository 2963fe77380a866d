#include "tinydata/cli/aggregate_command.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <tuple>

namespace tinydata::cli {
namespace {

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

// Two items, two workers, classes "no" and "yes"; worker w2 answered both items.
io::CategoricalAnswers TwoItems() {
  io::CategoricalAnswers answers;
  answers.classes.Intern("no");
  answers.classes.Intern("yes");
  for (auto [item, worker, label] : {std::tuple{"item,1", "w1", 1}, std::tuple{"i2", "w2", 0},
                                     std::tuple{"item,1", "w2", 1}}) {
    answers.matrix.Add(answers.items.Intern(item), answers.workers.Intern(worker), label);
  }
  answers.matrix.num_items = answers.items.size();
  answers.matrix.num_workers = answers.workers.size();
  answers.matrix.num_classes = 2;
  return answers;
}

TEST(AggregateWritersTest, LabelsHaveOneRowPerTaskWithClassNameAndConfidence) {
  io::CategoricalAnswers answers = TwoItems();
  infer::CategoricalResult result;
  result.label = {1, 0};
  result.confidence = {0.95, 2.0 / 3.0};
  EXPECT_EQ(Written([&](CsvWriter& out) { WriteCategoricalLabels(answers, result, out); }),
            "task,label,confidence\n\"item,1\",yes,0.95\ni2,no,0.666667\n");
}

TEST(AggregateWritersTest, ItemWithoutLabelGetsEmptyLabelAndZeroConfidence) {
  io::CategoricalAnswers answers = TwoItems();
  infer::CategoricalResult result;
  result.label = {1, infer::kNoGold};
  result.confidence = {1.0, 0.5};
  EXPECT_EQ(Written([&](CsvWriter& out) { WriteCategoricalLabels(answers, result, out); }),
            "task,label,confidence\n\"item,1\",yes,1\ni2,,0\n");
}

TEST(AggregateWritersTest, WorkersHaveAccuracySpamScoreAndAnswerCount) {
  io::CategoricalAnswers answers = TwoItems();
  infer::CategoricalResult result;
  result.worker_accuracy = {0.9, 0.75};
  result.worker_spam_score = {0.1, 0.25};
  EXPECT_EQ(Written([&](CsvWriter& out) { WriteCategoricalWorkers(answers, result, out); }),
            "worker,accuracy,spam_score,answers\nw1,0.9,0.1,1\nw2,0.75,0.25,2\n");
}

io::NumericAnswers ThreeAnswers() {
  io::NumericAnswers answers;
  for (auto [item, worker, value] :
       {std::tuple{"a", "w1", 1.0}, std::tuple{"a", "w2", 50.0}, std::tuple{"b", "w2", 2.5}}) {
    answers.matrix.Add(answers.items.Intern(item), answers.workers.Intern(worker), value);
  }
  answers.matrix.num_items = answers.items.size();
  answers.matrix.num_workers = answers.workers.size();
  return answers;
}

TEST(AggregateWritersTest, NumericLabelsCountKeptAndRejectedAnswers) {
  io::NumericAnswers answers = ThreeAnswers();
  infer::NumericResult result;
  result.estimate = {1.0, 2.5};
  result.spread = {0.0, 0.0};
  result.num_kept = {1, 1};
  result.rejected = {0, 1, 0};
  EXPECT_EQ(Written([&](CsvWriter& out) { WriteNumericLabels(answers, result, out); }),
            "task,value,spread,kept,rejected\na,1,0,1,1\nb,2.5,0,1,0\n");
}

TEST(AggregateWritersTest, NumericWorkersHaveReliabilityAndRejectedCount) {
  io::NumericAnswers answers = ThreeAnswers();
  infer::NumericResult result;
  result.rejected = {0, 1, 0};
  result.worker_reliability = {1.0, 0.5};
  EXPECT_EQ(Written([&](CsvWriter& out) { WriteNumericWorkers(answers, result, out); }),
            "worker,reliability,answers,rejected\nw1,1,1,0\nw2,0.5,2,1\n");
}

}  // namespace
}  // namespace tinydata::cli
