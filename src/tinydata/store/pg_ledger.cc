#include "tinydata/store/pg_ledger.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <utility>

namespace tinydata::store {

namespace {

std::string_view HashBytes(const ledger::Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

// A 32-byte bytea column; DataLoss when it has another size.
Result<ledger::Hash> HashAt(const pg::Rows& rows, int row, int col) {
  const std::string bytes = rows.Bytes(row, col);
  ledger::Hash h{};
  if (bytes.size() != h.size()) {
    return Status::DataLoss("stored hash has " + std::to_string(bytes.size()) +
                            " bytes, not 32");
  }
  std::memcpy(h.data(), bytes.data(), h.size());
  return h;
}

constexpr const char* kEntryColumns =
    "SELECT id, created_at_s, debit_account, credit_account, asset, amount, reason, reference, "
    "idempotency_key, leaf_index, leaf_hash FROM ledger_entries ";

Result<LedgerEntryRow> ReadEntryRow(const pg::Rows& rows, int r) {
  LedgerEntryRow row;
  ledger::JournalEntry& e = row.entry;
  e.id = rows.Int(r, 0);
  e.created_at_unix_seconds = rows.Int(r, 1);
  e.debit_account = rows.Text(r, 2);
  e.credit_account = rows.Text(r, 3);
  TD_ASSIGN_OR_RETURN(e.asset, ledger::ParseAsset(rows.View(r, 4), "ledger_entries.asset"));
  e.amount = rows.Int(r, 5);
  e.reason = rows.Text(r, 6);
  e.reference = rows.Text(r, 7);
  e.idempotency_key = rows.Text(r, 8);
  if (!rows.IsNull(r, 9)) row.leaf_index = static_cast<uint64_t>(rows.Int(r, 9));
  if (!rows.IsNull(r, 10)) {
    TD_ASSIGN_OR_RETURN(ledger::Hash h, HashAt(rows, r, 10));
    row.leaf_hash = h;
  }
  return row;
}

Result<std::vector<LedgerEntryRow>> ReadEntryRows(const pg::Rows& rows) {
  std::vector<LedgerEntryRow> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) {
    TD_ASSIGN_OR_RETURN(LedgerEntryRow row, ReadEntryRow(rows, r));
    out.push_back(std::move(row));
  }
  return out;
}

Result<CheckpointRow> ReadCheckpointRow(const pg::Rows& rows, int r) {
  CheckpointRow c;
  c.tree_size = static_cast<uint64_t>(rows.Int(r, 0));
  TD_ASSIGN_OR_RETURN(c.root_hash, HashAt(rows, r, 1));
  c.timestamp_unix_seconds = rows.Int(r, 2);
  c.note = rows.Text(r, 3);
  return c;
}

// Runs a statement that must change exactly one row.
Status ExecOne(pg::Connection& conn, const std::string& sql, const pg::Params& params,
               std::string_view what) {
  TD_ASSIGN_OR_RETURN(pg::Rows rows, conn.Exec(sql, params));
  if (rows.affected() != 1) return Status::NotFound(std::string(what) + ": no such row");
  return Status::Ok();
}

Status Exec(pg::Connection& conn, const std::string& sql, const pg::Params& params) {
  return conn.Exec(sql, params).status();
}

}  // namespace

Status PgLedgerWriter::ApplyPostings(const LedgerChanges& c) {
  // Every balance row the batch moves is locked before the rules read it, so the balances they
  // see stay true until this transaction ends, whichever process posts next. Rows are locked in
  // one order (account, then asset, bytewise) so two batches over the same rows cannot deadlock;
  // the upsert also creates a missing row, which a plain SELECT ... FOR UPDATE could not lock.
  using Key = std::pair<std::string, std::string>;  // (account, asset)
  std::map<Key, int64_t> balances;
  for (const ledger::Posting& p : c.postings) {
    const std::string asset(ledger::AssetName(p.asset));
    balances.emplace(Key{p.debit_account, asset}, 0);
    balances.emplace(Key{p.credit_account, asset}, 0);
  }
  for (auto& [key, balance] : balances) {
    TD_ASSIGN_OR_RETURN(
        pg::Rows rows,
        conn_->Exec("INSERT INTO ledger_balances (account, asset, balance) VALUES ($1, $2, 0) "
                    "ON CONFLICT (account, asset) DO UPDATE SET balance = ledger_balances.balance "
                    "RETURNING balance",
                    pg::Params().Add(key.first).Add(key.second)));
    balance = rows.Int(0, 0);
  }

  class View final : public ledger::LedgerView {
   public:
    View(pg::Connection& conn, const std::map<Key, int64_t>& balances)
        : conn_(conn), balances_(balances) {}
    Result<int64_t> Balance(std::string_view account, ledger::Asset asset) const override {
      auto it = balances_.find(Key{std::string(account), std::string(ledger::AssetName(asset))});
      if (it == balances_.end()) {
        return Status::Internal("balance of " + std::string(account) + " was not locked");
      }
      return it->second;
    }
    Result<bool> HasIdempotencyKey(std::string_view key) const override {
      TD_ASSIGN_OR_RETURN(
          pg::Rows rows, conn_.Exec("SELECT 1 FROM ledger_entries WHERE idempotency_key = $1",
                                    pg::Params().Add(key)));
      return rows.rows() > 0;
    }

   private:
    pg::Connection& conn_;
    const std::map<Key, int64_t>& balances_;
  };
  TD_RETURN_IF_ERROR(ledger::ValidatePostings(c.postings, View(*conn_, balances)));

  std::map<Key, int64_t> deltas;
  for (const ledger::Posting& p : c.postings) {
    const std::string asset(ledger::AssetName(p.asset));
    deltas[Key{p.debit_account, asset}] -= p.amount;
    deltas[Key{p.credit_account, asset}] += p.amount;
  }
  for (const auto& [key, delta] : deltas) {
    if (delta == 0) continue;
    TD_RETURN_IF_ERROR(ExecOne(*conn_,
                               "UPDATE ledger_balances SET balance = balance + $3 "
                               "WHERE account = $1 AND asset = $2",
                               pg::Params().Add(key.first).Add(key.second).Add(delta),
                               "move balance of " + key.first));
  }
  return Status::Ok();
}

Status PgLedgerWriter::InsertEntries(const LedgerChanges& c) {
  // The id block is taken under ledger_next_id's row lock, which this transaction holds until it
  // ends: posting transactions commit one after another in id order, and a rollback returns the
  // block, so the journal has no gaps (ledger_schema.h). Taken last, so the lock is held briefly.
  const int64_t n = static_cast<int64_t>(c.postings.size());
  TD_ASSIGN_OR_RETURN(pg::Rows block,
                      conn_->Exec("UPDATE ledger_next_id SET next_id = next_id + $1 "
                                  "RETURNING next_id - $1",
                                  pg::Params().Add(n)));
  if (block.rows() != 1) return Status::DataLoss("ledger_next_id has no row");
  const int64_t first_id = block.Int(0, 0);
  for (size_t i = 0; i < c.postings.size(); ++i) {
    const ledger::Posting& p = c.postings[i];
    const std::string key = ledger::EffectiveIdempotencyKey(p);
    // A concurrent transaction may commit the same key after the rules looked: the insert waits
    // for it and then skips, which reads as the rules' own refusal.
    TD_ASSIGN_OR_RETURN(
        pg::Rows inserted,
        conn_->Exec("INSERT INTO ledger_entries (id, created_at_s, debit_account, credit_account, "
                    "asset, amount, reason, reference, idempotency_key) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                    pg::Params()
                        .Add(first_id + static_cast<int64_t>(i))
                        .Add(c.posted_at_unix_seconds)
                        .Add(p.debit_account)
                        .Add(p.credit_account)
                        .Add(ledger::AssetName(p.asset))
                        .Add(p.amount)
                        .Add(p.reason)
                        .Add(p.reference)
                        .Add(key)));
    if (inserted.rows() != 1) {
      return Status::AlreadyExists("idempotency key '" + key + "' was already posted",
                                   "postings[" + std::to_string(i) + "].idempotency_key");
    }
  }
  return Status::Ok();
}

Status PgLedgerWriter::Apply(const LedgerChanges& c) {
  pg::Connection& conn = *conn_;
  TD_RETURN_IF_ERROR(LockUsers(c));
  if (!c.postings.empty()) TD_RETURN_IF_ERROR(ApplyPostings(c));
  for (const auto& [user_id, xp] : c.add_user_xp) {
    TD_RETURN_IF_ERROR(ExecOne(conn, "UPDATE users SET xp = xp + $2 WHERE id = $1",
                               pg::Params().Add(user_id).Add(xp), "add user xp"));
  }
  for (const auto& a : c.xp_awards) {
    TD_RETURN_IF_ERROR(
        Exec(conn, "INSERT INTO xp_awards (reference, user_id, day, xp) VALUES ($1, $2, $3, $4)",
             pg::Params().Add(a.reference).Add(a.user_id).Add(a.day).Add(a.xp)));
  }
  for (const auto& r : c.add_daily_rewards) {
    TD_RETURN_IF_ERROR(Exec(conn,
                            "INSERT INTO daily_rewards (user_id, day, aia) VALUES ($1, $2, $3) "
                            "ON CONFLICT (user_id, day) "
                            "DO UPDATE SET aia = daily_rewards.aia + excluded.aia",
                            pg::Params().Add(r.user_id).Add(r.day).Add(r.aia)));
  }
  for (const auto& g : c.add_gold_results) {
    TD_RETURN_IF_ERROR(
        Exec(conn,
             "INSERT INTO gold_results (user_id, day, passes, failures) VALUES ($1, $2, $3, $4) "
             "ON CONFLICT (user_id, day) DO UPDATE SET "
             "passes = gold_results.passes + excluded.passes, "
             "failures = gold_results.failures + excluded.failures",
             pg::Params().Add(g.user_id).Add(g.day).Add(g.passes).Add(g.failures)));
  }
  for (const UserGameRow& u : c.upsert_user_game) {
    TD_RETURN_IF_ERROR(
        Exec(conn,
             "INSERT INTO user_game (user_id, reputation, paused_until_day) VALUES ($1, $2, $3) "
             "ON CONFLICT (user_id) DO UPDATE SET reputation = excluded.reputation, "
             "paused_until_day = excluded.paused_until_day",
             pg::Params().Add(u.user_id).Add(u.reputation).Add(u.paused_until_day)));
  }
  for (const auto& [user_id, level] : c.set_user_level) {
    TD_RETURN_IF_ERROR(ExecOne(conn, "UPDATE users SET level = $2 WHERE id = $1",
                               pg::Params().Add(user_id).Add(level), "set user level"));
  }
  for (const CheckinRow& r : c.insert_checkins) {
    TD_RETURN_IF_ERROR(Exec(conn,
                            "INSERT INTO checkins (user_id, day, streak, bonus_aia, created_at_ms) "
                            "VALUES ($1, $2, $3, $4, $5)",
                            pg::Params()
                                .Add(r.user_id)
                                .Add(r.day)
                                .Add(r.streak)
                                .Add(r.bonus_aia)
                                .Add(r.created_at_ms)));
  }
  for (const ReferralRow& r : c.insert_referrals) {
    TD_RETURN_IF_ERROR(Exec(
        conn, "INSERT INTO referrals (referee_id, referrer_id, created_at_ms) VALUES ($1, $2, $3)",
        pg::Params().Add(r.referee_id).Add(r.referrer_id).Add(r.created_at_ms)));
  }
  for (const LeafAssignment& l : c.assign_leaves) {
    TD_ASSIGN_OR_RETURN(pg::Rows rows,
                        conn.Exec("UPDATE ledger_entries SET leaf_index = $2, leaf_hash = $3 "
                                  "WHERE id = $1 AND leaf_index IS NULL",
                                  pg::Params()
                                      .Add(l.entry_id)
                                      .Add(static_cast<int64_t>(l.leaf_index))
                                      .AddBytes(HashBytes(l.leaf_hash))));
    if (rows.affected() != 1) {
      return Status::Conflict("entry " + std::to_string(l.entry_id) +
                              " is missing or already sequenced");
    }
  }
  for (const ledger::NodeWrite& n : c.insert_nodes) {
    TD_RETURN_IF_ERROR(Exec(conn, "INSERT INTO ledger_nodes (level, idx, hash) VALUES ($1, $2, $3)",
                            pg::Params()
                                .Add(n.id.level)
                                .Add(static_cast<int64_t>(n.id.index))
                                .AddBytes(HashBytes(n.hash))));
  }
  for (const CheckpointRow& r : c.insert_checkpoints) {
    TD_RETURN_IF_ERROR(Exec(conn,
                            "INSERT INTO ledger_checkpoints (tree_size, root_hash, timestamp_s, "
                            "note) VALUES ($1, $2, $3, $4)",
                            pg::Params()
                                .Add(static_cast<int64_t>(r.tree_size))
                                .AddBytes(HashBytes(r.root_hash))
                                .Add(r.timestamp_unix_seconds)
                                .Add(r.note)));
  }
  if (!c.postings.empty()) TD_RETURN_IF_ERROR(InsertEntries(c));
  return Status::Ok();
}

Status PgLedgerWriter::LockUsers(const LedgerChanges& c) {
  std::vector<int64_t> ids;
  for (const auto& [user_id, xp] : c.add_user_xp) ids.push_back(user_id);
  for (const auto& a : c.xp_awards) ids.push_back(a.user_id);
  for (const auto& r : c.add_daily_rewards) ids.push_back(r.user_id);
  for (const auto& g : c.add_gold_results) ids.push_back(g.user_id);
  for (const UserGameRow& u : c.upsert_user_game) ids.push_back(u.user_id);
  for (const auto& [user_id, level] : c.set_user_level) ids.push_back(user_id);
  for (const CheckinRow& r : c.insert_checkins) ids.push_back(r.user_id);
  if (ids.empty()) return Status::Ok();
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::string array = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) array += ',';
    array += std::to_string(ids[i]);
  }
  array += '}';
  return conn_->Exec("SELECT id FROM users WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
                     pg::Params().Add(array))
      .status();
}

