#include "tinydata/store/sqlite_ledger.h"

#include <cstring>
#include <string>
#include <utility>

#include "tinydata/store/sqlite_status.h"

namespace tinydata::store {

namespace {

// A statement bound and stepped through one use; resets (not finalizes) a cached statement.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt, bool owned) : db_(db), stmt_(stmt), owned_(owned) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query() {
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  Query& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Query& Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Query& BindHash(int i, const ledger::Hash& h) {
    sqlite3_bind_blob(stmt_, i, h.data(), static_cast<int>(h.size()), SQLITE_TRANSIENT);
    return *this;
  }

  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) status_ = SqliteError(db_, "sqlite step");
    return false;
  }
  Status Exec() {
    while (Step()) {
    }
    return status_;
  }
  // Runs the statement and fails unless it changed exactly one row.
  Status ExecOne(std::string_view what) {
    TD_RETURN_IF_ERROR(Exec());
    if (sqlite3_changes(db_) != 1) return Status::NotFound(std::string(what) + ": no such row");
    return Status::Ok();
  }
  const Status& status() const { return status_; }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  // A 32-byte blob column; DataLoss when it has another size.
  Result<ledger::Hash> HashAt(int col) const {
    ledger::Hash h{};
    if (sqlite3_column_bytes(stmt_, col) != static_cast<int>(h.size())) {
      return Status::DataLoss("stored hash has " +
                              std::to_string(sqlite3_column_bytes(stmt_, col)) + " bytes, not 32");
    }
    std::memcpy(h.data(), sqlite3_column_blob(stmt_, col), h.size());
    return h;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool owned_;
  Status status_;
};

Result<std::unique_ptr<Query>> PrepareOnce(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    return SqliteError(db, std::string("sqlite prepare: ") + sql);
  }
  return std::make_unique<Query>(db, stmt, /*owned=*/true);
}

constexpr const char* kEntryColumns =
    "SELECT id, created_at_s, debit_account, credit_account, asset, amount, reason, reference, "
    "idempotency_key, leaf_index, leaf_hash FROM ledger_entries ";

Result<LedgerEntryRow> ReadEntryRow(const Query& q) {
  LedgerEntryRow row;
  ledger::JournalEntry& e = row.entry;
  e.id = q.Int(0);
  e.created_at_unix_seconds = q.Int(1);
  e.debit_account = q.Text(2);
  e.credit_account = q.Text(3);
  TD_ASSIGN_OR_RETURN(e.asset, ledger::ParseAsset(q.Text(4), "ledger_entries.asset"));
  e.amount = q.Int(5);
  e.reason = q.Text(6);
  e.reference = q.Text(7);
  e.idempotency_key = q.Text(8);
  if (!q.IsNull(9)) row.leaf_index = static_cast<uint64_t>(q.Int(9));
  if (!q.IsNull(10)) {
    TD_ASSIGN_OR_RETURN(ledger::Hash h, q.HashAt(10));
    row.leaf_hash = h;
  }
  return row;
}

CheckpointRow ReadCheckpointRow(const Query& q, Status* status) {
  CheckpointRow c;
  c.tree_size = static_cast<uint64_t>(q.Int(0));
  auto h = q.HashAt(1);
  if (h.ok()) {
    c.root_hash = *h;
  } else {
    *status = h.status();
  }
  c.timestamp_unix_seconds = q.Int(2);
  c.note = q.Text(3);
  return c;
}

constexpr const char* kSelectBalance =
    "SELECT balance FROM ledger_balances WHERE account = ?1 AND asset = ?2";
constexpr const char* kHasKey = "SELECT 1 FROM ledger_entries WHERE idempotency_key = ?1";

}  // namespace

SqliteLedgerWriter::~SqliteLedgerWriter() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
}

Result<sqlite3_stmt*> SqliteLedgerWriter::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return SqliteError(db_, std::string("sqlite prepare: ") + sql);
  }
  cache_.emplace(sql, stmt);
  return stmt;
}

