// Writing a project's dataset (docs/api.md "Export rows") as JSONL, CSV or Label Studio JSON.
//
// A writer is fed rows one at a time and appends bytes to a caller's string, so a server can
// stream an export of any size: Begin once, Row per task, End once.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"

namespace tinydata::io {

enum class ExportFormat { kJsonl, kCsv, kLabelStudio };

// "jsonl", "csv", "labelstudio". InvalidArgument naming `format` otherwise.
Result<ExportFormat> ParseExportFormat(std::string_view name);
// "application/x-ndjson", "text/csv; charset=utf-8", "application/json".
const char* ExportContentType(ExportFormat format);
// "jsonl", "csv", "json": for a download's file name.
const char* ExportFileExtension(ExportFormat format);

struct ExportAnswer {
  std::string annotator;  // a pseudonym, never an email
  nlohmann::json value;
  std::string verdict;  // "pending" | "accepted" | "rejected"
};

struct ExportRow {
  int64_t task_id = 0;
  nlohmann::json data;       // object
  nlohmann::json consensus;  // null when there is none yet
  double confidence = 0.0;
  std::string state;  // "open" | "retired"
  std::vector<ExportAnswer> answers;
};

// - jsonl: one `{task_id, data, consensus, confidence, answers: [{annotator, value, verdict}]}`
//   per line.
// - csv: header `task_id,data,consensus,confidence,answers`; data, consensus and answers are JSON
//   text in quoted cells (RFC 4180 quoting).
// - labelstudio: a JSON array of Label Studio tasks `{id, data, annotations: [{completed_by,
//   result: [{from_name: "label", to_name: "item", type, value}]}], predictions: [{score,
//   result}]}`, with the consensus as the prediction; `type` is "choices", "number" or
//   "textarea" after `question_type` ("single_choice", "multi_choice", "numeric", "text").
class TaskExportWriter {
 public:
  TaskExportWriter(ExportFormat format, std::string question_type);

  void Begin(std::string& out);
  void Row(const ExportRow& row, std::string& out);
  void End(std::string& out);

 private:
  ExportFormat format_;
  std::string question_type_;
  int64_t rows_ = 0;
};

}  // namespace tinydata::io