Result<pg::Rows> PgLedgerReader::Query(const std::string& sql, const pg::Params& params) {
  if (conn_ != nullptr) return conn_->Exec(sql, params);
  TD_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_->Acquire());
  return conn->Exec(sql, params);
}

Result<int64_t> PgLedgerReader::Balance(std::string_view account, ledger::Asset asset) {
  TD_ASSIGN_OR_RETURN(
      pg::Rows rows,
      Query("SELECT balance FROM ledger_balances WHERE account = $1 AND asset = $2",
            pg::Params().Add(account).Add(ledger::AssetName(asset))));
  return rows.rows() > 0 ? rows.Int(0, 0) : 0;
}

Result<Balances> PgLedgerReader::BalancesOf(std::string_view account) {
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
                      Query("SELECT asset, balance FROM ledger_balances WHERE account = $1",
                            pg::Params().Add(account)));
  Balances b;
  for (int r = 0; r < rows.rows(); ++r) (rows.View(r, 0) == "AGT" ? b.agt : b.aia) = rows.Int(r, 1);
  return b;
}

Result<std::vector<ledger::StoredBalance>> PgLedgerReader::AllBalances() {
  TD_ASSIGN_OR_RETURN(pg::Rows rows, Query("SELECT account, asset, balance FROM ledger_balances "
                                           "ORDER BY account COLLATE \"C\", asset COLLATE \"C\""));
  std::vector<ledger::StoredBalance> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) {
    ledger::StoredBalance b;
    b.account = rows.Text(r, 0);
    TD_ASSIGN_OR_RETURN(b.asset, ledger::ParseAsset(rows.View(r, 1), "ledger_balances.asset"));
    b.balance = rows.Int(r, 2);
    out.push_back(std::move(b));
  }
  return out;
}

