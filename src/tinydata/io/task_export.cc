#include "tinydata/io/task_export.h"

#include <utility>

namespace tinydata::io {
namespace {

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AppendCsvCell(std::string_view cell, std::string& out) {
  out.push_back('"');
  for (char ch : cell) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
}

nlohmann::json AnswersJson(const ExportRow& row) {
  nlohmann::json answers = nlohmann::json::array();
  for (const ExportAnswer& a : row.answers) {
    answers.push_back({{"annotator", a.annotator}, {"value", a.value}, {"verdict", a.verdict}});
  }
  return answers;
}

// The Label Studio result value of an answer for the question type.
nlohmann::json LabelStudioResult(const std::string& question_type, const nlohmann::json& value) {
  std::string type = "choices";
  nlohmann::json v;
  if (question_type == "numeric") {
    type = "number";
    v = {{"number", value}};
  } else if (question_type == "text") {
    type = "textarea";
    v = {{"text", nlohmann::json::array({value})}};
  } else {
    v = {{"choices", value.is_array() ? value : nlohmann::json::array({value})}};
  }
  return nlohmann::json::array(
      {{{"from_name", "label"}, {"to_name", "item"}, {"type", type}, {"value", std::move(v)}}});
}

}  // namespace

Result<ExportFormat> ParseExportFormat(std::string_view name) {
  if (name == "jsonl") return ExportFormat::kJsonl;
  if (name == "csv") return ExportFormat::kCsv;
  if (name == "labelstudio") return ExportFormat::kLabelStudio;
  return Status::InvalidArgument(
      "unknown export format \"" + std::string(name) + "\" (use jsonl, csv or labelstudio)",
      "format");
}

const char* ExportContentType(ExportFormat format) {
  switch (format) {
    case ExportFormat::kJsonl:
      return "application/x-ndjson";
    case ExportFormat::kCsv:
      return "text/csv; charset=utf-8";
    case ExportFormat::kLabelStudio:
      return "application/json";
  }
  return "application/octet-stream";
}

const char* ExportFileExtension(ExportFormat format) {
  switch (format) {
    case ExportFormat::kJsonl:
      return "jsonl";
    case ExportFormat::kCsv:
      return "csv";
    case ExportFormat::kLabelStudio:
      return "json";
  }
  return "bin";
}

TaskExportWriter::TaskExportWriter(ExportFormat format, std::string question_type)
    : format_(format), question_type_(std::move(question_type)) {}

void TaskExportWriter::Begin(std::string& out) {
  if (format_ == ExportFormat::kCsv) out += "task_id,data,consensus,confidence,answers\r\n";
  if (format_ == ExportFormat::kLabelStudio) out += "[";
}

void TaskExportWriter::Row(const ExportRow& row, std::string& out) {
  switch (format_) {
    case ExportFormat::kJsonl: {
      nlohmann::json j = {{"task_id", row.task_id},
                          {"data", row.data},
                          {"consensus", row.consensus},
                          {"confidence", row.confidence},
                          {"answers", AnswersJson(row)}};
      out += Dump(j);
      out += '\n';
      break;
    }
    case ExportFormat::kCsv: {
      out += std::to_string(row.task_id);
      out += ',';
      AppendCsvCell(Dump(row.data), out);
      out += ',';
      AppendCsvCell(row.consensus.is_null() ? std::string() : Dump(row.consensus), out);
      out += ',';
      out += Dump(nlohmann::json(row.confidence));
      out += ',';
      AppendCsvCell(Dump(AnswersJson(row)), out);
      out += "\r\n";
      break;
    }
    case ExportFormat::kLabelStudio: {
      nlohmann::json annotations = nlohmann::json::array();
      int64_t n = 0;
      for (const ExportAnswer& a : row.answers) {
        annotations.push_back({{"id", ++n},
                               {"completed_by", a.annotator},
                               {"verdict", a.verdict},
                               {"result", LabelStudioResult(question_type_, a.value)}});
      }
      nlohmann::json predictions = nlohmann::json::array();
      if (!row.consensus.is_null()) {
        predictions.push_back({{"model_version", "tinydata-consensus"},
                               {"score", row.confidence},
                               {"result", LabelStudioResult(question_type_, row.consensus)}});
      }
      nlohmann::json j = {{"id", row.task_id},
                          {"data", row.data},
                          {"annotations", std::move(annotations)},
                          {"predictions", std::move(predictions)}};
      if (rows_ > 0) out += ',';
      out += '\n';
      out += Dump(j);
      break;
    }
  }
  ++rows_;
}

void TaskExportWriter::End(std::string& out) {
  if (format_ == ExportFormat::kLabelStudio) out += rows_ > 0 ? "\n]\n" : "]\n";
}

}  // namespace tinydata::io