#define TD_QUERY(name, sql)                                     \
  TD_ASSIGN_OR_RETURN(sqlite3_stmt* name##_stmt, Prepare(sql)); \
  Query name(db_, name##_stmt, /*owned=*/false)

Status SqliteLedgerWriter::Apply(const LedgerChanges& c) {
  if (!c.postings.empty()) {
    // The balances the rules see are those of this transaction: committed rows plus the
    // batches applied before this one in the same group commit.
    class View final : public ledger::LedgerView {
     public:
      explicit View(SqliteLedgerWriter& w) : w_(w) {}
      Result<int64_t> Balance(std::string_view account, ledger::Asset asset) const override {
        TD_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, w_.Prepare(kSelectBalance));
        Query q(w_.db_, stmt, false);
        q.Bind(1, account).Bind(2, ledger::AssetName(asset));
        const int64_t balance = q.Step() ? q.Int(0) : 0;
        TD_RETURN_IF_ERROR(q.status());
        return balance;
      }
      Result<bool> HasIdempotencyKey(std::string_view key) const override {
        TD_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, w_.Prepare(kHasKey));
        Query q(w_.db_, stmt, false);
        q.Bind(1, key);
        const bool found = q.Step();
        TD_RETURN_IF_ERROR(q.status());
        return found;
      }

     private:
      SqliteLedgerWriter& w_;
    };
    TD_RETURN_IF_ERROR(ledger::ValidatePostings(c.postings, View(*this)));
    for (const ledger::Posting& p : c.postings) {
      {
        TD_QUERY(q,
                 "INSERT INTO ledger_entries (created_at_s, debit_account, credit_account, asset, "
                 "amount, reason, reference, idempotency_key) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        q.Bind(1, c.posted_at_unix_seconds)
            .Bind(2, p.debit_account)
            .Bind(3, p.credit_account)
            .Bind(4, ledger::AssetName(p.asset))
            .Bind(5, p.amount)
            .Bind(6, p.reason)
            .Bind(7, p.reference)
            .Bind(8, ledger::EffectiveIdempotencyKey(p));
        TD_RETURN_IF_ERROR(q.Exec());
      }
      for (auto [account, delta] :
           {std::pair{&p.debit_account, -p.amount}, std::pair{&p.credit_account, p.amount}}) {
        TD_QUERY(q,
                 "INSERT INTO ledger_balances (account, asset, balance) VALUES (?1, ?2, ?3) "
                 "ON CONFLICT (account, asset) DO UPDATE SET balance = balance + excluded.balance");
        q.Bind(1, *account).Bind(2, ledger::AssetName(p.asset)).Bind(3, delta);
        TD_RETURN_IF_ERROR(q.Exec());
      }
    }
  }
  for (const auto& [user_id, xp] : c.add_user_xp) {
    TD_QUERY(q, "UPDATE users SET xp = xp + ?2 WHERE id = ?1");
    q.Bind(1, user_id).Bind(2, xp);
    TD_RETURN_IF_ERROR(q.ExecOne("add user xp"));
  }
  for (const auto& a : c.xp_awards) {
    TD_QUERY(q, "INSERT INTO xp_awards (reference, user_id, day, xp) VALUES (?1, ?2, ?3, ?4)");
    q.Bind(1, a.reference).Bind(2, a.user_id).Bind(3, a.day).Bind(4, a.xp);
    TD_RETURN_IF_ERROR(q.Exec());
  }
  for (const auto& r : c.add_daily_rewards) {
    TD_QUERY(q,
             "INSERT INTO daily_rewards (user_id, day, aia) VALUES (?1, ?2, ?3) "
             "ON CONFLICT (user_id, day) DO UPDATE SET aia = aia + excluded.aia");
    q.Bind(1, r.user_id).Bind(2, r.day).Bind(3, r.aia);
    TD_RETURN_IF_ERROR(q.Exec());
  }
  for (const auto& g : c.add_gold_results) {
    TD_QUERY(q,
             "INSERT INTO gold_results (user_id, day, passes, failures, unrevealed_passes) "
             "VALUES (?1, ?2, ?3, ?4, ?5) "
             "ON CONFLICT (user_id, day) DO UPDATE SET passes = passes + excluded.passes, "
             "failures = failures + excluded.failures, "
             "unrevealed_passes = unrevealed_passes + excluded.unrevealed_passes");
    q.Bind(1, g.user_id).Bind(2, g.day).Bind(3, g.passes).Bind(4, g.failures).Bind(5, g.unrevealed_passes);
    TD_RETURN_IF_ERROR(q.Exec());
  }
  for (const UserGameRow& u : c.upsert_user_game) {
    TD_QUERY(q,
             "INSERT INTO user_game (user_id, reputation, paused_until_day) VALUES (?1, ?2, ?3) "
             "ON CONFLICT (user_id) DO UPDATE SET reputation = excluded.reputation, "
             "paused_until_day = excluded.paused_until_day");
    q.Bind(1, u.user_id).Bind(2, int64_t{u.reputation}).Bind(3, u.paused_until_day);
    TD_RETURN_IF_ERROR(q.Exec());
  }
  for (const auto& [user_id, level] : c.set_user_level) {
    TD_QUERY(q, "UPDATE users SET level = ?2 WHERE id = ?1");
    q.Bind(1, user_id).Bind(2, int64_t{level});
    TD_RETURN_IF_ERROR(q.ExecOne("set user level"));
  }
  for (const CheckinRow& r : c.insert_checkins) {
    TD_QUERY(q,
             "INSERT INTO checkins (user_id, day, streak, bonus_aia, created_at_ms) "
             "VALUES (?1, ?2, ?3, ?4, ?5)");
    q.Bind(1, r.user_id).Bind(2, r.day).Bind(3, int64_t{r.streak}).Bind(4, r.bonus_aia);
    q.Bind(5, r.created_at_ms);
    TD_RETURN_IF_ERROR(q.Exec());
  }
  for (const ReferralRow& r : c.insert_referrals) {
    TD_QUERY(q,
             "INSERT INTO referrals (referee_id, referrer_id, created_at_ms) VALUES (?1, ?2, ?3)");
    q.Bind(1, r.referee_id).Bind(2, r.referrer_id).Bind(3, r.created_at_ms);
    TD_RETURN_IF_ERROR(q.Exec());
  }
  for (const LeafAssignment& l : c.assign_leaves) {
    TD_QUERY(q,
             "UPDATE ledger_entries SET leaf_index = ?2, leaf_hash = ?3 "
             "WHERE id = ?1 AND leaf_index IS NULL");
    q.Bind(1, l.entry_id).Bind(2, static_cast<int64_t>(l.leaf_index)).BindHash(3, l.leaf_hash);
    TD_RETURN_IF_ERROR(q.Exec());
    if (sqlite3_changes(db_) != 1) {
      return Status::Conflict("entry " + std::to_string(l.entry_id) +
                              " is missing or already sequenced");
    }
  }
  for (const ledger::NodeWrite& n : c.insert_nodes) {
    TD_QUERY(q, "INSERT INTO ledger_nodes (level, idx, hash) VALUES (?1, ?2, ?3)");
    q.Bind(1, int64_t{n.id.level}).Bind(2, static_cast<int64_t>(n.id.index)).BindHash(3, n.hash);
    TD_RETURN_IF_ERROR(q.Exec());
  }
  for (const CheckpointRow& r : c.insert_checkpoints) {
    TD_QUERY(q,
             "INSERT INTO ledger_checkpoints (tree_size, root_hash, timestamp_s, note) "
             "VALUES (?1, ?2, ?3, ?4)");
    q.Bind(1, static_cast<int64_t>(r.tree_size)).BindHash(2, r.root_hash);
    q.Bind(3, r.timestamp_unix_seconds).Bind(4, r.note);
    TD_RETURN_IF_ERROR(q.Exec());
  }
  return Status::Ok();
}

#undef TD_QUERY

namespace {

// Runs `sql` on a read connection: `bind` binds parameters, `row` consumes each row.
template <typename BindFn, typename RowFn>
Status RunRead(const SqliteLedgerReader::WithConnection& with, const char* sql, BindFn bind,
               RowFn row) {
  return with([&](sqlite3* db) -> Status {
    TD_ASSIGN_OR_RETURN(std::unique_ptr<Query> q, PrepareOnce(db, sql));
    bind(*q);
    while (q->Step()) TD_RETURN_IF_ERROR(row(*q));
    return q->status();
  });
}

}  // namespace

Result<int64_t> SqliteLedgerReader::Balance(std::string_view account, ledger::Asset asset) {
  int64_t balance = 0;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_, kSelectBalance,
      [&](Query& q) { q.Bind(1, account).Bind(2, ledger::AssetName(asset)); },
      [&](Query& q) {
        balance = q.Int(0);
        return Status::Ok();
      }));
  return balance;
}

