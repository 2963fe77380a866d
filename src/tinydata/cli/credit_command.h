// `tinydata credit grant`: the operator credits AIA for a payment received outside the ledger.
//
//   tinydata credit grant --database var/tinydata.db --user requester@example.org
//                         --amount 5000 --reference INV-2026-0042
//   tinydata credit grant --database var/tinydata.db --pool checkin --amount 100000
//                         --reference BUDGET-2026-Q4
//
// The grant is a ledgered entry (reason credit_grant) carrying the reference, which can be
// granted once: running the command again with the same reference changes nothing and exits
// with an error. With a SQLite database the server must be stopped (it is the file's only
// writer); while it runs, use POST /api/v1/admin/credits instead.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "tinydata/core/status.h"

namespace tinydata::cli {

struct CreditGrantOptions {
  std::string database = "var/tinydata.db";
  std::string user;  // the email of the account credited
  std::string pool;  // or a platform pool, e.g. "checkin"
  int64_t amount_aia = 0;
  std::string reference;
};

// Prints "granted <amount> AIA to <account> (reference <ref>); balance <n> AIA".
Status RunCreditGrant(const CreditGrantOptions& options);

void RegisterCreditCommand(CLI::App& app);

}  // namespace tinydata::cli
