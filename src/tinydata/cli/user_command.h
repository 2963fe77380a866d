// `tinydata user add`: creates an account with any roles, e.g. the first administrator.
//
//   tinydata user add --database var/tinydata.db --email ops@example.org --role admin
//                     [--role requester ...] [--display-name NAME] [--password P]
//
// Without --password the password is read from the first line of standard input (without echo
// on a terminal), so it stays out of the shell history. Run it while the server is stopped:
// the server keeps its users' state in memory.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "tinydata/core/status.h"

namespace tinydata::cli {

struct UserAddOptions {
  std::string database = "var/tinydata.db";
  std::string email;
  std::vector<std::string> roles;  // default: annotator
  std::string display_name;
  std::string password;  // empty: read from stdin
};

void RegisterUserCommand(CLI::App& app);

// Creates the user; prints `user <id> <email> roles=<...>` on success.
Status RunUserAdd(const UserAddOptions& options);

}  // namespace tinydata::cli
