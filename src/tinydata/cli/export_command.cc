#include "tinydata/cli/export_command.h"

#include <cstdio>
#include <memory>

#include "tinydata/cli/app.h"
#include "tinydata/cli/serve_command.h"
#include "tinydata/io/task_export.h"

namespace tinydata::cli {

Status RunExport(const ExportOptions& options) {
  TD_ASSIGN_OR_RETURN(io::ExportFormat format, io::ParseExportFormat(options.format));
  TD_ASSIGN_OR_RETURN(OpenedPlatform opened, OpenPlatformAt(options.database, {}, {}));
  TD_ASSIGN_OR_RETURN(std::unique_ptr<service::ExportStream> stream,
                      opened.platform->ExportProject(OperatorPrincipal(), options.project_id,
                                                     format));
  FILE* out = stdout;
  if (options.out_path != "-") {
    out = std::fopen(options.out_path.c_str(), "wb");
    if (out == nullptr) return Status::InvalidArgument("cannot write " + options.out_path, "out");
  }
  std::unique_ptr<FILE, int (*)(FILE*)> closer(out == stdout ? nullptr : out, &std::fclose);
  std::string chunk;
  for (bool done = false; !done;) {
    chunk.clear();
    TD_RETURN_IF_ERROR(stream->Next(chunk, done));
    if (!chunk.empty() && std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
      return Status::Unavailable("write failed: " + options.out_path);
    }
  }
  if (std::fflush(out) != 0) return Status::Unavailable("write failed: " + options.out_path);
  return Status::Ok();
}

void RegisterExportCommand(CLI::App& app) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Write a project's dataset.");
  cmd->add_option("--database", options->database, "SQLite database file or postgresql:// URL")->capture_default_str();
  cmd->add_option("--project", options->project_id, "Project id")->required();
  cmd->add_option("--format", options->format, "jsonl|csv|labelstudio")
      ->check(CLI::IsMember({"jsonl", "csv", "labelstudio"}))
      ->capture_default_str();
  cmd->add_option("--out", options->out_path, "Output file ('-': standard output)")
      ->capture_default_str();
  cmd->callback([options] { ExitOnError("export", RunExport(*options)); });
}

}  // namespace tinydata::cli
