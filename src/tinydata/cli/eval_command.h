// `tinydata eval --gold gold.csv labels.csv`: how well a labels file matches known labels.
//
// labels.csv is the output of `tinydata aggregate`: categorical (`task,label,...`) or numeric
// (`task,value,...`, used when there is no `label` column). gold.csv has `task,label` (numeric
// gold may name its column `value`). Prints, one `key: value` per line: gold_items,
// labelled_items, matched (tasks in both files), accuracy (fraction of matched tasks whose label
// equals gold; numeric values count as equal within 1e-9 relative) and, for numeric labels, mae
// and rmse.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "tinydata/core/status.h"

namespace tinydata::cli {

struct EvalOptions {
  std::string labels_path;
  std::string gold_path;
};

struct EvalReport {
  bool numeric = false;
  int64_t gold_items = 0;
  int64_t labelled_items = 0;
  int64_t matched = 0;
  int64_t correct = 0;
  double abs_error_sum = 0;      // numeric only
  double squared_error_sum = 0;  // numeric only

  double accuracy() const;
  double mae() const;
  double rmse() const;
};

void RegisterEvalCommand(CLI::App& app);

// Compares the two files. Errors: unreadable file, missing column, empty or duplicate task id,
// ragged row, non-numeric value where numbers are expected (each with file:line), or no task in
// common.
Result<EvalReport> Evaluate(const EvalOptions& options);

// The printed form of a report.
std::string FormatEvalReport(const EvalReport& report);

}  // namespace tinydata::cli
