// Runs every method named in $TINYDATA_DATASETS/FLOORS.csv on its data set and checks the bound:
// accuracy_min for categorical methods (share of gold items whose inferred label equals the gold
// label; gold items nobody answered count as wrong), mae_max / rmse_max for numeric ones. The
// achieved figures are printed, one line per data set and method.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tinydata/infer/categorical.h"
#include "tinydata/infer/numeric.h"
#include "tinydata/io/answers_csv.h"
#include "tinydata/io/csv_reader.h"

namespace tinydata {
namespace {

namespace fs = std::filesystem;

struct Floor {
  std::string dataset, method, metric;
  double bound = 0;
};

fs::path DatasetsDir() {
  if (const char* env = std::getenv("TINYDATA_DATASETS"); env != nullptr && *env != '\0') {
    return env;
  }
  return fs::path(TINYDATA_SOURCE_DIR) / ".." / "shared" / "datasets";
}

Result<std::vector<Floor>> ReadFloors(const fs::path& path) {
  TD_ASSIGN_OR_RETURN(io::CsvReader csv, io::CsvReader::Open(path.string()));
  std::vector<int> col;
  for (const char* name : {"dataset", "method", "metric", "bound"}) {
    TD_ASSIGN_OR_RETURN(int c, csv.RequireColumn(name));
    col.push_back(c);
  }
  std::vector<Floor> floors;
  std::vector<std::string_view> f;
  for (;;) {
    TD_ASSIGN_OR_RETURN(bool more, csv.Next(f));
    if (!more) break;
    Floor floor{std::string(f[col[0]]), std::string(f[col[1]]), std::string(f[col[2]]), 0};
    char* end = nullptr;
    const std::string bound(f[col[3]]);
    floor.bound = std::strtod(bound.c_str(), &end);
    if (bound.empty() || *end != '\0') return csv.Error("bound '" + bound + "' is not a number");
    floors.push_back(floor);
  }
  return floors;
}

class Datasets : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = DatasetsDir();
    if (!fs::exists(dir_ / "FLOORS.csv")) {
      GTEST_SKIP() << "no data sets at " << dir_
                   << " (FLOORS.csv missing); set TINYDATA_DATASETS to the folder of "
                      "../shared/datasets to run these tests";
    }
    Result<std::vector<Floor>> floors = ReadFloors(dir_ / "FLOORS.csv");
    ASSERT_TRUE(floors.ok()) << floors.status().ToString();
    floors_ = std::move(*floors);
  }

  std::string File(const std::string& dataset, const char* name) const {
    return (dir_ / dataset / name).string();
  }

  fs::path dir_;
  std::vector<Floor> floors_;
};

TEST_F(Datasets, EveryDataSetFolderHasFloors) {
  for (const fs::directory_entry& entry : fs::directory_iterator(dir_)) {
    if (!entry.is_directory() || !fs::exists(entry.path() / "answers.csv")) continue;
    const std::string name = entry.path().filename().string();
    bool found = false;
    for (const Floor& f : floors_) found = found || f.dataset == name;
    EXPECT_TRUE(found) << "data set " << name << " has no row in FLOORS.csv";
  }
}

