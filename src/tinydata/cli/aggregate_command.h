// `tinydata aggregate`: truth inference over an answers file.
//
//   tinydata aggregate [--method mv|wawa|zbs|ds|onecoin|glad|mace|numeric] [--gold gold.csv]
//                      [--out labels.csv] [--workers workers.csv] [--iterations N]
//                      [--threads N] answers.csv
//
// Categorical methods write `task,label,confidence` per item and, with --workers,
// `worker,accuracy,spam_score,answers` per worker. `--method numeric` reads numeric labels and
// writes `task,value,spread,kept,rejected` per item and `worker,reliability,answers,rejected` per
// worker. Output goes to standard output unless --out is given.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "tinydata/cli/csv_writer.h"
#include "tinydata/cli/progress_bar.h"
#include "tinydata/core/status.h"
#include "tinydata/infer/categorical.h"
#include "tinydata/infer/numeric.h"
#include "tinydata/io/answers_csv.h"

namespace tinydata::cli {

struct AggregateOptions {
  std::string answers_path;
  std::string method = "ds";          // a categorical method name, or "numeric"
  std::string estimator = "robust";   // numeric only: mean | median | robust
  std::string gold_path;              // empty: no gold
  std::string out_path = "-";         // "-": standard output
  std::string workers_path;           // empty: no worker report
  int iterations = 100;
  double tolerance = 1e-6;
  int threads = 1;
  uint64_t seed = 0;
  bool progress = false;              // force the progress bar even when stderr is not a terminal
};

// Inputs at least this large show a progress bar on an interactive stderr (~1M answer rows).
inline constexpr uint64_t kProgressMinBytes = uint64_t{16} << 20;

void RegisterAggregateCommand(CLI::App& app);

// Loads, infers and writes as `options` say. Errors name the file and line of bad input.
Status RunAggregate(const AggregateOptions& options, ProgressBar& progress);

// Result writers, one row per item / worker in dense-id order.
void WriteCategoricalLabels(const io::CategoricalAnswers& answers,
                            const infer::CategoricalResult& result, CsvWriter& out);
void WriteCategoricalWorkers(const io::CategoricalAnswers& answers,
                             const infer::CategoricalResult& result, CsvWriter& out);
void WriteNumericLabels(const io::NumericAnswers& answers, const infer::NumericResult& result,
                        CsvWriter& out);
void WriteNumericWorkers(const io::NumericAnswers& answers, const infer::NumericResult& result,
                         CsvWriter& out);

}  // namespace tinydata::cli
