#include "tinydata/cli/eval_command.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tinydata/cli/app.h"
#include "tinydata/io/csv_reader.h"

namespace tinydata::cli {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct LabelColumns {
  int task = -1;
  int label = -1;
};

Result<LabelColumns> FindColumns(const io::CsvReader& csv, bool numeric) {
  LabelColumns columns;
  TD_ASSIGN_OR_RETURN(columns.task, csv.RequireColumn("task"));
  columns.label = csv.ColumnIndex("label");
  if (columns.label < 0 && numeric) columns.label = csv.ColumnIndex("value");
  if (columns.label < 0) {
    TD_ASSIGN_OR_RETURN(columns.label, csv.RequireColumn(numeric ? "value" : "label"));
  }
  return columns;
}

struct LabelEntry {
  std::string label;
  int64_t line = 0;
};
using LabelMap = std::unordered_map<std::string, LabelEntry>;

Result<double> ParseNumber(std::string_view text, const std::string& where) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return Status::InvalidArgument(where + ": '" + std::string(text) + "' is not a number");
  }
  return value;
}

bool NearlyEqual(double a, double b) {
  return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
}

// Reads task -> label text, rejecting empty and duplicate task ids.
Result<LabelMap> ReadLabelMap(io::CsvReader& csv, const LabelColumns& columns) {
  LabelMap labels;
  std::vector<std::string_view> fields;
  while (true) {
    TD_ASSIGN_OR_RETURN(bool more, csv.Next(fields));
    if (!more) break;
    std::string_view task = fields[columns.task];
    if (task.empty()) return Status::InvalidArgument(csv.Where() + ": empty task id", "task");
    auto [it, inserted] = labels.try_emplace(
        std::string(task), LabelEntry{std::string(fields[columns.label]), csv.line()});
    if (!inserted) {
      return Status::InvalidArgument(csv.Where() + ": duplicate task '" + it->first + "'", "task");
    }
  }
  return labels;
}

}  // namespace

double EvalReport::accuracy() const {
  return matched == 0 ? kNaN : static_cast<double>(correct) / static_cast<double>(matched);
}
double EvalReport::mae() const {
  return matched == 0 ? kNaN : abs_error_sum / static_cast<double>(matched);
}
double EvalReport::rmse() const {
  return matched == 0 ? kNaN : std::sqrt(squared_error_sum / static_cast<double>(matched));
}

Result<EvalReport> Evaluate(const EvalOptions& options) {
  TD_ASSIGN_OR_RETURN(io::CsvReader labels_csv, io::CsvReader::Open(options.labels_path));
  EvalReport report;
  report.numeric = labels_csv.ColumnIndex("label") < 0 && labels_csv.ColumnIndex("value") >= 0;
  TD_ASSIGN_OR_RETURN(LabelColumns label_columns, FindColumns(labels_csv, report.numeric));
  TD_ASSIGN_OR_RETURN(LabelMap labels, ReadLabelMap(labels_csv, label_columns));
  report.labelled_items = static_cast<int64_t>(labels.size());

  TD_ASSIGN_OR_RETURN(io::CsvReader gold_csv, io::CsvReader::Open(options.gold_path));
  TD_ASSIGN_OR_RETURN(LabelColumns gold_columns, FindColumns(gold_csv, report.numeric));
  std::vector<std::string_view> fields;
  std::unordered_set<std::string> gold_tasks;
  while (true) {
    TD_ASSIGN_OR_RETURN(bool more, gold_csv.Next(fields));
    if (!more) break;
    std::string task(fields[gold_columns.task]);
    std::string_view expected = fields[gold_columns.label];
    if (task.empty()) return Status::InvalidArgument(gold_csv.Where() + ": empty task id", "task");
    if (!gold_tasks.insert(task).second) {
      return Status::InvalidArgument(gold_csv.Where() + ": duplicate task '" + task + "'", "task");
    }
    ++report.gold_items;
    auto found = labels.find(task);
    if (report.numeric) {
      TD_ASSIGN_OR_RETURN(double gold_value, ParseNumber(expected, gold_csv.Where()));
      // An empty value is an item the aggregator had no answers for: not matched.
      if (found == labels.end() || found->second.label.empty()) continue;
      TD_ASSIGN_OR_RETURN(double value,
                          ParseNumber(found->second.label, options.labels_path + ":" +
                                                               std::to_string(found->second.line)));
      ++report.matched;
      double error = value - gold_value;
      report.abs_error_sum += std::fabs(error);
      report.squared_error_sum += error * error;
      if (NearlyEqual(value, gold_value)) ++report.correct;
    } else {
      if (found == labels.end()) continue;
      ++report.matched;
      if (found->second.label == expected) ++report.correct;
    }
  }
  if (report.matched == 0) {
    return Status::InvalidArgument("no task of " + options.labels_path + " appears in " +
                                   options.gold_path);
  }
  return report;
}

std::string FormatEvalReport(const EvalReport& report) {
  char line[128];
  std::string text;
  auto add = [&](const char* fmt, auto value) {
    std::snprintf(line, sizeof line, fmt, value);
    text += line;
  };
  add("gold_items: %lld\n", static_cast<long long>(report.gold_items));
  add("labelled_items: %lld\n", static_cast<long long>(report.labelled_items));
  add("matched: %lld\n", static_cast<long long>(report.matched));
  add("accuracy: %.6f\n", report.accuracy());
  if (report.numeric) {
    add("mae: %.6g\n", report.mae());
    add("rmse: %.6g\n", report.rmse());
  }
  return text;
}

void RegisterEvalCommand(CLI::App& app) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Compare a labels file (the output of `aggregate`) with known labels.");
  cmd->add_option("labels", options->labels_path, "Labels CSV (task,label,... or task,value,...)")
      ->required();
  cmd->add_option("-g,--gold", options->gold_path, "Known labels CSV (task,label)")->required();
  cmd->callback([options] {
    Result<EvalReport> report = Evaluate(*options);
    ExitOnError("eval", report.status());
    std::string text = FormatEvalReport(*report);
    std::fwrite(text.data(), 1, text.size(), stdout);
  });
}

}  // namespace tinydata::cli
