// The `tinydata` executable: a flat dispatch over the subcommands. To add one, write
// <name>_command.{h,cc} with Register<Name>Command and register it here.
#include <CLI/CLI.hpp>

#include "tinydata/cli/aggregate_command.h"
#include "tinydata/cli/app.h"
#include "tinydata/cli/eval_command.h"

int main(int argc, char** argv) {
  CLI::App app;
  tinydata::cli::ConfigureRootApp(app);
  tinydata::cli::RegisterAggregateCommand(app);
  tinydata::cli::RegisterEvalCommand(app);
  return tinydata::cli::RunApp(app, argc, argv);
}
