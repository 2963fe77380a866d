// The `tinydata` executable: a flat dispatch over the subcommands. To add one, write
// <name>_command.{h,cc} with Register<Name>Command and register it here.
#include <CLI/CLI.hpp>

#include "tinydata/cli/aggregate_command.h"
#include "tinydata/cli/app.h"
#include "tinydata/cli/credit_command.h"
#include "tinydata/cli/eval_command.h"
#include "tinydata/cli/export_command.h"
#include "tinydata/cli/import_command.h"
#include "tinydata/cli/ledger_command.h"
#include "tinydata/cli/migrate_command.h"
#include "tinydata/cli/serve_command.h"
#include "tinydata/cli/user_command.h"

int main(int argc, char** argv) {
  CLI::App app;
  tinydata::cli::ConfigureRootApp(app);
  tinydata::cli::RegisterAggregateCommand(app);
  tinydata::cli::RegisterEvalCommand(app);
  tinydata::cli::RegisterServeCommand(app);
  tinydata::cli::RegisterUserCommand(app);
  tinydata::cli::RegisterImportCommand(app);
  tinydata::cli::RegisterExportCommand(app);
  tinydata::cli::RegisterLedgerCommand(app);
  tinydata::cli::RegisterCreditCommand(app);
  tinydata::cli::RegisterMigrateCommand(app);
  return tinydata::cli::RunApp(app, argc, argv);
}
