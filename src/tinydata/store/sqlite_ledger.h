// The SQLite side of ledger_rows.h: applying LedgerChanges inside the writer's transaction and
// the LedgerReader queries. Used by SqliteStore; kept apart from sqlite_store.cc so the ledger's
// SQL reads in one place.
#pragma once

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <string_view>
#include <unordered_map>

#include "tinydata/core/status.h"
#include "tinydata/store/ledger_rows.h"

namespace tinydata::store {

// Applies ledger changes on the write connection `db`, inside the caller's transaction (the
// batch's savepoint). Postings are checked against ledger::ValidatePostings over the committed
// balances plus the batch's own earlier postings; any failure leaves the caller to roll back.
// Caches its prepared statements; one instance per write connection, used by one thread.
class SqliteLedgerWriter {
 public:
  explicit SqliteLedgerWriter(sqlite3* db) : db_(db) {}
  ~SqliteLedgerWriter();
  SqliteLedgerWriter(const SqliteLedgerWriter&) = delete;
  SqliteLedgerWriter& operator=(const SqliteLedgerWriter&) = delete;

  Status Apply(const LedgerChanges& changes);

 private:
  Result<sqlite3_stmt*> Prepare(const char* sql);
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// LedgerReader over read connections handed out by `with_connection`, which runs its argument
// with an idle connection (blocking until one is free) and returns its Status.
class SqliteLedgerReader final : public LedgerReader {
 public:
  using WithConnection = std::function<Status(const std::function<Status(sqlite3*)>&)>;
  explicit SqliteLedgerReader(WithConnection with_connection)
      : with_connection_(std::move(with_connection)) {}

  Result<int64_t> Balance(std::string_view account, ledger::Asset asset) override;
  Result<Balances> BalancesOf(std::string_view account) override;
  Result<std::vector<ledger::StoredBalance>> AllBalances() override;
  Result<std::vector<LedgerEntryRow>> ReadEntries(int64_t after_id, int limit) override;
  Result<std::vector<LedgerEntryRow>> ReadUnsequenced(int limit) override;
  Result<std::optional<LedgerEntryRow>> EntryAtLeaf(uint64_t leaf_index) override;
  Result<std::optional<LedgerEntryRow>> EntryByKey(std::string_view idempotency_key) override;
  Result<uint64_t> SequencedCount() override;
  Result<ledger::Hash> MerkleNode(ledger::NodeId id) override;
  Result<std::vector<ledger::NodeWrite>> AllMerkleNodes() override;
  Result<std::optional<CheckpointRow>> LatestCheckpoint() override;
  Result<std::vector<CheckpointRow>> AllCheckpoints() override;
  Result<std::optional<CheckinRow>> LatestCheckin(int64_t user_id) override;
  Result<std::optional<int64_t>> ReferrerOf(int64_t user_id) override;
  Result<std::optional<int64_t>> UserIdByReferralCode(std::string_view code) override;
  Result<int64_t> PendingRewardAia(int64_t user_id) override;
  Result<std::optional<UserGameRow>> UserGame(int64_t user_id) override;
  Result<std::vector<GoldDay>> GoldHistory(int64_t user_id) override;
  Result<int64_t> DailyRewardAia(int64_t user_id, int64_t day) override;
  Result<std::vector<LeaderboardRow>> Leaderboard(int64_t first_day, int64_t last_day,
                                                  int limit) override;

 private:
  WithConnection with_connection_;
};

}  // namespace tinydata::store
