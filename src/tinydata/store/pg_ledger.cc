#include "tinydata/store/pg_ledger.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
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
    return Status::DataLoss("stored hash has " + std::to_string(bytes.size()) + " bytes, not 32");
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

Status Exec(pg::Connection& conn, const std::string& sql, const pg::Params& params) {
  return conn.Exec(sql, params).status();
}

}  // namespace

// Each kind of change is one statement over arrays (unnest), however many rows it has: a
// settlement of seven answers costs a dozen round trips, not a hundred. Rows that add to the
// same key are summed first (a statement may not update one row twice); rows that set a value
// keep the batch's last one - as applying them one by one would.

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
  std::vector<std::string> accounts;
  std::vector<std::string> assets;
  for (const auto& [key, balance] : balances) {
    accounts.push_back(key.first);
    assets.push_back(key.second);
  }
  TD_ASSIGN_OR_RETURN(
      pg::Rows locked,
      conn_->Exec("INSERT INTO ledger_balances (account, asset, balance) "
                  "SELECT a, s, 0 FROM unnest($1::text[], $2::text[]) AS u(a, s) "
                  "ORDER BY a COLLATE \"C\", s COLLATE \"C\" "
                  "ON CONFLICT (account, asset) DO UPDATE SET balance = ledger_balances.balance "
                  "RETURNING account, asset, balance",
                  pg::Params().Add(pg::TextArray(accounts)).Add(pg::TextArray(assets))));
  for (int r = 0; r < locked.rows(); ++r) {
    balances[Key{locked.Text(r, 0), locked.Text(r, 1)}] = locked.Int(r, 2);
  }
  std::vector<std::string> keys;
  for (const ledger::Posting& p : c.postings) keys.push_back(ledger::EffectiveIdempotencyKey(p));
  TD_ASSIGN_OR_RETURN(
      pg::Rows taken,
      conn_->Exec(
          "SELECT idempotency_key FROM ledger_entries WHERE idempotency_key = ANY($1::text[])",
          pg::Params().Add(pg::TextArray(keys))));
  std::set<std::string> existing;
  for (int r = 0; r < taken.rows(); ++r) existing.insert(taken.Text(r, 0));

  class View final : public ledger::LedgerView {
   public:
    View(const std::map<Key, int64_t>& balances, const std::set<std::string>& keys)
        : balances_(balances), keys_(keys) {}
    Result<int64_t> Balance(std::string_view account, ledger::Asset asset) const override {
      auto it = balances_.find(Key{std::string(account), std::string(ledger::AssetName(asset))});
      if (it == balances_.end()) {
        return Status::Internal("balance of " + std::string(account) + " was not locked");
      }
      return it->second;
    }
    Result<bool> HasIdempotencyKey(std::string_view key) const override {
      return keys_.count(std::string(key)) > 0;
    }

   private:
    const std::map<Key, int64_t>& balances_;
    const std::set<std::string>& keys_;
  };
  TD_RETURN_IF_ERROR(ledger::ValidatePostings(c.postings, View(balances, existing)));

  std::map<Key, int64_t> deltas;
  for (const ledger::Posting& p : c.postings) {
    const std::string asset(ledger::AssetName(p.asset));
    deltas[Key{p.debit_account, asset}] -= p.amount;
    deltas[Key{p.credit_account, asset}] += p.amount;
  }
  accounts.clear();
  assets.clear();
  std::vector<int64_t> amounts;
  for (const auto& [key, delta] : deltas) {
    if (delta == 0) continue;
    accounts.push_back(key.first);
    assets.push_back(key.second);
    amounts.push_back(delta);
  }
  if (accounts.empty()) return Status::Ok();
  TD_ASSIGN_OR_RETURN(
      pg::Rows moved,
      conn_->Exec("UPDATE ledger_balances b SET balance = b.balance + d.delta "
                  "FROM unnest($1::text[], $2::text[], $3::bigint[]) AS d(account, asset, delta) "
                  "WHERE b.account = d.account AND b.asset = d.asset",
                  pg::Params()
                      .Add(pg::TextArray(accounts))
                      .Add(pg::TextArray(assets))
                      .Add(pg::IntArray(amounts))));
  if (moved.affected() != static_cast<int64_t>(accounts.size())) {
    return Status::NotFound("a balance to move was not locked");
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
  std::vector<int64_t> ids;
  std::vector<std::string> debits, credits, assets, reasons, references, keys;
  std::vector<int64_t> amounts;
  for (size_t i = 0; i < c.postings.size(); ++i) {
    const ledger::Posting& p = c.postings[i];
    ids.push_back(first_id + static_cast<int64_t>(i));
    debits.push_back(p.debit_account);
    credits.push_back(p.credit_account);
    assets.emplace_back(ledger::AssetName(p.asset));
    amounts.push_back(p.amount);
    reasons.push_back(p.reason);
    references.push_back(p.reference);
    keys.push_back(ledger::EffectiveIdempotencyKey(p));
  }
  // A concurrent transaction may commit one of the keys after the rules looked: the insert waits
  // for it and then skips that row, which reads as the rules' own refusal.
  TD_ASSIGN_OR_RETURN(
      pg::Rows inserted,
      conn_->Exec("INSERT INTO ledger_entries (id, created_at_s, debit_account, credit_account, "
                  "asset, amount, reason, reference, idempotency_key) "
                  "SELECT e.id, $2, e.debit, e.credit, e.asset, e.amount, e.reason, e.reference, "
                  "e.key FROM unnest($1::bigint[], $3::text[], $4::text[], $5::text[], "
                  "$6::bigint[], $7::text[], $8::text[], $9::text[]) "
                  "AS e(id, debit, credit, asset, amount, reason, reference, key) ORDER BY e.id "
                  "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                  pg::Params()
                      .Add(pg::IntArray(ids))
                      .Add(c.posted_at_unix_seconds)
                      .Add(pg::TextArray(debits))
                      .Add(pg::TextArray(credits))
                      .Add(pg::TextArray(assets))
                      .Add(pg::IntArray(amounts))
                      .Add(pg::TextArray(reasons))
                      .Add(pg::TextArray(references))
                      .Add(pg::TextArray(keys))));
  if (inserted.rows() != n) {
    std::set<int64_t> done;
    for (int r = 0; r < inserted.rows(); ++r) done.insert(inserted.Int(r, 0));
    size_t i = 0;
    while (i < ids.size() && done.count(ids[i])) ++i;
    return Status::AlreadyExists(
        "idempotency key '" + keys[std::min(i, keys.size() - 1)] + "' was already posted",
        "postings[" + std::to_string(i) + "].idempotency_key");
  }
  return Status::Ok();
}