Result<Balances> SqliteLedgerReader::BalancesOf(std::string_view account) {
  Balances b;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_, "SELECT asset, balance FROM ledger_balances WHERE account = ?1",
      [&](Query& q) { q.Bind(1, account); },
      [&](Query& q) {
        (q.Text(0) == "AGT" ? b.agt : b.aia) = q.Int(1);
        return Status::Ok();
      }));
  return b;
}

Result<std::vector<ledger::StoredBalance>> SqliteLedgerReader::AllBalances() {
  std::vector<ledger::StoredBalance> out;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_,
      "SELECT account, asset, balance FROM ledger_balances ORDER BY account, asset", [](Query&) {},
      [&](Query& q) -> Status {
        ledger::StoredBalance b;
        b.account = q.Text(0);
        TD_ASSIGN_OR_RETURN(b.asset, ledger::ParseAsset(q.Text(1), "ledger_balances.asset"));
        b.balance = q.Int(2);
        out.push_back(std::move(b));
        return Status::Ok();
      }));
  return out;
}

namespace {

template <typename BindFn>
Result<std::vector<LedgerEntryRow>> ReadEntryRows(const SqliteLedgerReader::WithConnection& with,
                                                  const std::string& sql, BindFn bind) {
  std::vector<LedgerEntryRow> out;
  TD_RETURN_IF_ERROR(RunRead(with, sql.c_str(), bind, [&](Query& q) -> Status {
    TD_ASSIGN_OR_RETURN(LedgerEntryRow row, ReadEntryRow(q));
    out.push_back(std::move(row));
    return Status::Ok();
  }));
  return out;
}

}  // namespace

