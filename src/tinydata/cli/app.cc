#include "tinydata/cli/app.h"

#include <cstdio>
#include <string>

namespace tinydata::cli {

const char* Version() { return TINYDATA_VERSION; }

void ConfigureRootApp(CLI::App& app) {
  app.name("tinydata");
  app.description(
      "tinydata: crowd annotation and truth inference.\n"
      "Run `tinydata <command> --help` for the options of a command.");
  app.set_version_flag("--version", std::string("tinydata ") + Version());
  app.require_subcommand(1);
}

int RunApp(CLI::App& app, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {
    // Raised by ExitOnError/ExitUsage after the message was printed.
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return kExitOk;
}

void ExitOnError(std::string_view command, const Status& status) {
  if (status.ok()) return;
  std::string line = "tinydata ";
  line.append(command);
  line += ": ";
  line += status.message();
  if (!status.field().empty()) {
    line += " (field: ";
    line += status.field();
    line += ')';
  }
  line += '\n';
  std::fflush(stdout);
  std::fputs(line.c_str(), stderr);
  // CLI11's own way to end a callback with an exit code; RunApp catches it.
  throw CLI::RuntimeError(kExitDataError);
}

void ExitUsage(std::string_view command, std::string_view message) {
  std::string line = "tinydata ";
  line.append(command);
  line += ": ";
  line.append(message);
  line += "\nRun with --help for more information.\n";
  std::fputs(line.c_str(), stderr);
  throw CLI::RuntimeError(kExitUsage);
}

}  // namespace tinydata::cli
