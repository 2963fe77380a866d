#include "tinydata/io/task_import.h"

#include "tinydata/core/json.h"

#include <string>
#include <utility>

namespace tinydata::io {
namespace {

void AddError(ParsedTaskFile& out, int64_t line, std::string field, std::string message) {
  if (out.errors.size() < kMaxImportErrors) {
    out.errors.push_back({line, std::move(field), std::move(message)});
  }
}

constexpr size_t kMaxExplanationBytes = 2000;

// Reads the "training" and "explanation" members of a JSON task; false after a row error.
bool ReadTraining(ParsedTaskFile& out, const nlohmann::json& row, ImportedTask& task) {
  if (row.contains("training")) {
    if (!row["training"].is_boolean()) {
      AddError(out, task.line, "training", "must be true or false");
      return false;
    }
    task.training = row["training"].get<bool>();
  }
  if (row.contains("explanation")) {
    if (!row["explanation"].is_string()) {
      AddError(out, task.line, "explanation", "must be a string");
      return false;
    }
    task.explanation = row["explanation"].get<std::string>();
  }
  return true;
}

// The rules every format shares for training items; false after a row error.
bool CheckTraining(ParsedTaskFile& out, const ImportedTask& task) {
  if (task.training && task.gold.is_null()) {
    AddError(out, task.line, "training", "a training item needs a gold answer");
    return false;
  }
  if (!task.explanation.empty() && !task.training) {
    AddError(out, task.line, "explanation", "only training items show an explanation");
    return false;
  }
  if (task.explanation.size() > kMaxExplanationBytes) {
    AddError(out, task.line, "explanation", "must be at most 2000 bytes");
    return false;
  }
  return true;
}

void ParseJsonl(std::string_view body, ParsedTaskFile& out) {
  int64_t line_no = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    Result<nlohmann::json> parsed = ParseJson(line, "");
    if (!parsed.ok()) {
      AddError(out, line_no, "", parsed.status().message());
      continue;
    }
    nlohmann::json& row = *parsed;
    if (!row.is_object()) {
      AddError(out, line_no, "", "a task must be a JSON object");
      continue;
    }
    ImportedTask task;
    task.line = line_no;
    if (row.contains("data")) {
      if (!row["data"].is_object()) {
        AddError(out, line_no, "data", "must be an object");
        continue;
      }
      task.data = std::move(row["data"]);
      if (row.contains("gold")) task.gold = std::move(row["gold"]);
      if (!ReadTraining(out, row, task)) continue;
    } else {
      task.data = std::move(row);
    }
    if (!CheckTraining(out, task)) continue;
    out.tasks.push_back(std::move(task));
  }
}

// Splits RFC 4180 CSV into records of fields. Tracks the line each record starts on.
struct CsvRecord {
  int64_t line = 0;
  std::vector<std::string> fields;
};

Status SplitCsv(std::string_view body, std::vector<CsvRecord>& records, int64_t& error_line) {
  int64_t line = 1;
  size_t i = 0;
  if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 BOM
  while (i < body.size()) {
    CsvRecord rec;
    rec.line = line;
    std::string field;
    bool record_done = false;
    while (!record_done) {
      field.clear();
      if (i < body.size() && body[i] == '"') {
        ++i;
        for (;;) {
          if (i >= body.size()) {
            error_line = rec.line;
            return Status::InvalidArgument("unterminated quoted field");
          }
          const char ch = body[i++];
          if (ch == '"') {
            if (i < body.size() && body[i] == '"') {
              field.push_back('"');
              ++i;
            } else {
              break;
            }
          } else {
            if (ch == '\n') ++line;
            field.push_back(ch);
          }
        }
        if (i < body.size() && body[i] != ',' && body[i] != '\n' && body[i] != '\r') {
          error_line = line;
          return Status::InvalidArgument("unexpected character after a quoted field");
        }
      } else {
        while (i < body.size() && body[i] != ',' && body[i] != '\n' && body[i] != '\r') {
          field.push_back(body[i++]);
        }
      }
      rec.fields.push_back(field);
      if (i >= body.size()) {
        record_done = true;
      } else if (body[i] == ',') {
        ++i;
      } else {
        if (body[i] == '\r') ++i;
        if (i < body.size() && body[i] == '\n') ++i;
        ++line;
        record_done = true;
      }
    }
    const bool blank = rec.fields.size() == 1 && rec.fields[0].empty();
    if (!blank) records.push_back(std::move(rec));
  }
  return Status::Ok();
}

// The name of the first column whose cell is not UTF-8 (a row's cells become JSON strings,
// which must be text), or "" when every cell is.
std::string InvalidUtf8Column(const CsvRecord& rec, const std::vector<std::string>& header) {
  for (size_t c = 0; c < rec.fields.size(); ++c) {
    if (!IsValidUtf8(rec.fields[c])) {
      return c < header.size() ? header[c] : "column " + std::to_string(c + 1);
    }
  }
  return "";
}

void ParseCsv(std::string_view body, ParsedTaskFile& out) {
  std::vector<CsvRecord> records;
  int64_t error_line = 0;
  if (Status s = SplitCsv(body, records, error_line); !s.ok()) {
    AddError(out, error_line, "", s.message());
    return;
  }
  if (records.empty()) return;
  const std::vector<std::string>& header = records[0].fields;
  int gold_column = -1;
  int training_column = -1;
  int explanation_column = -1;
  for (size_t c = 0; c < header.size(); ++c) {
    if (!IsValidUtf8(header[c])) {
      AddError(out, records[0].line, "column " + std::to_string(c + 1),
               "column name is not valid UTF-8 text");
      continue;
    }
    if (header[c].empty()) {
      AddError(out, records[0].line, "column " + std::to_string(c + 1), "empty column name");
    }
    for (size_t d = 0; d < c; ++d) {
      if (header[d] == header[c] && !header[c].empty()) {
        AddError(out, records[0].line, header[c], "duplicate column name");
      }
    }
    if (header[c] == "gold") gold_column = static_cast<int>(c);
    if (header[c] == "training") training_column = static_cast<int>(c);
    if (header[c] == "explanation") explanation_column = static_cast<int>(c);
  }
  if (!out.errors.empty()) return;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    if (const std::string bad = InvalidUtf8Column(rec, header); !bad.empty()) {
      AddError(out, rec.line, bad, "is not valid UTF-8 text");
      continue;
    }
    if (rec.fields.size() != header.size()) {
      AddError(out, rec.line, "",
               "has " + std::to_string(rec.fields.size()) + " fields, the header has " +
                   std::to_string(header.size()));
      continue;
    }
    ImportedTask task;
    task.line = rec.line;
    task.data = nlohmann::json::object();
    bool bad_cell = false;
    for (size_t c = 0; c < header.size(); ++c) {
      if (static_cast<int>(c) == training_column) {
        const std::string& cell = rec.fields[c];
        if (cell == "true" || cell == "yes" || cell == "1") {
          task.training = true;
        } else if (!(cell.empty() || cell == "false" || cell == "no" || cell == "0")) {
          AddError(out, rec.line, "training", "must be empty, true/false, yes/no or 1/0");
          bad_cell = true;
        }
        continue;
      }
      if (static_cast<int>(c) == explanation_column) {
        task.explanation = rec.fields[c];
        continue;
      }
      if (static_cast<int>(c) == gold_column) {
        const std::string& cell = rec.fields[c];
        if (cell.empty()) continue;
        // Bounded like every JSON from outside: a cell nested too deep stays text.
        Result<nlohmann::json> parsed = ParseJson(cell, "gold");
        task.gold = (!parsed.ok() || parsed->is_object() || parsed->is_null())
                        ? nlohmann::json(cell)
                        : std::move(parsed).value();
      } else {
        task.data[header[c]] = rec.fields[c];
      }
    }
    if (bad_cell || !CheckTraining(out, task)) continue;
    out.tasks.push_back(std::move(task));
  }
}