Result<std::vector<LedgerEntryRow>> PgLedgerReader::ReadEntries(int64_t after_id, int limit) {
  static const std::string sql = std::string(kEntryColumns) + "WHERE id > $1 ORDER BY id LIMIT $2";
  TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, pg::Params().Add(after_id).Add(limit)));
  return ReadEntryRows(rows);
}

Result<std::vector<LedgerEntryRow>> PgLedgerReader::ReadUnsequenced(int limit) {
  static const std::string sql =
      std::string(kEntryColumns) + "WHERE leaf_index IS NULL ORDER BY id LIMIT $1";
  TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, pg::Params().Add(limit)));
  return ReadEntryRows(rows);
}

Result<std::optional<LedgerEntryRow>> PgLedgerReader::EntryAtLeaf(uint64_t leaf_index) {
  static const std::string sql = std::string(kEntryColumns) + "WHERE leaf_index = $1";
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
                      Query(sql, pg::Params().Add(static_cast<int64_t>(leaf_index))));
  if (rows.rows() == 0) return std::optional<LedgerEntryRow>();
  TD_ASSIGN_OR_RETURN(LedgerEntryRow row, ReadEntryRow(rows, 0));
  return std::optional<LedgerEntryRow>(std::move(row));
}

Result<uint64_t> PgLedgerReader::SequencedCount() {
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
                      Query("SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM ledger_entries"));
  return static_cast<uint64_t>(rows.Int(0, 0));
}

