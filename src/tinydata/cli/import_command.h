// `tinydata import`: bulk-loads a task file into a project, all or nothing.
//
//   tinydata import --database var/tinydata.db --project 7 [--format jsonl|csv|labelstudio]
//                   tasks.jsonl
//
// The format defaults from the file extension (.jsonl/.ndjson, .csv, .json). Row errors are
// printed as `<file>:<line>: <field>: <message>` and nothing is imported (exit code 1). On a
// SQLite database run it while the server is stopped (that server keeps its state in memory), or
// use POST /api/v1/projects/{id}/tasks against the running server; a PostgreSQL database may be
// imported into while servers run on it.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "tinydata/core/status.h"

namespace tinydata::cli {

struct ImportOptions {
  std::string database = "var/tinydata.db";
  int64_t project_id = 0;
  std::string format;  // empty: from the extension
  std::string path;
};

void RegisterImportCommand(CLI::App& app);

Status RunImport(const ImportOptions& options);

}  // namespace tinydata::cli