// The gold value of a Label Studio annotation result, if it has one.
nlohmann::json GoldFromResult(const nlohmann::json& result) {
  if (!result.is_array()) return nullptr;
  for (const auto& item : result) {
    if (!item.is_object() || !item.contains("value") || !item["value"].is_object()) continue;
    const auto& value = item["value"];
    if (value.contains("choices") && value["choices"].is_array()) {
      const auto& choices = value["choices"];
      if (choices.size() == 1) return choices[0];
      return choices;
    }
    if (value.contains("number") && value["number"].is_number()) return value["number"];
    if (value.contains("text")) {
      const auto& text = value["text"];
      if (text.is_array() && !text.empty()) return text[0];
      if (text.is_string()) return text;
    }
  }
  return nullptr;
}

void ParseLabelStudio(std::string_view body, ParsedTaskFile& out) {
  Result<nlohmann::json> parsed = ParseJson(body, "file");
  if (!parsed.ok()) {
    AddError(out, 0, "file", parsed.status().message());
    return;
  }
  nlohmann::json doc = std::move(parsed).value();
  if (doc.is_object()) doc = nlohmann::json::array({std::move(doc)});
  if (!doc.is_array()) {
    AddError(out, 0, "file", "must be a JSON array of tasks");
    return;
  }
  for (size_t i = 0; i < doc.size(); ++i) {
    const int64_t row = static_cast<int64_t>(i) + 1;
    nlohmann::json& t = doc[i];
    if (!t.is_object()) {
      AddError(out, row, "", "a task must be a JSON object");
      continue;
    }
    if (!t.contains("data") || !t["data"].is_object()) {
      AddError(out, row, "data", "must be an object");
      continue;
    }
    ImportedTask task;
    task.line = row;
    task.data = std::move(t["data"]);
    if (t.contains("annotations")) {
      const auto& annotations = t["annotations"];
      if (!annotations.is_array()) {
        AddError(out, row, "annotations", "must be an array");
        continue;
      }
      for (const auto& a : annotations) {
        if (!a.is_object()) continue;
        if (a.contains("was_cancelled") && a["was_cancelled"].is_boolean() &&
            a["was_cancelled"].get<bool>()) {
          continue;
        }
        if (!a.contains("result")) continue;
        task.gold = GoldFromResult(a["result"]);
        if (!task.gold.is_null()) break;
      }
    }
    if (!ReadTraining(out, t, task) || !CheckTraining(out, task)) continue;
    out.tasks.push_back(std::move(task));
  }
}

}  // namespace