Result<ledger::Hash> PgLedgerReader::MerkleNode(ledger::NodeId id) {
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
                      Query("SELECT hash FROM ledger_nodes WHERE level = $1 AND idx = $2",
                            pg::Params().Add(id.level).Add(static_cast<int64_t>(id.index))));
  if (rows.rows() == 0) {
    return Status::NotFound("no Merkle node at level " + std::to_string(id.level) + " index " +
                            std::to_string(id.index));
  }
  return HashAt(rows, 0, 0);
}

Result<std::vector<ledger::NodeWrite>> PgLedgerReader::AllMerkleNodes() {
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
                      Query("SELECT level, idx, hash FROM ledger_nodes ORDER BY level, idx"));
  std::vector<ledger::NodeWrite> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) {
    ledger::NodeWrite n;
    n.id = ledger::NodeId{static_cast<uint32_t>(rows.Int(r, 0)),
                          static_cast<uint64_t>(rows.Int(r, 1))};
    TD_ASSIGN_OR_RETURN(n.hash, HashAt(rows, r, 2));
    out.push_back(n);
  }
  return out;
}

Result<std::optional<CheckpointRow>> PgLedgerReader::LatestCheckpoint() {
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
                      Query("SELECT tree_size, root_hash, timestamp_s, note FROM ledger_checkpoints "
                            "ORDER BY tree_size DESC LIMIT 1"));
  if (rows.rows() == 0) return std::optional<CheckpointRow>();
  TD_ASSIGN_OR_RETURN(CheckpointRow row, ReadCheckpointRow(rows, 0));
  return std::optional<CheckpointRow>(std::move(row));
}