Result<std::vector<LedgerEntryRow>> SqliteLedgerReader::ReadEntries(int64_t after_id, int limit) {
  static const std::string sql = std::string(kEntryColumns) + "WHERE id > ?1 ORDER BY id LIMIT ?2";
  return ReadEntryRows(with_connection_, sql,
                       [&](Query& q) { q.Bind(1, after_id).Bind(2, int64_t{limit}); });
}

Result<std::vector<LedgerEntryRow>> SqliteLedgerReader::ReadUnsequenced(int limit) {
  static const std::string sql =
      std::string(kEntryColumns) + "WHERE leaf_index IS NULL ORDER BY id LIMIT ?1";
  return ReadEntryRows(with_connection_, sql, [&](Query& q) { q.Bind(1, int64_t{limit}); });
}

Result<std::optional<LedgerEntryRow>> SqliteLedgerReader::EntryAtLeaf(uint64_t leaf_index) {
  static const std::string sql = std::string(kEntryColumns) + "WHERE leaf_index = ?1";
  TD_ASSIGN_OR_RETURN(auto rows, ReadEntryRows(with_connection_, sql, [&](Query& q) {
                        q.Bind(1, static_cast<int64_t>(leaf_index));
                      }));
  if (rows.empty()) return std::optional<LedgerEntryRow>();
  return std::optional<LedgerEntryRow>(std::move(rows.front()));
}