Result<TaskFormat> ParseTaskFormat(std::string_view name) {
  if (name == "jsonl") return TaskFormat::kJsonl;
  if (name == "csv") return TaskFormat::kCsv;
  if (name == "labelstudio") return TaskFormat::kLabelStudio;
  return Status::InvalidArgument(
      "unknown task format \"" + std::string(name) + "\" (use jsonl, csv or labelstudio)",
      "format");
}

const char* TaskFormatName(TaskFormat format) {
  switch (format) {
    case TaskFormat::kJsonl:
      return "jsonl";
    case TaskFormat::kCsv:
      return "csv";
    case TaskFormat::kLabelStudio:
      return "labelstudio";
  }
  return "jsonl";
}

ParsedTaskFile ParseTaskFile(TaskFormat format, std::string_view body) {
  ParsedTaskFile out;
  switch (format) {
    case TaskFormat::kJsonl:
      ParseJsonl(body, out);
      break;
    case TaskFormat::kCsv:
      ParseCsv(body, out);
      break;
    case TaskFormat::kLabelStudio:
      ParseLabelStudio(body, out);
      break;
  }
  if (out.errors.empty() && out.tasks.empty()) {
    AddError(out, 0, "file", "the file holds no tasks");
  }
  if (!out.errors.empty()) out.tasks.clear();
  return out;
}

}  // namespace tinydata::io
