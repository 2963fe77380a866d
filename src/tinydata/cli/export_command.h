// `tinydata export`: writes a project's dataset (consensus, confidence, pseudonymous answers).
//
//   tinydata export --database var/tinydata.db --project 7 [--format jsonl|csv|labelstudio]
//                   [--out dataset.jsonl]
//
// Standard output unless --out is given. Reads what is durable in the database, so it may run
// next to a live server.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "tinydata/core/status.h"

namespace tinydata::cli {

struct ExportOptions {
  std::string database = "var/tinydata.db";
  int64_t project_id = 0;
  std::string format = "jsonl";
  std::string out_path = "-";
};

void RegisterExportCommand(CLI::App& app);

Status RunExport(const ExportOptions& options);

}  // namespace tinydata::cli
