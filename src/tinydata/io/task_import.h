// Parsing task files for import (docs/api.md "Task files"): JSONL, CSV and Label Studio task JSON.
//
// Parsing is all or nothing: ParseTaskFile returns every task of a file, or every row error it
// found (each naming the 1-based line - for Label Studio JSON the 1-based array element - the
// field and the reason), never a partial list. Gold values are returned as raw JSON; checking
// them against the project's question is the caller's job (io knows no question specs).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"

namespace tinydata::io {

enum class TaskFormat { kJsonl, kCsv, kLabelStudio };

// "jsonl", "csv", "labelstudio". InvalidArgument naming `format` otherwise.
Result<TaskFormat> ParseTaskFormat(std::string_view name);
const char* TaskFormatName(TaskFormat format);

struct ImportedTask {
  int64_t line = 0;     // where the task was found (see above)
  nlohmann::json data;  // always an object
  nlohmann::json gold;  // null unless the task is a gold item
  // A training item: a gold item whose answer and explanation are shown after answering.
  bool training = false;
  std::string explanation;
};

struct ImportRowError {
  int64_t line = 0;
  std::string field;  // e.g. "data", "gold", "annotations[0].result"; empty for the row
  std::string message;
};

struct ParsedTaskFile {
  std::vector<ImportedTask> tasks;     // empty when errors is not
  std::vector<ImportRowError> errors;  // at most kMaxImportErrors, in line order
};

inline constexpr size_t kMaxImportErrors = 100;

// - jsonl: one JSON object per non-blank line, `{"data": {...}, "gold": <value>?,
//   "training": true?, "explanation": "..."?}`; an object without a "data" member is taken whole
//   as the data.
// - csv: RFC 4180 with a header row; every column except `gold`, `training` and `explanation`
//   becomes a string member of data; an empty gold cell means no gold. A gold cell that parses
//   as JSON (a number, an array) is taken as that JSON, otherwise as the string. A training cell
//   is empty, true/false, yes/no or 1/0.
// - labelstudio: a JSON array (or one object) of `{"data": {...}, "annotations"?: [...],
//   "training"?: true, "explanation"?: "..."}`; the first annotation that is not cancelled and
//   has a result gives the gold: `choices` (an array of strings; one choice becomes a string),
//   `number`, or `text` (first string).
// A training item needs a gold answer (field "training"); an explanation needs a training item
// (field "explanation"), since only training items show it; explanations are at most 2000 bytes.
// A file without tasks is an error (line 0, field "file").
ParsedTaskFile ParseTaskFile(TaskFormat format, std::string_view body);

}  // namespace tinydata::io
