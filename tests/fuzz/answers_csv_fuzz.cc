// libFuzzer harness: the input of `tinydata aggregate` (io/answers_csv.h). The bytes are one
// file, read as categorical answers, as numeric answers and as gold for the items read; what
// parses is then aggregated as cli/aggregate_command.cc does, with few iterations.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "tinydata/infer/categorical.h"
#include "tinydata/infer/numeric.h"
#include "tinydata/io/answers_csv.h"

namespace tinydata::fuzz {
namespace {

// The readers take a path (they map the file), so every input goes to one scratch file per
// process.
const std::string& ScratchPath() {
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("answers_csv_fuzz." + std::to_string(getpid()) + ".csv"))
                                      .string();
  return path;
}

bool WriteScratch(const uint8_t* data, size_t size) {
  std::FILE* f = std::fopen(ScratchPath().c_str(), "wb");
  if (f == nullptr) return false;
  const bool written = std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && written;
}

// Every name is non-empty and maps back to its own id.
void CheckIdTable(const io::IdTable& table) {
  for (int32_t id = 0; id < table.size(); ++id) {
    FUZZ_CHECK(!table.Name(id).empty());
    FUZZ_CHECK(table.Find(table.Name(id)) == id);
  }
}

void CheckCategorical(io::CategoricalAnswers& answers) {
  infer::AnswerMatrix& m = answers.matrix;
  FUZZ_CHECK(m.Validate().ok());
  FUZZ_CHECK(m.num_items == answers.items.size());
  FUZZ_CHECK(m.num_workers == answers.workers.size());
  FUZZ_CHECK(m.num_classes == answers.classes.size());
  CheckIdTable(answers.items);
  CheckIdTable(answers.workers);
  CheckIdTable(answers.classes);

  Result<infer::GoldLabels> gold =
      io::ReadGoldLabels(ScratchPath(), answers.items, answers.classes);
  if (gold.ok()) {
    FUZZ_CHECK(gold->size() == static_cast<size_t>(m.num_items));
    for (int32_t label : *gold) {
      FUZZ_CHECK(label == infer::kNoGold || (label >= 0 && label < answers.classes.size()));
    }
  }
  m.num_classes = std::max<int32_t>(2, answers.classes.size());
  infer::InferenceOptions options;
  options.max_iterations = 5;
  for (infer::Method method : {infer::Method::kMajorityVote, infer::Method::kDawidSkene}) {
    Result<infer::CategoricalResult> result =
        infer::InferCategorical(method, m, gold.ok() ? &*gold : nullptr, options);
    FUZZ_CHECK(result.ok());
    FUZZ_CHECK(result->label.size() == static_cast<size_t>(m.num_items));
    for (int32_t item = 0; item < m.num_items; ++item) {
      const int32_t label = result->label[item];
      FUZZ_CHECK(label >= 0 && label < m.num_classes);
      double sum = 0;
      for (int32_t c = 0; c < m.num_classes; ++c) sum += result->Posterior(item, c);
      FUZZ_CHECK(std::fabs(sum - 1.0) < 1e-6);
    }
  }
}

void CheckNumeric(const io::NumericAnswers& answers) {
  const infer::NumericMatrix& m = answers.matrix;
  FUZZ_CHECK(m.Validate().ok());
  CheckIdTable(answers.items);
  CheckIdTable(answers.workers);
  Result<std::vector<double>> gold = io::ReadNumericGold(ScratchPath(), answers.items);
  if (gold.ok()) FUZZ_CHECK(gold->size() == static_cast<size_t>(m.num_items));
  infer::NumericOptions options;
  options.max_iterations = 5;
  Result<infer::NumericResult> result =
      infer::AggregateNumeric(infer::NumericMethod::kRobust, m, options);
  FUZZ_CHECK(result.ok());
  FUZZ_CHECK(result->estimate.size() == static_cast<size_t>(m.num_items));
  FUZZ_CHECK(result->rejected.size() == m.size());
}

}  // namespace

void FuzzAnswersCsv(const uint8_t* data, size_t size) {
  if (!WriteScratch(data, size)) return;
  Result<io::CategoricalAnswers> categorical = io::ReadCategoricalAnswers(ScratchPath());
  if (categorical.ok()) CheckCategorical(*categorical);
  Result<io::NumericAnswers> numeric = io::ReadNumericAnswers(ScratchPath());
  if (numeric.ok()) CheckNumeric(*numeric);
  std::remove(ScratchPath().c_str());
}

}  // namespace tinydata::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tinydata::fuzz::FuzzAnswersCsv(data, size);
  return 0;
}
