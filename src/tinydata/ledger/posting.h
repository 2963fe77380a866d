// Posting rules of the ledger: what may be appended to the journal.
//
// A batch of postings commits together (e.g. an answer reward and the referral bonus it
// triggers). ValidatePostings checks a batch against the current state through LedgerView, an
// abstract balance lookup, so the store can call it inside its write transaction with a view
// backed by SQL, and Journal (below) can use it over in-memory state.
//
// Rules, checked in order for each posting as if the earlier postings of the batch applied:
//   1. well formed (see ValidateEntry): InvalidArgument naming "postings[i].<field>", and one of
//      the ledger's flows (flows.h): FailedPrecondition naming "postings[i].reason";
//   2. the idempotency key is new, in the journal and in the batch: AlreadyExists, so a
//      retried reward for the same (answer, reason) is refused instead of paid twice;
//   3. the debit account keeps a non-negative balance, unless it is the treasury:
//      FailedPrecondition;
//   4. AGT held outside the treasury stays <= kAgtMaxSupply, and AIA <= kAiaMaxSupply:
//      ResourceExhausted;
//   5. no balance overflows int64: InvalidArgument.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/ledger/entry.h"

namespace tinydata::ledger {

// What a caller asks to post; the store adds id and time to make a JournalEntry.
struct Posting {
  std::string debit_account;
  std::string credit_account;
  Asset asset = Asset::kAia;
  int64_t amount = 0;
  std::string reason;
  std::string reference;
  // Empty means DefaultIdempotencyKey(reason, reference).
  std::string idempotency_key;
};

// "<reason>/<reference>", e.g. "answer_reward/answer:17": one reward per (answer, reason).
std::string DefaultIdempotencyKey(std::string_view reason, std::string_view reference);

// The posting's idempotency key, defaulted when empty.
std::string EffectiveIdempotencyKey(const Posting& posting);

// Read access to committed state. Implementations report their own failures (e.g. a database
// error) as a non-ok Result, which ValidatePostings returns unchanged.
class LedgerView {
 public:
  virtual ~LedgerView() = default;
  // Sum of credits minus debits of `account` in `asset` (0 for an unknown account).
  virtual Result<int64_t> Balance(std::string_view account, Asset asset) const = 0;
  // Whether an entry with this idempotency key exists.
  virtual Result<bool> HasIdempotencyKey(std::string_view key) const = 0;
};

// Checks the rules above for `postings` applied in order over `view`.
Status ValidatePostings(std::span<const Posting> postings, const LedgerView& view);

// An in-memory journal: entries, derived balances and idempotency keys. Used by tests, the
// benchmark and whoever needs the posting rules without a database. Not thread-safe.
class Journal : public LedgerView {
 public:
  // `first_id` is the id the first posted entry gets.
  explicit Journal(int64_t first_id = 1) : next_id_(first_id) {}

  Result<int64_t> Balance(std::string_view account, Asset asset) const override;
  Result<bool> HasIdempotencyKey(std::string_view key) const override;

  // Validates and appends the batch atomically; returns the new entries with consecutive ids,
  // stamped `now_unix_seconds`.
  Result<std::vector<JournalEntry>> Post(std::span<const Posting> postings,
                                         int64_t now_unix_seconds);
  Result<JournalEntry> Post(const Posting& posting, int64_t now_unix_seconds);

  const std::vector<JournalEntry>& entries() const { return entries_; }
  // AGT held outside the treasury.
  int64_t AgtInCirculation() const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using BalanceMap = std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>>;
  static size_t AssetSlot(Asset asset) { return asset == Asset::kAgt ? 1 : 0; }

  int64_t next_id_;
  std::vector<JournalEntry> entries_;
  BalanceMap balances_[2];  // by AssetSlot
  std::unordered_set<std::string, StringHash, std::equal_to<>> keys_;
};

}  // namespace tinydata::ledger