Result<std::optional<LedgerEntryRow>> SqliteLedgerReader::EntryByKey(std::string_view key) {
  static const std::string sql = std::string(kEntryColumns) + "WHERE idempotency_key = ?1";
  TD_ASSIGN_OR_RETURN(auto rows,
                      ReadEntryRows(with_connection_, sql, [&](Query& q) { q.Bind(1, key); }));
  if (rows.empty()) return std::optional<LedgerEntryRow>();
  return std::optional<LedgerEntryRow>(std::move(rows.front()));
}

Result<uint64_t> SqliteLedgerReader::SequencedCount() {
  int64_t n = 0;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_, "SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM ledger_entries",
      [](Query&) {},
      [&](Query& q) {
        n = q.Int(0);
        return Status::Ok();
      }));
  return static_cast<uint64_t>(n);
}

Result<ledger::Hash> SqliteLedgerReader::MerkleNode(ledger::NodeId id) {
  std::optional<ledger::Hash> hash;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_, "SELECT hash FROM ledger_nodes WHERE level = ?1 AND idx = ?2",
      [&](Query& q) { q.Bind(1, int64_t{id.level}).Bind(2, static_cast<int64_t>(id.index)); },
      [&](Query& q) -> Status {
        TD_ASSIGN_OR_RETURN(hash, q.HashAt(0));
        return Status::Ok();
      }));
  if (!hash) {
    return Status::NotFound("no Merkle node at level " + std::to_string(id.level) + " index " +
                            std::to_string(id.index));
  }
  return *hash;
}

Result<std::vector<ledger::NodeWrite>> SqliteLedgerReader::AllMerkleNodes() {
  std::vector<ledger::NodeWrite> out;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_, "SELECT level, idx, hash FROM ledger_nodes ORDER BY level, idx",
      [](Query&) {},
      [&](Query& q) -> Status {
        ledger::NodeWrite n;
        n.id = ledger::NodeId{static_cast<uint32_t>(q.Int(0)), static_cast<uint64_t>(q.Int(1))};
        TD_ASSIGN_OR_RETURN(n.hash, q.HashAt(2));
        out.push_back(n);
        return Status::Ok();
      }));
  return out;
}

Result<std::optional<CheckpointRow>> SqliteLedgerReader::LatestCheckpoint() {
  std::optional<CheckpointRow> out;
  Status status;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_,
      "SELECT tree_size, root_hash, timestamp_s, note FROM ledger_checkpoints "
      "ORDER BY tree_size DESC LIMIT 1",
      [](Query&) {},
      [&](Query& q) {
        out = ReadCheckpointRow(q, &status);
        return Status::Ok();
      }));
  TD_RETURN_IF_ERROR(status);
  return out;
}

Result<std::vector<CheckpointRow>> SqliteLedgerReader::AllCheckpoints() {
  std::vector<CheckpointRow> out;
  Status status;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_,
      "SELECT tree_size, root_hash, timestamp_s, note FROM ledger_checkpoints ORDER BY tree_size",
      [](Query&) {},
      [&](Query& q) {
        out.push_back(ReadCheckpointRow(q, &status));
        return Status::Ok();
      }));
  TD_RETURN_IF_ERROR(status);
  return out;
}

Result<std::optional<CheckinRow>> SqliteLedgerReader::LatestCheckin(int64_t user_id) {
  std::optional<CheckinRow> out;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_,
      "SELECT user_id, day, streak, bonus_aia, created_at_ms FROM checkins WHERE user_id = ?1 "
      "ORDER BY day DESC LIMIT 1",
      [&](Query& q) { q.Bind(1, user_id); },
      [&](Query& q) {
        out = CheckinRow{q.Int(0), q.Int(1), static_cast<int32_t>(q.Int(2)), q.Int(3), q.Int(4)};
        return Status::Ok();
      }));
  return out;
}

