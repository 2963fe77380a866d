#include "tinydata/cli/user_command.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "tinydata/cli/app.h"
#include "tinydata/cli/serve_command.h"

namespace tinydata::cli {

namespace {

// The first line of standard input, without echo when it is a terminal.
Result<std::string> ReadPasswordFromStdin() {
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::fputs("password: ", stderr);
    std::fflush(stderr);
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputs("\n", stderr);
  }
  if (!got) return Status::InvalidArgument("no password on standard input", "password");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

Status RunUserAdd(const UserAddOptions& options) {
  uint32_t roles = 0;
  for (const std::string& name : options.roles) {
    TD_ASSIGN_OR_RETURN(store::Role role, service::ParseRole(name, "role"));
    roles |= role;
  }
  if (roles == 0) roles = store::kRoleAnnotator;
  std::string password = options.password;
  if (password.empty()) {
    TD_ASSIGN_OR_RETURN(password, ReadPasswordFromStdin());
  }
  TD_ASSIGN_OR_RETURN(OpenedPlatform opened, OpenPlatformAt(options.database, {}, {}));
  TD_ASSIGN_OR_RETURN(store::User user, opened.platform->AddUser(options.email, password,
                                                                 options.display_name, roles));
  std::string names;
  for (const std::string& name : service::RoleNames(user.roles)) {
    if (!names.empty()) names += ',';
    names += name;
  }
  std::printf("user %lld %s roles=%s\n", static_cast<long long>(user.id), user.email.c_str(),
              names.c_str());
  return Status::Ok();
}

void RegisterUserCommand(CLI::App& app) {
  CLI::App* user = app.add_subcommand("user", "Manage accounts.");
  user->require_subcommand(1);
  auto options = std::make_shared<UserAddOptions>();
  CLI::App* add = user->add_subcommand("add", "Create an account with any roles (e.g. admin).");
  add->add_option("--database", options->database, "SQLite database file or postgresql:// URL")->capture_default_str();
  add->add_option("--email", options->email, "Email address (the login)")->required();
  add->add_option("--role", options->roles,
                  "annotator|requester|verifier|admin (repeatable; default annotator)");
  add->add_option("--display-name", options->display_name, "Shown name (default: from email)");
  add->add_option("--password", options->password,
                  "Password (at least 8 characters); read from stdin when absent");
  add->callback([options] { ExitOnError("user add", RunUserAdd(*options)); });
}

}  // namespace tinydata::cli