Status PgLedgerWriter::Apply(const LedgerChanges& c) {
  pg::Connection& conn = *conn_;
  TD_RETURN_IF_ERROR(LockUsers(c));
  if (!c.postings.empty()) TD_RETURN_IF_ERROR(ApplyPostings(c));
  if (!c.add_user_xp.empty()) {
    std::map<int64_t, int64_t> xp;
    for (const auto& [user_id, add] : c.add_user_xp) xp[user_id] += add;
    std::vector<int64_t> users, adds;
    for (const auto& [user_id, add] : xp) {
      users.push_back(user_id);
      adds.push_back(add);
    }
    TD_ASSIGN_OR_RETURN(pg::Rows rows,
                        conn.Exec("UPDATE users u SET xp = u.xp + d.xp "
                                  "FROM unnest($1::bigint[], $2::bigint[]) AS d(id, xp) "
                                  "WHERE u.id = d.id",
                                  pg::Params().Add(pg::IntArray(users)).Add(pg::IntArray(adds))));
    if (rows.affected() != static_cast<int64_t>(users.size())) {
      return Status::NotFound("add user xp: no such row");
    }
  }
  if (!c.xp_awards.empty()) {
    std::vector<std::string> references;
    std::vector<int64_t> users, days, xps;
    for (const auto& a : c.xp_awards) {
      references.push_back(a.reference);
      users.push_back(a.user_id);
      days.push_back(a.day);
      xps.push_back(a.xp);
    }
    TD_RETURN_IF_ERROR(Exec(conn,
                            "INSERT INTO xp_awards (reference, user_id, day, xp) "
                            "SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], "
                            "$4::bigint[])",
                            pg::Params()
                                .Add(pg::TextArray(references))
                                .Add(pg::IntArray(users))
                                .Add(pg::IntArray(days))
                                .Add(pg::IntArray(xps))));
  }
  if (!c.add_daily_rewards.empty()) {
    std::map<std::pair<int64_t, int64_t>, int64_t> sums;  // (user, day) -> aia
    for (const auto& r : c.add_daily_rewards) sums[{r.user_id, r.day}] += r.aia;
    std::vector<int64_t> users, days, aias;
    for (const auto& [key, aia] : sums) {
      users.push_back(key.first);
      days.push_back(key.second);
      aias.push_back(aia);
    }
    TD_RETURN_IF_ERROR(Exec(
        conn,
        "INSERT INTO daily_rewards (user_id, day, aia) "
        "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) "
        "ON CONFLICT (user_id, day) "
        "DO UPDATE SET aia = daily_rewards.aia + excluded.aia",
        pg::Params().Add(pg::IntArray(users)).Add(pg::IntArray(days)).Add(pg::IntArray(aias))));
  }
  if (!c.add_gold_results.empty()) {
    struct Counts {
      int64_t passes = 0;
      int64_t failures = 0;
      int64_t unrevealed = 0;
    };
    std::map<std::pair<int64_t, int64_t>, Counts> sums;
    for (const auto& g : c.add_gold_results) {
      Counts& counts = sums[{g.user_id, g.day}];
      counts.passes += g.passes;
      counts.failures += g.failures;
      counts.unrevealed += g.unrevealed_passes;
    }
    std::vector<int64_t> users, days, passes, failures, unrevealed;
    for (const auto& [key, counts] : sums) {
      users.push_back(key.first);
      days.push_back(key.second);
      passes.push_back(counts.passes);
      failures.push_back(counts.failures);
      unrevealed.push_back(counts.unrevealed);
    }
    TD_RETURN_IF_ERROR(Exec(conn,
                            "INSERT INTO gold_results (user_id, day, passes, failures, "
                            "unrevealed_passes) SELECT * FROM unnest($1::bigint[], $2::bigint[], "
                            "$3::bigint[], $4::bigint[], $5::bigint[]) ON CONFLICT (user_id, day) "
                            "DO UPDATE SET passes = gold_results.passes + excluded.passes, "
                            "failures = gold_results.failures + excluded.failures, "
                            "unrevealed_passes = gold_results.unrevealed_passes + "
                            "excluded.unrevealed_passes",
                            pg::Params()
                                .Add(pg::IntArray(users))
                                .Add(pg::IntArray(days))
                                .Add(pg::IntArray(passes))
                                .Add(pg::IntArray(failures))
                                .Add(pg::IntArray(unrevealed))));
  }
  if (!c.upsert_user_game.empty()) {
    std::map<int64_t, const UserGameRow*> last;
    for (const UserGameRow& u : c.upsert_user_game) last[u.user_id] = &u;
    std::vector<int64_t> users, reputations, paused;
    for (const auto& [user_id, row] : last) {
      users.push_back(user_id);
      reputations.push_back(row->reputation);
      paused.push_back(row->paused_until_day);
    }
    TD_RETURN_IF_ERROR(Exec(conn,
                            "INSERT INTO user_game (user_id, reputation, paused_until_day) "
                            "SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[]) "
                            "ON CONFLICT (user_id) DO UPDATE SET "
                            "reputation = excluded.reputation, "
                            "paused_until_day = excluded.paused_until_day",
                            pg::Params()
                                .Add(pg::IntArray(users))
                                .Add(pg::IntArray(reputations))
                                .Add(pg::IntArray(paused))));
  }
  if (!c.set_user_level.empty()) {
    std::map<int64_t, int32_t> last;
    for (const auto& [user_id, level] : c.set_user_level) last[user_id] = level;
    std::vector<int64_t> users, levels;
    for (const auto& [user_id, level] : last) {
      users.push_back(user_id);
      levels.push_back(level);
    }
    TD_ASSIGN_OR_RETURN(
        pg::Rows rows,
        conn.Exec("UPDATE users u SET level = d.level "
                  "FROM unnest($1::bigint[], $2::int[]) AS d(id, level) WHERE u.id = d.id",
                  pg::Params().Add(pg::IntArray(users)).Add(pg::IntArray(levels))));
    if (rows.affected() != static_cast<int64_t>(users.size())) {
      return Status::NotFound("set user level: no such row");
    }
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
  if (!c.assign_leaves.empty()) {
    std::vector<int64_t> entries, indexes;
    std::vector<std::string> hashes;
    for (const LeafAssignment& l : c.assign_leaves) {
      entries.push_back(l.entry_id);
      indexes.push_back(static_cast<int64_t>(l.leaf_index));
      hashes.push_back(ledger::HexEncode(l.leaf_hash));
    }
    TD_ASSIGN_OR_RETURN(
        pg::Rows rows,
        conn.Exec(
            "UPDATE ledger_entries e SET leaf_index = l.idx, leaf_hash = decode(l.hash, 'hex') "
            "FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS l(id, idx, hash) "
            "WHERE e.id = l.id AND e.leaf_index IS NULL",
            pg::Params()
                .Add(pg::IntArray(entries))
                .Add(pg::IntArray(indexes))
                .Add(pg::TextArray(hashes))));
    if (rows.affected() != static_cast<int64_t>(entries.size())) {
      return Status::Conflict("an entry to sequence is missing or already sequenced");
    }
  }
  if (!c.insert_nodes.empty()) {
    std::vector<int64_t> levels, indexes;
    std::vector<std::string> hashes;
    for (const ledger::NodeWrite& n : c.insert_nodes) {
      levels.push_back(n.id.level);
      indexes.push_back(static_cast<int64_t>(n.id.index));
      hashes.push_back(ledger::HexEncode(n.hash));
    }
    TD_RETURN_IF_ERROR(
        Exec(conn,
             "INSERT INTO ledger_nodes (level, idx, hash) "
             "SELECT n.level, n.idx, decode(n.hash, 'hex') "
             "FROM unnest($1::int[], $2::bigint[], $3::text[]) AS n(level, idx, hash)",
             pg::Params()
                 .Add(pg::IntArray(levels))
                 .Add(pg::IntArray(indexes))
                 .Add(pg::TextArray(hashes))));
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
  return conn_
      ->Exec("SELECT id FROM users WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE",
             pg::Params().Add(pg::IntArray(ids)))
      .status();
}

PgLedgerReader::~PgLedgerReader() {
  if (owned_) (void)owned_->ExecScript("COMMIT");
}

Result<pg::Rows> PgLedgerReader::Query(const std::string& sql, const pg::Params& params) {
  if (conn_ != nullptr) return conn_->Exec(sql, params);
  TD_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_->Acquire());
  return conn->Exec(sql, params);
}

Result<int64_t> PgLedgerReader::Balance(std::string_view account, ledger::Asset asset) {
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
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

Result<std::optional<LedgerEntryRow>> PgLedgerReader::EntryByKey(std::string_view key) {
  static const std::string sql = std::string(kEntryColumns) + "WHERE idempotency_key = $1";
  TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, pg::Params().Add(key)));
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
  TD_ASSIGN_OR_RETURN(
      pg::Rows rows, Query("SELECT tree_size, root_hash, timestamp_s, note FROM ledger_checkpoints "
                           "ORDER BY tree_size DESC LIMIT 1"));
  if (rows.rows() == 0) return std::optional<CheckpointRow>();
  TD_ASSIGN_OR_RETURN(CheckpointRow row, ReadCheckpointRow(rows, 0));
  return std::optional<CheckpointRow>(std::move(row));
}

