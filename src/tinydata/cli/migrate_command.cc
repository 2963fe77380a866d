#include "tinydata/cli/migrate_command.h"

#include <cstdio>
#include <memory>

#include "tinydata/cli/app.h"
#include "tinydata/store/store.h"

namespace tinydata::cli {

Status RunMigrate(const MigrateOptions& options) {
  TD_ASSIGN_OR_RETURN(store::MigrationOutcome outcome, store::MigrateDatabase(options.database));
  std::string applied;
  for (int version : outcome.applied) {
    if (!applied.empty()) applied += ", ";
    applied += std::to_string(version);
  }
  std::printf("schema %d -> %d (applied: %s)\n", outcome.from_version, outcome.to_version,
              applied.empty() ? "none" : applied.c_str());
  return Status::Ok();
}

void RegisterMigrateCommand(CLI::App& app) {
  auto options = std::make_shared<MigrateOptions>();
  CLI::App* migrate = app.add_subcommand(
      "migrate", "Apply pending schema migrations to a database (serve also does at start).");
  migrate
      ->add_option("--database", options->database,
                   "SQLite file or postgresql://user@host:port/dbname URL")
      ->capture_default_str();
  migrate->callback([options] { ExitOnError("migrate", RunMigrate(*options)); });
}

}  // namespace tinydata::cli
