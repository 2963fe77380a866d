#include "tinydata/cli/import_command.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "tinydata/cli/app.h"
#include "tinydata/cli/serve_command.h"
#include "tinydata/io/task_import.h"

namespace tinydata::cli {

namespace {

Result<io::TaskFormat> FormatFor(const ImportOptions& options) {
  if (!options.format.empty()) return io::ParseTaskFormat(options.format);
  const std::string ext = std::filesystem::path(options.path).extension().string();
  if (ext == ".jsonl" || ext == ".ndjson") return io::TaskFormat::kJsonl;
  if (ext == ".csv") return io::TaskFormat::kCsv;
  if (ext == ".json") return io::TaskFormat::kLabelStudio;
  return Status::InvalidArgument(
      "cannot tell the format from \"" + ext + "\"; give --format jsonl|csv|labelstudio",
      "format");
}

}  // namespace

Status RunImport(const ImportOptions& options) {
  TD_ASSIGN_OR_RETURN(io::TaskFormat format, FormatFor(options));
  std::ifstream in(options.path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot open " + options.path, "file");
  std::ostringstream body;
  body << in.rdbuf();
  TD_ASSIGN_OR_RETURN(OpenedPlatform opened, OpenPlatformAt(options.database, {}, {}));
  service::ImportOutcome outcome = opened.platform->ImportTasks(
      OperatorPrincipal(), options.project_id, format, body.str());
  if (!outcome.status.ok()) {
    for (const io::ImportRowError& e : outcome.row_errors) {
      std::fprintf(stderr, "%s:%lld: %s%s%s\n", options.path.c_str(),
                   static_cast<long long>(e.line), e.field.c_str(), e.field.empty() ? "" : ": ",
                   e.message.c_str());
    }
    if (!outcome.row_errors.empty()) {
      return Status::InvalidArgument(std::to_string(outcome.row_errors.size()) +
                                         " bad row(s); nothing was imported",
                                     "file");
    }
    return outcome.status;
  }
  std::printf("imported %lld tasks (%lld gold) into project %lld\n",
              static_cast<long long>(outcome.summary.imported),
              static_cast<long long>(outcome.summary.gold),
              static_cast<long long>(options.project_id));
  return Status::Ok();
}

void RegisterImportCommand(CLI::App& app) {
  auto options = std::make_shared<ImportOptions>();
  CLI::App* cmd = app.add_subcommand("import", "Import a task file into a project.");
  cmd->add_option("--database", options->database, "SQLite database file or postgresql:// URL")->capture_default_str();
  cmd->add_option("--project", options->project_id, "Project id")->required();
  cmd->add_option("--format", options->format, "jsonl|csv|labelstudio (default: by extension)");
  cmd->add_option("file", options->path, "Task file")->required();
  cmd->callback([options] { ExitOnError("import", RunImport(*options)); });
}

}  // namespace tinydata::cli