Result<std::vector<CheckpointRow>> PgLedgerReader::AllCheckpoints() {
  TD_ASSIGN_OR_RETURN(
      pg::Rows rows, Query("SELECT tree_size, root_hash, timestamp_s, note FROM ledger_checkpoints "
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
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
                      Query("SELECT user_id, day, streak, bonus_aia, created_at_ms FROM checkins "
                            "WHERE user_id = $1 ORDER BY day DESC LIMIT 1",
                            pg::Params().Add(user_id)));
  if (rows.rows() == 0) return std::optional<CheckinRow>();
  return std::optional<CheckinRow>(CheckinRow{rows.Int(0, 0), rows.Int(0, 1),
                                              static_cast<int32_t>(rows.Int(0, 2)), rows.Int(0, 3),
                                              rows.Int(0, 4)});
}

Result<std::optional<int64_t>> PgLedgerReader::ReferrerOf(int64_t user_id) {
  TD_ASSIGN_OR_RETURN(
      pg::Rows rows,
      Query("SELECT referrer_id FROM referrals WHERE referee_id = $1", pg::Params().Add(user_id)));
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
      Query("SELECT day, passes, failures, unrevealed_passes FROM gold_results WHERE user_id = $1 "
            "ORDER BY day",
            pg::Params().Add(user_id)));
  std::vector<GoldDay> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) {
    out.push_back(GoldDay{rows.Int(r, 0), rows.Int(r, 1), rows.Int(r, 2), rows.Int(r, 3)});
  }
  return out;
}

Result<int64_t> PgLedgerReader::DailyRewardAia(int64_t user_id, int64_t day) {
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
                      Query("SELECT aia FROM daily_rewards WHERE user_id = $1 AND day = $2",
                            pg::Params().Add(user_id).Add(day)));
  return rows.rows() > 0 ? rows.Int(0, 0) : 0;
}

Result<std::vector<LeaderboardRow>> PgLedgerReader::Leaderboard(int64_t first_day, int64_t last_day,
                                                                int limit) {
  TD_ASSIGN_OR_RETURN(pg::Rows rows,
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