Result<std::vector<CheckpointRow>> PgLedgerReader::AllCheckpoints() {
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
                      Query("SELECT tree_size, root_hash, timestamp_s, note FROM ledger_checkpoints "
                            "ORDER BY tree_size"));
  std::vector<CheckpointRow> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) {
    TD_ASSIGN_OR_RETURN(CheckpointRow row, ReadCheckpointRow(rows, r));
    out.push_back(std::move(row));
  }
  return out;
}

Result<std::optional<CheckinRow>> PgLedgerReader::LatestCheckin(int64_t user_id) {
  TD_ASSIGN_OR_RETURN(
      pg::Rows rows,
      Query("SELECT user_id, day, streak, bonus_aia, created_at_ms FROM checkins "
            "WHERE user_id = $1 ORDER BY day DESC LIMIT 1",
            pg::Params().Add(user_id)));
  if (rows.rows() == 0) return std::optional<CheckinRow>();
  return std::optional<CheckinRow>(CheckinRow{rows.Int(0, 0), rows.Int(0, 1),
                                              static_cast<int32_t>(rows.Int(0, 2)),
                                              rows.Int(0, 3), rows.Int(0, 4)});
}

Result<std::optional<int64_t>> PgLedgerReader::ReferrerOf(int64_t user_id) {
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
                      Query("SELECT referrer_id FROM referrals WHERE referee_id = $1",
                            pg::Params().Add(user_id)));
  if (rows.rows() == 0) return std::optional<int64_t>();
  return std::optional<int64_t>(rows.Int(0, 0));
}

