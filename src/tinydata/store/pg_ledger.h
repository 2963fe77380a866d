// The PostgreSQL side of ledger_rows.h: applying LedgerChanges inside the writer's transaction and
// the LedgerReader queries. Used by PgStore; the schema is kLedgerMigrationPostgresSql
// (ledger_schema.h).
//
// Several server processes may write one database at once (READ COMMITTED), so every posting rule
// holds by the database itself rather than by in-process state: the balance rows a batch touches
// are locked (in one global order, so two batches cannot deadlock on them) before the rules are
// checked, balances move by atomic deltas, CHECK constraints refuse a negative non-treasury
// balance and AGT circulation above ledger::kAgtMaxSupply, and idempotency keys are unique.
//
// Lock order, which every transaction of the PostgreSQL store keeps so that transactions of
// different servers never wait for each other in a cycle: users rows (by id) before balance
// rows (by account, asset) before the journal's id counter (ledger_next_id, taken last).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/store/ledger_rows.h"
#include "tinydata/store/pg_conn.h"

namespace tinydata::store {

// Applies ledger changes on `conn` inside the caller's transaction (the batch's savepoint), with
// the same rules, errors and result as SqliteLedgerWriter: postings are checked against
// ledger::ValidatePostings over the current committed balances (locked until the caller's
// transaction ends) plus the batch's own earlier postings. On any failure the caller rolls back
// the savepoint. Not thread-safe: one instance per connection, used by one thread.
class PgLedgerWriter {
 public:
  explicit PgLedgerWriter(pg::Connection* conn) : conn_(conn) {}

  Status Apply(const LedgerChanges& changes);

 private:
  // Locks the users rows whose game state the changes touch, in id order.
  Status LockUsers(const LedgerChanges& changes);
  // Locks and checks the balances, then moves them.
  Status ApplyPostings(const LedgerChanges& changes);
  // Takes an id block from ledger_next_id and inserts the journal entries.
  Status InsertEntries(const LedgerChanges& changes);
  pg::Connection* conn_;
};

// LedgerReader over connections leased from `pool` (which must outlive the reader; thread-safe
// as far as the pool is), or over one connection inside a transaction (used by one thread).
// Results and ordering match SqliteLedgerReader.
class PgLedgerReader final : public LedgerReader {
 public:
  explicit PgLedgerReader(pg::Pool* pool) : pool_(pool) {}
  explicit PgLedgerReader(pg::Connection* conn) : conn_(conn) {}
  // Owns `conn`, which is inside a transaction the reader ends (COMMIT) when it goes.
  explicit PgLedgerReader(std::unique_ptr<pg::Connection> conn)
      : conn_(conn.get()), owned_(std::move(conn)) {}
  ~PgLedgerReader() override;

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
  // Runs one query on the connection, or on one leased from the pool.
  Result<pg::Rows> Query(const std::string& sql, const pg::Params& params = {});
  pg::Pool* pool_ = nullptr;
  pg::Connection* conn_ = nullptr;
  std::unique_ptr<pg::Connection> owned_;
};

}  // namespace tinydata::store
