// Journal entries of the double-entry ledger and their canonical bytes (the Merkle leaves).
//
// Every movement of value is one immutable entry that moves `amount` units of one asset from
// the debit account (whose balance decreases) to the credit account (whose balance increases).
// Balances are never stored as truth: they are the sum of entries.
//
// Accounts:
//   "treasury"        the issuer of both assets; the only account whose balance may go negative.
//                     Its negative balance is the amount of that asset in circulation.
//   "user:<ref>"      an annotator's (or requester's) wallet. <ref> is a pseudonym of 20 lower-case
//                     hex digits, so the public log does not tell whose wallet it is (databases
//                     from before pseudonyms use the user's id instead).
//   "project:<id>"    a project's reward budget, funded by its requester.
//   "pool:<name>"     a platform pool the operator funds, e.g. "pool:checkin" pays check-in
//                     bonuses; <name> is [a-z][a-z0-9_]{0,31}.
// <id> is a positive decimal integer without leading zeros.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tinydata/core/status.h"
#include "tinydata/ledger/hash.h"

namespace tinydata::ledger {

enum class Asset : uint8_t {
  kAia = 1,  // AIA points: rewards for work, spent on level upgrades
  kAgt = 2,  // AGT governance token, capped supply
};

// "AIA" / "AGT".
std::string_view AssetName(Asset asset);
// Parses "AIA" or "AGT" (exact case); `field` names the input in the error.
Result<Asset> ParseAsset(std::string_view name, std::string_view field = "asset");

// AGT in circulation (held outside the treasury) may never exceed this many units.
inline constexpr int64_t kAgtMaxSupply = 5'000'000'000;
// AIA in circulation may never exceed this many units, and no entry moves more than
// kMaxAmount: with both, no sum of balances can overflow int64.
inline constexpr int64_t kAiaMaxSupply = 1'000'000'000'000'000;  // 10^15
inline constexpr int64_t kMaxAmount = 1'000'000'000'000'000;
inline constexpr std::string_view kTreasuryAccount = "treasury";
// The pool that pays check-in bonuses.
inline constexpr std::string_view kCheckinPoolAccount = "pool:checkin";
// The length of a user account's pseudonym.
inline constexpr size_t kUserPseudonymLength = 20;

enum class AccountKind { kTreasury, kUser, kProject, kPool };

// "user:<ref>" for a pseudonym or (older databases) a decimal user id.
std::string UserAccount(std::string_view ref);
std::string UserAccount(int64_t user_id);
std::string ProjectAccount(int64_t project_id);
std::string PoolAccount(std::string_view name);
// Ok when `account` is one of the account forms above.
Status ValidateAccount(std::string_view account, std::string_view field);
// The kind of a valid account; InvalidArgument naming `field` otherwise.
Result<AccountKind> KindOfAccount(std::string_view account, std::string_view field = "account");

struct JournalEntry {
  int64_t id = 0;                         // > 0, assigned by the store, increasing
  int64_t created_at_unix_seconds = 0;    // when the entry was posted
  std::string debit_account;              // pays `amount`
  std::string credit_account;             // receives `amount`
  Asset asset = Asset::kAia;
  int64_t amount = 0;                     // 1..kMaxAmount integer units of `asset`
  std::string reason;                     // [a-z0-9_]{1,64}, e.g. "answer_reward"
  std::string reference;                  // what it is for, e.g. "answer:17"; 1..128 printable
  std::string idempotency_key;            // unique in the journal; 1..256 printable
};

// Ok when every field is well formed (accounts valid and distinct, amount > 0, ...). Errors are
// InvalidArgument naming the field, e.g. "amount".
Status ValidateEntry(const JournalEntry& entry);

// The canonical serialization of an entry, version 1. All integers big-endian:
//   u8  0x01                      format version
//   u64 id
//   i64 created_at_unix_seconds   (two's complement)
//   u8  asset                     (1 = AIA, 2 = AGT)
//   u64 amount
//   then debit_account, credit_account, reason, reference, idempotency_key, each as
//   u32 byte length followed by the bytes.
// Deterministic and injective: two entries have the same bytes exactly when all fields match.
std::string CanonicalBytes(const JournalEntry& entry);

// The entry's Merkle leaf hash: HashLeaf(CanonicalBytes(entry)).
Hash EntryLeafHash(const JournalEntry& entry);

}  // namespace tinydata::ledger