Result<std::optional<int64_t>> PgLedgerReader::UserIdByReferralCode(std::string_view code) {
  TD_ASSIGN_OR_RETURN(pg::Rows rows, Query("SELECT id FROM users WHERE referral_code = $1",
                                           pg::Params().Add(code)));
  if (rows.rows() == 0) return std::optional<int64_t>();
  return std::optional<int64_t>(rows.Int(0, 0));
}

Result<int64_t> PgLedgerReader::PendingRewardAia(int64_t user_id) {
  TD_ASSIGN_OR_RETURN(
      pg::Rows rows,
      Query("SELECT COALESCE(SUM(p.reward_aia), 0) FROM answers a "
            "JOIN projects p ON p.id = a.project_id WHERE a.user_id = $1 AND a.verdict = 'pending'",
            pg::Params().Add(user_id)));
  return rows.Int(0, 0);
}

Result<std::optional<UserGameRow>> PgLedgerReader::UserGame(int64_t user_id) {
  TD_ASSIGN_OR_RETURN(
      pg::Rows rows,
      Query("SELECT user_id, reputation, paused_until_day FROM user_game WHERE user_id = $1",
            pg::Params().Add(user_id)));
  if (rows.rows() == 0) return std::optional<UserGameRow>();
  return std::optional<UserGameRow>(
      UserGameRow{rows.Int(0, 0), static_cast<int32_t>(rows.Int(0, 1)), rows.Int(0, 2)});
}

Result<std::vector<GoldDay>> PgLedgerReader::GoldHistory(int64_t user_id) {
  TD_ASSIGN_OR_RETURN(
      pg::Rows rows,
      Query("SELECT day, passes, failures FROM gold_results WHERE user_id = $1 ORDER BY day",
            pg::Params().Add(user_id)));
  std::vector<GoldDay> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) {
    out.push_back(GoldDay{rows.Int(r, 0), rows.Int(r, 1), rows.Int(r, 2)});
  }
  return out;
}

Result<int64_t> PgLedgerReader::DailyRewardAia(int64_t user_id, int64_t day) {
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
                      Query("SELECT aia FROM daily_rewards WHERE user_id = $1 AND day = $2",
                            pg::Params().Add(user_id).Add(day)));
  return rows.rows() > 0 ? rows.Int(0, 0) : 0;
}

Result<std::vector<LeaderboardRow>> PgLedgerReader::Leaderboard(int64_t first_day,
                                                                int64_t last_day, int limit) {
  TD_ASSIGN_OR_RETURN(
      pg::Rows rows,
      Query("SELECT x.user_id, u.display_name, SUM(x.xp) AS total FROM xp_awards x "
            "JOIN users u ON u.id = x.user_id WHERE x.day BETWEEN $1 AND $2 "
            "GROUP BY x.user_id, u.display_name HAVING SUM(x.xp) > 0 "
            "ORDER BY total DESC, x.user_id LIMIT $3",
            pg::Params().Add(first_day).Add(last_day).Add(limit)));
  std::vector<LeaderboardRow> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) {
    out.push_back(LeaderboardRow{rows.Int(r, 0), rows.Text(r, 1), rows.Int(r, 2)});
  }
  return out;
}

}  // namespace tinydata::store
