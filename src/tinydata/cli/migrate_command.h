// `tinydata migrate`: brings a database's schema up to this binary's version.
//
//   tinydata migrate --database var/tinydata.db
//   tinydata migrate --database postgresql://tinydata@127.0.0.1:5432/tinydata
//
// `serve` migrates at start as well; run this ahead of a rolling upgrade, or to create the schema
// of a new PostgreSQL database before the first server starts. Several processes migrating one
// database at once is safe (the migration run is serialised by the database). Prints
// `schema <from> -> <to> (applied: <versions>)`; exit 0 also when nothing was pending, 1 (with
// the reason on stderr) when the database cannot be reached or its schema is newer than the
// binary.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "tinydata/core/status.h"

namespace tinydata::cli {

struct MigrateOptions {
  std::string database = "var/tinydata.db";
};

void RegisterMigrateCommand(CLI::App& app);

// Applies the pending migrations; the report line goes to stdout.
Status RunMigrate(const MigrateOptions& options);

}  // namespace tinydata::cli