Result<std::optional<int64_t>> SqliteLedgerReader::ReferrerOf(int64_t user_id) {
  std::optional<int64_t> out;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_, "SELECT referrer_id FROM referrals WHERE referee_id = ?1",
      [&](Query& q) { q.Bind(1, user_id); },
      [&](Query& q) {
        out = q.Int(0);
        return Status::Ok();
      }));
  return out;
}

Result<std::optional<int64_t>> SqliteLedgerReader::UserIdByReferralCode(std::string_view code) {
  std::optional<int64_t> out;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_, "SELECT id FROM users WHERE referral_code = ?1",
      [&](Query& q) { q.Bind(1, code); },
      [&](Query& q) {
        out = q.Int(0);
        return Status::Ok();
      }));
  return out;
}

Result<int64_t> SqliteLedgerReader::PendingRewardAia(int64_t user_id) {
  int64_t total = 0;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_,
      "SELECT COALESCE(SUM(p.reward_aia), 0) FROM answers a JOIN projects p ON p.id = a.project_id "
      "WHERE a.user_id = ?1 AND a.verdict = 'pending'",
      [&](Query& q) { q.Bind(1, user_id); },
      [&](Query& q) {
        total = q.Int(0);
        return Status::Ok();
      }));
  return total;
}

Result<std::optional<UserGameRow>> SqliteLedgerReader::UserGame(int64_t user_id) {
  std::optional<UserGameRow> out;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_,
      "SELECT user_id, reputation, paused_until_day FROM user_game WHERE user_id = ?1",
      [&](Query& q) { q.Bind(1, user_id); },
      [&](Query& q) {
        out = UserGameRow{q.Int(0), static_cast<int32_t>(q.Int(1)), q.Int(2)};
        return Status::Ok();
      }));
  return out;
}

Result<std::vector<GoldDay>> SqliteLedgerReader::GoldHistory(int64_t user_id) {
  std::vector<GoldDay> out;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_,
      "SELECT day, passes, failures, unrevealed_passes FROM gold_results WHERE user_id = ?1 "
      "ORDER BY day",
      [&](Query& q) { q.Bind(1, user_id); },
      [&](Query& q) {
        out.push_back(GoldDay{q.Int(0), q.Int(1), q.Int(2), q.Int(3)});
        return Status::Ok();
      }));
  return out;
}

Result<int64_t> SqliteLedgerReader::DailyRewardAia(int64_t user_id, int64_t day) {
  int64_t aia = 0;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_, "SELECT aia FROM daily_rewards WHERE user_id = ?1 AND day = ?2",
      [&](Query& q) { q.Bind(1, user_id).Bind(2, day); },
      [&](Query& q) {
        aia = q.Int(0);
        return Status::Ok();
      }));
  return aia;
}

Result<std::vector<LeaderboardRow>> SqliteLedgerReader::Leaderboard(int64_t first_day,
                                                                    int64_t last_day, int limit) {
  std::vector<LeaderboardRow> out;
  TD_RETURN_IF_ERROR(RunRead(
      with_connection_,
      "SELECT x.user_id, u.display_name, SUM(x.xp) AS total FROM xp_awards x "
      "JOIN users u ON u.id = x.user_id WHERE x.day BETWEEN ?1 AND ?2 "
      "GROUP BY x.user_id HAVING total > 0 ORDER BY total DESC, x.user_id LIMIT ?3",
      [&](Query& q) { q.Bind(1, first_day).Bind(2, last_day).Bind(3, int64_t{limit}); },
      [&](Query& q) {
        out.push_back(LeaderboardRow{q.Int(0), q.Text(1), q.Int(2)});
        return Status::Ok();
      }));
  return out;
}

}  // namespace tinydata::store