TEST_F(Datasets, CategoricalMethodsReachTheirAccuracyFloors) {
  std::map<std::string, std::vector<const Floor*>> by_dataset;
  for (const Floor& f : floors_) {
    if (f.metric == "accuracy_min") by_dataset[f.dataset].push_back(&f);
  }
  ASSERT_FALSE(by_dataset.empty()) << "FLOORS.csv has no accuracy_min rows";
  for (const auto& [dataset, floors] : by_dataset) {
    Result<io::CategoricalAnswers> answers =
        io::ReadCategoricalAnswers(File(dataset, "answers.csv"));
    ASSERT_TRUE(answers.ok()) << answers.status().ToString();
    int64_t unmatched = 0;
    Result<infer::GoldLabels> gold =
        io::ReadGoldLabels(File(dataset, "gold.csv"), answers->items, answers->classes, &unmatched);
    ASSERT_TRUE(gold.ok()) << gold.status().ToString();
    answers->matrix.num_classes = answers->classes.size();
    int64_t gold_items = unmatched;
    for (int32_t g : *gold) gold_items += g != infer::kNoGold;
    for (const Floor* floor : floors) {
      Result<infer::Method> method = infer::ParseMethod(floor->method);
      ASSERT_TRUE(method.ok()) << method.status().ToString();
      Result<infer::CategoricalResult> result = infer::InferCategorical(*method, answers->matrix);
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      int64_t correct = 0;
      for (size_t i = 0; i < gold->size(); ++i) {
        correct += (*gold)[i] != infer::kNoGold && result->label[i] == (*gold)[i];
      }
      const double accuracy = static_cast<double>(correct) / static_cast<double>(gold_items);
      std::printf("dataset %-8s method %-8s accuracy %.4f  floor %.3f  iterations %d\n",
                  dataset.c_str(), floor->method.c_str(), accuracy, floor->bound,
                  result->iterations);
      EXPECT_GE(accuracy, floor->bound) << dataset << " / " << floor->method;
    }
  }
}

struct Errors {
  double mae = 0, rmse = 0;
};

Errors Score(const infer::NumericResult& result, const std::vector<double>& gold) {
  double abs_sum = 0, sq_sum = 0;
  int64_t n = 0;
  for (size_t i = 0; i < gold.size(); ++i) {
    if (std::isnan(gold[i])) continue;
    const double e = result.estimate[i] - gold[i];
    abs_sum += std::abs(e);
    sq_sum += e * e;
    ++n;
  }
  return {abs_sum / static_cast<double>(n), std::sqrt(sq_sum / static_cast<double>(n))};
}

// FLOORS.csv's numeric bounds are those of the plain mean (see its README), so they are checked
// on the mean; the median and the robust estimate are printed beside it.
TEST_F(Datasets, NumericMeanStaysWithinItsErrorBounds) {
  std::map<std::string, std::vector<const Floor*>> by_dataset;
  for (const Floor& f : floors_) {
    if (f.metric == "mae_max" || f.metric == "rmse_max") by_dataset[f.dataset].push_back(&f);
  }
  if (by_dataset.empty()) GTEST_SKIP() << "FLOORS.csv has no numeric rows";
  for (const auto& [dataset, floors] : by_dataset) {
    Result<io::NumericAnswers> answers = io::ReadNumericAnswers(File(dataset, "answers.csv"));
    ASSERT_TRUE(answers.ok()) << answers.status().ToString();
    Result<std::vector<double>> gold =
        io::ReadNumericGold(File(dataset, "gold.csv"), answers->items);
    ASSERT_TRUE(gold.ok()) << gold.status().ToString();
    Errors mean;
    for (auto [name, method] : {std::pair{"mean", infer::NumericMethod::kMean},
                                std::pair{"median", infer::NumericMethod::kMedian},
                                std::pair{"robust", infer::NumericMethod::kRobust}}) {
      Result<infer::NumericResult> result = infer::AggregateNumeric(method, answers->matrix);
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      const Errors e = Score(*result, *gold);
      int64_t rejected = 0;
      for (uint8_t r : result->rejected) rejected += r;
      std::printf("dataset %-8s numeric %-7s mae %.3f  rmse %.3f  rejected %lld\n", dataset.c_str(),
                  name, e.mae, e.rmse, static_cast<long long>(rejected));
      if (method == infer::NumericMethod::kMean) mean = e;
    }
    for (const Floor* floor : floors) {
      if (floor->metric == "mae_max") {
        EXPECT_LE(mean.mae, floor->bound) << dataset;
      } else {
        EXPECT_LE(mean.rmse, floor->bound) << dataset;
      }
    }
  }
}

}  // namespace
}  // namespace tinydata
