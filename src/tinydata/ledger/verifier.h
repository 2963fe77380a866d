// The ledger verifier: recomputes everything that can be recomputed from what the store holds
// and lists every disagreement, naming the journal entry it concerns. Pure: the caller (the
// `tinydata ledger verify` command) reads the rows and passes them in.
//
// Checks:
//   - each sequenced entry's canonical bytes hash to its stored leaf hash (an edited row);
//   - leaf indexes, in id order, are exactly 0, 1, 2, ... (a deleted row leaves a gap, a
//     reordered row an index out of place), and unsequenced entries come last;
//   - the Merkle tree over the recomputed leaves has the stored node hashes (when given) and
//     the root of every checkpoint at its size; the checkpoint signatures verify and sizes
//     never shrink; no checkpoint or stored leaf lies beyond the last entry; the latest
//     checkpoint covers every sequenced leaf (the sequencer writes both in one batch);
//   - every trusted checkpoint (one seen before, kept outside the database) is still a prefix
//     of the log: a log truncated or rewritten together with its own checkpoints is named;
//   - no entry stays unsequenced longer than allowed, nor was posted well before a checkpoint
//     that does not include it (an entry slipped into the journal behind the sequencer);
//   - replaying the entries in id order: each is well formed and one of the ledger's flows
//     (flows.h; entries older than `flows_from_entry_id` predate those rules and are exempt),
//     idempotency keys are unique, no balance but the treasury's goes negative, AGT and AIA in
//     circulation stay within kAgtMaxSupply and kAiaMaxSupply;
//   - every stored balance equals the sum of its entries, and every non-zero sum is stored.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tinydata/ledger/checkpoint.h"
#include "tinydata/ledger/entry.h"
#include "tinydata/ledger/hash.h"
#include "tinydata/ledger/merkle_log.h"

namespace tinydata::ledger {

// One journal row as stored.
struct StoredEntry {
  JournalEntry entry;
  std::optional<uint64_t> leaf_index;  // unset while the sequencer has not reached it
  std::optional<Hash> leaf_hash;       // the leaf hash stored when it was sequenced
};

// One row of the store's balance table (a cache of the sums, kept for fast reads).
struct StoredBalance {
  std::string account;
  Asset asset = Asset::kAia;
  int64_t balance = 0;
};

struct LedgerSnapshot {
  std::span<const StoredEntry> entries;      // all journal rows, any order
  std::span<const StoredBalance> balances;   // all balance rows
  std::span<const std::string> checkpoints;  // signed checkpoint notes, oldest first
  const VerifierKey* key = nullptr;          // the log's key; needed when checkpoints exist
  const NodeStore* nodes = nullptr;          // the stored Merkle nodes, if any
  // Entries with a smaller id were posted before the flow rules existed (0: check every entry).
  int64_t flows_from_entry_id = 0;
  // Signed checkpoint notes of this log kept elsewhere (by a server, an auditor, a user who
  // fetched one): the log must still extend each of them.
  std::span<const std::string> trusted_checkpoints;
  // Entries posted more than `max_unsequenced_seconds` before `now_unix_seconds` must be
  // sequenced (max_unsequenced_seconds 0: not checked).
  int64_t now_unix_seconds = 0;
  int64_t max_unsequenced_seconds = 0;
};

// How much earlier than a checkpoint's timestamp an entry it does not include may have been
// posted (clock skew between servers, a transaction that committed after the sequencer read).
inline constexpr int64_t kSequencingSlackSeconds = 60;

enum class ProblemKind {
  kMalformedEntry,        // a field breaks ValidateEntry
  kEditedEntry,           // contents differ from the stored leaf hash
  kMissingEntry,          // a gap in leaf indexes, or leaves/checkpoints beyond the last entry
  kOutOfOrder,            // leaf index out of place for its id, or duplicated
  kDuplicateKey,          // idempotency key used twice
  kNegativeBalance,       // a non-treasury balance went below zero
  kSupplyCapExceeded,     // AGT or AIA in circulation above its maximum supply
  kForbiddenFlow,         // an entry moves value in a way no flow of flows.h allows
  kBalanceMismatch,       // stored balance != sum of entries
  kBadCheckpoint,         // malformed, unsigned or badly signed checkpoint, or shrinking size
  kRootMismatch,          // checkpoint root != root of the recomputed tree
  kNodeMismatch,          // stored node hash != recomputed node hash
  kMissingCheckpoint,     // sequenced leaves that no checkpoint covers
  kRolledBack,            // the log no longer extends a trusted checkpoint
  kUnsequenced,           // an entry left out of the log for too long
};

// "edited_entry", ...
std::string_view ProblemKindName(ProblemKind kind);

struct Problem {
  ProblemKind kind;
  int64_t entry_id = 0;  // the entry concerned; 0 when the problem is not about one entry
  std::string message;   // names the entry, account, leaf index or checkpoint
};

// Returns the problems found, in the order the checks above run; empty when all is well.
std::vector<Problem> VerifyLedger(const LedgerSnapshot& snapshot);

}  // namespace tinydata::ledger
