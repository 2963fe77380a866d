#include "tinydata/cli/credit_command.h"

#include <cstdio>
#include <memory>

#include "tinydata/cli/app.h"
#include "tinydata/cli/serve_command.h"
#include "tinydata/ledger/entry.h"
#include "tinydata/service/game_service.h"

namespace tinydata::cli {

Status RunCreditGrant(const CreditGrantOptions& options) {
  if (options.user.empty() == options.pool.empty()) {
    return Status::InvalidArgument("give exactly one of --user or --pool", "user");
  }
  TD_ASSIGN_OR_RETURN(OpenedPlatform opened, OpenPlatformAt(options.database, {}, {}));
  TD_ASSIGN_OR_RETURN(std::unique_ptr<service::GameService> game,
                      service::GameService::Create(opened.store.get(), opened.clock.get(), {}));
  std::string account;
  if (!options.pool.empty()) {
    account = ledger::PoolAccount(options.pool);
    if (!ledger::ValidateAccount(account, "pool").ok()) {
      return Status::InvalidArgument("\"" + options.pool + "\" is not a pool name (e.g. checkin)",
                                     "pool");
    }
  } else {
    Result<store::User> user = opened.platform->FindUserByEmail(options.user);
    if (!user.ok()) return Status::NotFound("no account has the email " + options.user, "user");
    account = game->accounts().OfUser(user->id);
  }
  Result<int64_t> balance = game->GrantCredit(account, options.amount_aia, options.reference);
  if (!balance.ok()) {
    const std::string& field = balance.status().field();
    return Status(balance.status().code(), balance.status().message(),
                  field == "amount_aia" ? "amount" : field);
  }
  std::printf("granted %lld AIA to %s (reference %s); balance %lld AIA\n",
              static_cast<long long>(options.amount_aia), account.c_str(),
              options.reference.c_str(), static_cast<long long>(*balance));
  return Status::Ok();
}

void RegisterCreditCommand(CLI::App& app) {
  CLI::App* credit = app.add_subcommand("credit", "Credit AIA for payments received.");
  credit->require_subcommand(1);
  auto options = std::make_shared<CreditGrantOptions>();
  CLI::App* grant = credit->add_subcommand(
      "grant", "Credit AIA to an account or a pool, once per payment reference.");
  grant->add_option("--database", options->database, "SQLite database file or postgresql:// URL")
      ->capture_default_str();
  grant->add_option("--user", options->user, "Email of the account credited");
  grant->add_option("--pool", options->pool, "A platform pool instead, e.g. checkin");
  grant->add_option("--amount", options->amount_aia, "AIA to credit (1..1000000000000)")
      ->required();
  grant->add_option("--reference", options->reference,
                    "The payment this records, e.g. an invoice number (1..64 characters, once)")
      ->required();
  grant->callback([options] { ExitOnError("credit grant", RunCreditGrant(*options)); });
}

}  // namespace tinydata::cli
