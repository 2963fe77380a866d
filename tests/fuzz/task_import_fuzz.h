// The body of the three task-import harnesses (task_jsonl, task_csv, task_labelstudio): one
// uploaded file through io::ParseTaskFile, then what the server does with the result
// (service/projects.cc, ParseImport): serialize each task's data and copy and serialize its gold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "tinydata/core/json.h"
#include "tinydata/io/task_import.h"

namespace tinydata::fuzz {

// Checks the promises of io/task_import.h on `file`: all or nothing, errors in line order with
// a line >= 0 and a reason, tasks with an object as data, and every value within the nesting
// limit of core/json.h and serializable as it is.
inline void CheckParsedTaskFile(io::TaskFormat format, const io::ParsedTaskFile& file) {
  FUZZ_CHECK(file.tasks.empty() != file.errors.empty());
  FUZZ_CHECK(file.errors.size() <= io::kMaxImportErrors);
  int64_t previous_line = 0;
  for (const io::ImportRowError& error : file.errors) {
    FUZZ_CHECK(error.line >= 0);
    FUZZ_CHECK(error.line >= previous_line);
    FUZZ_CHECK(!error.message.empty());
    previous_line = error.line;
  }
  previous_line = 0;
  for (const io::ImportedTask& task : file.tasks) {
    FUZZ_CHECK(task.line > previous_line);
    previous_line = task.line;
    FUZZ_CHECK(task.data.is_object());
    const std::string data = task.data.dump();
    FUZZ_CHECK(JsonNestingDepth(data) <= kMaxJsonDepth);
    if (format == io::TaskFormat::kCsv) {
      for (const auto& [column, cell] : task.data.items()) FUZZ_CHECK(cell.is_string());
    }
    if (task.gold.is_null()) continue;
    const nlohmann::json gold = task.gold;
    const std::string gold_text = gold.dump();
    FUZZ_CHECK(JsonNestingDepth(gold_text) <= kMaxJsonDepth);
    FUZZ_CHECK(gold == task.gold);
  }
}

inline void FuzzTaskFile(io::TaskFormat format, const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  CheckParsedTaskFile(format, io::ParseTaskFile(format, body));
}

}  // namespace tinydata::fuzz
