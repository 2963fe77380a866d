// LedgerAccounts: the ledger account of each user, as the public log shows it.
//
// The journal is public (anyone may fetch an entry and its proof), so a user's account is named
// by a pseudonym, "user:" + the first 20 hex digits of HMAC-SHA256(secret, "user:<id>"): stable,
// unlinkable to the user without the server's secret, and shown to its owner in the profile so
// they can find their own entries. Every reference that names a user (a check-in, a level
// bought, an AGT grant) uses the same pseudonym.
//
// A database whose journal already held entries when this naming arrived keeps naming users by
// their id, so its history, balances and once-only keys stay what they were.
//
// The choice and the secret live in the settings ("ledger_account_names"): the first server to
// open a database decides, and every server sharing it reads the same. Immutable after Load;
// thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "tinydata/core/status.h"
#include "tinydata/store/store.h"

namespace tinydata::service {

inline constexpr char kLedgerAccountNamesSetting[] = "ledger_account_names";

class LedgerAccounts {
 public:
  // Reads the naming of `store`, deciding it on first use.
  static Result<LedgerAccounts> Load(store::Store& store);
  // Pseudonyms with this secret (tests, tools).
  static LedgerAccounts WithSecret(std::string secret);

  // What stands for the user in accounts and references: the pseudonym (or the decimal id).
  std::string RefOf(int64_t user_id) const;
  // "user:" + RefOf(user_id).
  std::string OfUser(int64_t user_id) const;
  bool pseudonymous() const { return !secret_.empty(); }

 private:
  explicit LedgerAccounts(std::string secret) : secret_(std::move(secret)) {}
  std::string secret_;  // empty: users are named by their id
};

}  // namespace tinydata::service
