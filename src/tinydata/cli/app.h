// What every `tinydata` subcommand shares: the exit-code contract, error reporting and running the
// CLI11 app.
//
// A subcommand lives in its own <name>_command.{h,cc} with a `Register<Name>Command(CLI::App&)`
// that adds the subcommand, its options (parsed into one options struct) and a callback. The
// callback does its work through Status-returning functions and ends with `ExitOnError`, so only
// RunApp turns outcomes into exit codes. main.cc calls each Register function once.
#pragma once

#include <CLI/CLI.hpp>
#include <string_view>

#include "tinydata/core/status.h"

namespace tinydata::cli {

// Exit codes that scripts can trust.
inline constexpr int kExitOk = 0;
inline constexpr int kExitDataError = 1;  // unreadable or malformed input, failed computation
inline constexpr int kExitUsage = 2;      // bad command line: unknown option, bad option value

// The version printed by `tinydata --version`.
const char* Version();

// Builds the top-level app: description, --version, a required subcommand.
void ConfigureRootApp(CLI::App& app);

// Parses argv and runs the chosen subcommand. Returns the exit code: 0 on success and for
// --help/--version, kExitUsage for command-line errors (message and a --help hint on stderr),
// kExitDataError when the subcommand reported a failure (already printed by ExitOnError).
int RunApp(CLI::App& app, int argc, const char* const* argv);

// Inside a subcommand callback: when `status` is not ok, prints
// "tinydata <command>: <message>" to stderr and ends the command with kExitDataError.
void ExitOnError(std::string_view command, const Status& status);

// Inside a subcommand callback: reports a usage error (an inconsistent combination of options
// that CLI11 cannot check on its own) and ends the command with kExitUsage.
[[noreturn]] void ExitUsage(std::string_view command, std::string_view message);

}  // namespace tinydata::cli
