// The ledger's and the game's rows in the store: journal entries (double entry, exactly once per
// idempotency key), the transparency log (leaf indexes, Merkle nodes, signed checkpoints) and the
// game state the rules need (check-ins, referrals, reputation, gold results, XP awards, daily
// reward totals).
//
// LedgerChanges is the WriteBatch member that carries them (write_batch.h), so the rewards of an
// answer commit in the same transaction as the answer. The store enforces the posting rules of
// ledger/posting.h inside that transaction: a batch whose postings break them fails as a whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/ledger/checkpoint.h"
#include "tinydata/ledger/entry.h"
#include "tinydata/ledger/merkle_log.h"
#include "tinydata/ledger/posting.h"
#include "tinydata/ledger/verifier.h"

namespace tinydata::store {

// A journal row: the entry and, once the sequencer reached it, its leaf.
struct LedgerEntryRow {
  ledger::JournalEntry entry;
  std::optional<uint64_t> leaf_index;
  std::optional<ledger::Hash> leaf_hash;
};

struct CheckinRow {
  int64_t user_id = 0;
  int64_t day = 0;     // UTC day number
  int32_t streak = 0;  // including this day
  int64_t bonus_aia = 0;
  int64_t created_at_ms = 0;
};

struct ReferralRow {
  int64_t referee_id = 0;  // unique: a user has at most one referrer
  int64_t referrer_id = 0;
  int64_t created_at_ms = 0;
};

// Per-user game state that is not derived from other rows.
struct UserGameRow {
  int64_t user_id = 0;
  int32_t reputation = 0;
  int64_t paused_until_day = 0;
};

// One sequenced entry: the sequencer sets leaf index and hash of an entry that had none.
struct LeafAssignment {
  int64_t entry_id = 0;
  uint64_t leaf_index = 0;
  ledger::Hash leaf_hash{};
};

struct CheckpointRow {
  uint64_t tree_size = 0;
  ledger::Hash root_hash{};
  int64_t timestamp_unix_seconds = 0;
  std::string note;  // the signed note (ledger/checkpoint.h)
};

struct LedgerChanges {
  // Journal entries to post, in order, stamped `posted_at_unix_seconds`. Checked against the
  // posting rules; ids are assigned by the store in increasing order.
  std::vector<ledger::Posting> postings;
  int64_t posted_at_unix_seconds = 0;
  // Added to users.xp (a delta, so concurrent settlements of one user compose).
  std::vector<std::pair<int64_t, int64_t>> add_user_xp;  // (user id, xp)
  // XP awards for leaderboards: (user id, UTC day, xp, reference). The reference is unique.
  struct XpAward {
    int64_t user_id = 0;
    int64_t day = 0;
    int64_t xp = 0;
    std::string reference;
  };
  std::vector<XpAward> xp_awards;
  // Added to the user's AIA received on a UTC day (for the daily cap).
  struct DailyReward {
    int64_t user_id = 0;
    int64_t day = 0;
    int64_t aia = 0;
  };
  std::vector<DailyReward> add_daily_rewards;
  // Added to the user's gold results on a UTC day.
  struct GoldResult {
    int64_t user_id = 0;
    int64_t day = 0;
    int64_t passes = 0;
    int64_t failures = 0;
    // Of the passes, those on items the user's referrer never had (so never saw scored): only
    // these unlock referral bonuses.
    int64_t unrevealed_passes = 0;
  };
  std::vector<GoldResult> add_gold_results;
  std::vector<UserGameRow> upsert_user_game;
  // Sets users.level (level-ups and demotions).
  std::vector<std::pair<int64_t, int32_t>> set_user_level;  // (user id, level)
  std::vector<CheckinRow> insert_checkins;                  // unique (user, day)
  std::vector<ReferralRow> insert_referrals;                // unique referee
  // The sequencer's output: leaves, the Merkle nodes they complete, a checkpoint.
  std::vector<LeafAssignment> assign_leaves;
  std::vector<ledger::NodeWrite> insert_nodes;
  std::vector<CheckpointRow> insert_checkpoints;

  bool empty() const {
    return postings.empty() && add_user_xp.empty() && xp_awards.empty() &&
           add_daily_rewards.empty() && add_gold_results.empty() && upsert_user_game.empty() &&
           set_user_level.empty() && insert_checkins.empty() && insert_referrals.empty() &&
           assign_leaves.empty() && insert_nodes.empty() && insert_checkpoints.empty();
  }
};

struct Balances {
  int64_t aia = 0;
  int64_t agt = 0;
};

struct GoldDay {
  int64_t day = 0;
  int64_t passes = 0;
  int64_t failures = 0;
  int64_t unrevealed_passes = 0;
};

struct LeaderboardRow {
  int64_t user_id = 0;
  std::string display_name;
  int64_t xp = 0;
};

// Reads of the ledger and game tables. Implemented by every Store backend (Store::ledger()).
// Thread-safe; reads see every batch whose write callback has run.
class LedgerReader {
 public:
  virtual ~LedgerReader() = default;

  // Balance of one account in one asset (0 when it never moved).
  virtual Result<int64_t> Balance(std::string_view account, ledger::Asset asset) = 0;
  virtual Result<Balances> BalancesOf(std::string_view account) = 0;
  // Every (account, asset, balance) row of the balance table.
  virtual Result<std::vector<ledger::StoredBalance>> AllBalances() = 0;
  // Up to `limit` journal rows with id > after_id, in id order.
  virtual Result<std::vector<LedgerEntryRow>> ReadEntries(int64_t after_id, int limit) = 0;
  // Up to `limit` entries not yet sequenced, in id order.
  virtual Result<std::vector<LedgerEntryRow>> ReadUnsequenced(int limit) = 0;
  virtual Result<std::optional<LedgerEntryRow>> EntryAtLeaf(uint64_t leaf_index) = 0;
  // The entry posted under `idempotency_key`, if any.
  virtual Result<std::optional<LedgerEntryRow>> EntryByKey(std::string_view idempotency_key) = 0;
  // The number of sequenced entries (the next leaf index).
  virtual Result<uint64_t> SequencedCount() = 0;
  // NotFound when the node was never stored.
  virtual Result<ledger::Hash> MerkleNode(ledger::NodeId id) = 0;
  // Every stored Merkle node, by level and index (for the verifier).
  virtual Result<std::vector<ledger::NodeWrite>> AllMerkleNodes() = 0;
  virtual Result<std::optional<CheckpointRow>> LatestCheckpoint() = 0;
  // Every checkpoint, oldest (smallest tree) first.
  virtual Result<std::vector<CheckpointRow>> AllCheckpoints() = 0;

  virtual Result<std::optional<CheckinRow>> LatestCheckin(int64_t user_id) = 0;
  virtual Result<std::optional<int64_t>> ReferrerOf(int64_t user_id) = 0;
  virtual Result<std::optional<int64_t>> UserIdByReferralCode(std::string_view code) = 0;
  // Sum of the project reward of the user's answers still awaiting a verdict.
  virtual Result<int64_t> PendingRewardAia(int64_t user_id) = 0;
  virtual Result<std::optional<UserGameRow>> UserGame(int64_t user_id) = 0;
  virtual Result<std::vector<GoldDay>> GoldHistory(int64_t user_id) = 0;  // by day
  virtual Result<int64_t> DailyRewardAia(int64_t user_id, int64_t day) = 0;
  // XP per user over UTC days [first_day, last_day], highest first, at most `limit` rows.
  virtual Result<std::vector<LeaderboardRow>> Leaderboard(int64_t first_day, int64_t last_day,
                                                          int limit) = 0;
};

}  // namespace tinydata::store
