#include "tinydata/store/migrations.h"

#include <chrono>
#include <functional>
#include <memory>
#include <utility>

#include "tinydata/store/ledger_schema.h"
#include "tinydata/store/pg_conn.h"
#include "tinydata/store/sqlite_status.h"

namespace tinydata::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, "accounts, projects, tasks, assignments, answers, worker skills", R"sql(
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  roles INTEGER NOT NULL,
  level INTEGER NOT NULL DEFAULT 1,
  xp INTEGER NOT NULL DEFAULT 0,
  referral_code TEXT NOT NULL UNIQUE,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE tokens (
  token_hash BLOB PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  title TEXT NOT NULL,
  instructions TEXT NOT NULL,
  question_json TEXT NOT NULL,
  domain TEXT NOT NULL,
  tier INTEGER NOT NULL,
  min_level INTEGER NOT NULL,
  min_answers INTEGER NOT NULL,
  max_answers INTEGER NOT NULL,
  target_confidence REAL NOT NULL,
  reward_aia INTEGER NOT NULL,
  gold_rate REAL NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'paused')),
  created_at_ms INTEGER NOT NULL,
  CHECK (1 <= min_answers AND min_answers <= max_answers)
);
CREATE INDEX projects_owner ON projects(owner_id);
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  data_json TEXT NOT NULL,
  gold_json TEXT,
  state TEXT NOT NULL CHECK (state IN ('open', 'retired')),
  consensus_json TEXT NOT NULL DEFAULT '',
  confidence REAL NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL,
  retired_at_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_project ON tasks(project_id, id);
CREATE TABLE assignments (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  project_id INTEGER NOT NULL REFERENCES projects(id),
  issued_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('leased', 'answered', 'expired')),
  UNIQUE (task_id, user_id)
);
CREATE INDEX assignments_project ON assignments(project_id);
CREATE TABLE answers (
  id INTEGER PRIMARY KEY,
  assignment_id INTEGER NOT NULL UNIQUE REFERENCES assignments(id),
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  project_id INTEGER NOT NULL REFERENCES projects(id),
  value_json TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('pending', 'accepted', 'rejected')),
  response_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX answers_idempotency ON answers(user_id, idempotency_key)
  WHERE idempotency_key <> '';
CREATE INDEX answers_task ON answers(task_id);
CREATE INDEX answers_project ON answers(project_id);
CREATE TABLE worker_skills (
  user_id INTEGER NOT NULL REFERENCES users(id),
  project_id INTEGER NOT NULL REFERENCES projects(id),
  accuracy REAL NOT NULL,
  gold_seen INTEGER NOT NULL,
  gold_correct INTEGER NOT NULL,
  model_json TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (user_id, project_id)
) WITHOUT ROWID;
)sql",
     R"sql(
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE users (
  id BIGINT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  roles BIGINT NOT NULL,
  level INTEGER NOT NULL DEFAULT 1,
  xp BIGINT NOT NULL DEFAULT 0,
  referral_code TEXT NOT NULL UNIQUE,
  created_at_ms BIGINT NOT NULL
);
CREATE TABLE tokens (
  token_hash BYTEA PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  created_at_ms BIGINT NOT NULL
);
CREATE TABLE projects (
  id BIGINT PRIMARY KEY,
  owner_id BIGINT NOT NULL REFERENCES users(id),
  title TEXT NOT NULL,
  instructions TEXT NOT NULL,
  question_json TEXT NOT NULL,
  domain TEXT NOT NULL,
  tier INTEGER NOT NULL,
  min_level INTEGER NOT NULL,
  min_answers INTEGER NOT NULL,
  max_answers INTEGER NOT NULL,
  target_confidence DOUBLE PRECISION NOT NULL,
  reward_aia BIGINT NOT NULL,
  gold_rate DOUBLE PRECISION NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'paused')),
  created_at_ms BIGINT NOT NULL,
  CHECK (1 <= min_answers AND min_answers <= max_answers)
);
CREATE INDEX projects_owner ON projects(owner_id);
CREATE TABLE tasks (
  id BIGINT PRIMARY KEY,
  project_id BIGINT NOT NULL REFERENCES projects(id),
  data_json TEXT NOT NULL,
  gold_json TEXT,
  state TEXT NOT NULL CHECK (state IN ('open', 'retired')),
  consensus_json TEXT NOT NULL DEFAULT '',
  confidence DOUBLE PRECISION NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL,
  retired_at_ms BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tasks_project ON tasks(project_id, id);
CREATE TABLE assignments (
  id BIGINT PRIMARY KEY,
  task_id BIGINT NOT NULL REFERENCES tasks(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  project_id BIGINT NOT NULL REFERENCES projects(id),
  issued_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('leased', 'answered', 'expired')),
  UNIQUE (task_id, user_id)
);
CREATE INDEX assignments_project ON assignments(project_id);
CREATE TABLE answers (
  id BIGINT PRIMARY KEY,
  assignment_id BIGINT NOT NULL UNIQUE REFERENCES assignments(id),
  task_id BIGINT NOT NULL REFERENCES tasks(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  project_id BIGINT NOT NULL REFERENCES projects(id),
  value_json TEXT NOT NULL,
  duration_ms BIGINT NOT NULL,
  idempotency_key TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('pending', 'accepted', 'rejected')),
  response_json TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX answers_idempotency ON answers(user_id, idempotency_key)
  WHERE idempotency_key <> '';
CREATE INDEX answers_task ON answers(task_id);
CREATE INDEX answers_project ON answers(project_id);
CREATE TABLE worker_skills (
  user_id BIGINT NOT NULL REFERENCES users(id),
  project_id BIGINT NOT NULL REFERENCES projects(id),
  accuracy DOUBLE PRECISION NOT NULL,
  gold_seen BIGINT NOT NULL,
  gold_correct BIGINT NOT NULL,
  model_json TEXT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (user_id, project_id)
);
-- Row ids come from these sequences (store/pg_store.h): each nextval reserves a block of
-- INCREMENT ids for one process, so servers sharing the database never hand out the same id.
CREATE SEQUENCE user_id_blocks AS BIGINT INCREMENT BY 64;
CREATE SEQUENCE project_id_blocks AS BIGINT INCREMENT BY 64;
CREATE SEQUENCE task_id_blocks AS BIGINT INCREMENT BY 64;
CREATE SEQUENCE assignment_id_blocks AS BIGINT INCREMENT BY 64;
CREATE SEQUENCE answer_id_blocks AS BIGINT INCREMENT BY 64;
)sql"},
    {2, "ledger journal, transparency log, check-ins, referrals, game state", kLedgerMigrationSql,
     kLedgerMigrationPostgresSql},
    // Several servers share a PostgreSQL database, so what one SQLite server keeps in memory
    // lives in the database there: every task's claims (answers and leased assignments, kept by
    // the store in the statement that changes the task row anyway, pg_store.cc) and indexes for
    // leasing and lease expiry.
    // Both backends record what the last re-inference of each project saw.
    {3, "cluster scheduling state: task claim counters, lease indexes, re-inference state",
     R"sql(
CREATE TABLE project_inference (
  project_id INTEGER PRIMARY KEY REFERENCES projects(id),
  answers INTEGER NOT NULL,
  skills_version INTEGER NOT NULL,
  inferred_at_ms INTEGER NOT NULL
);
)sql",
     R"sql(
ALTER TABLE tasks ADD COLUMN gold BOOLEAN GENERATED ALWAYS AS (gold_json IS NOT NULL) STORED;
ALTER TABLE tasks ADD COLUMN answer_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN lease_count INTEGER NOT NULL DEFAULT 0;
UPDATE tasks t SET
  answer_count = (SELECT count(*) FROM answers a WHERE a.task_id = t.id),
  lease_count = (SELECT count(*) FROM assignments a WHERE a.task_id = t.id AND a.state = 'leased');
ALTER TABLE tasks ADD CONSTRAINT task_claims_not_negative
  CHECK (answer_count >= 0 AND lease_count >= 0);
CREATE INDEX tasks_in_flight ON tasks(project_id, gold, id)
  WHERE state = 'open' AND answer_count + lease_count > 0;
CREATE INDEX tasks_fresh ON tasks(project_id, gold, id)
  WHERE state = 'open' AND answer_count = 0 AND lease_count = 0;
CREATE INDEX assignments_leased ON assignments(expires_at_ms) WHERE state = 'leased';
CREATE TABLE project_inference (
  project_id BIGINT PRIMARY KEY REFERENCES projects(id),
  answers BIGINT NOT NULL,
  skills_version BIGINT NOT NULL,
  inferred_at_ms BIGINT NOT NULL
);
)sql"},
    // Sessions expire when idle or old, "log out everywhere" drops all of a user's tokens, and
    // personal API tokens carry a name, scopes and an expiry.
    {4, "session expiry, personal API tokens", R"sql(
ALTER TABLE tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'session'
  CHECK (kind IN ('session', 'api'));
ALTER TABLE tokens ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN scopes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN last_used_at_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN expires_at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE tokens SET last_used_at_ms = created_at_ms, public_id = lower(hex(substr(token_hash, 1, 8)));
CREATE INDEX tokens_user ON tokens(user_id);
)sql",
     R"sql(
ALTER TABLE tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'session'
  CHECK (kind IN ('session', 'api'));
ALTER TABLE tokens ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN scopes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN last_used_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN expires_at_ms BIGINT NOT NULL DEFAULT 0;
UPDATE tokens SET last_used_at_ms = created_at_ms,
  public_id = encode(substr(token_hash, 1, 8), 'hex');
CREATE INDEX tokens_user ON tokens(user_id);
)sql"},
    // Gold that cannot be farmed: a task knows where its gold comes from (control, training, a
    // confident consensus promoted into the pool) and a training item its explanation; answers
    // carry whether they count or are held for review, worker_reviews the reviews; gold passes
    // remember how many were on items the user's referrer never had; the re-inference records
    // the project's typical answer time.
    {5, "gold pool and training items, answer reviews, typical answer time", R"sql(
ALTER TABLE projects ADD COLUMN gold_promotion_confidence REAL NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN gold_source TEXT NOT NULL DEFAULT ''
  CHECK (gold_source IN ('', 'imported', 'training', 'consensus'));
ALTER TABLE tasks ADD COLUMN explanation TEXT NOT NULL DEFAULT '';
UPDATE tasks SET gold_source = 'imported' WHERE gold_json IS NOT NULL;
CREATE INDEX tasks_gold ON tasks(project_id, id) WHERE gold_json IS NOT NULL;
ALTER TABLE answers ADD COLUMN review TEXT NOT NULL DEFAULT ''
  CHECK (review IN ('', 'held', 'released', 'rejected'));
CREATE INDEX answers_user ON answers(project_id, user_id);
CREATE INDEX assignments_user ON assignments(project_id, user_id);
CREATE TABLE worker_reviews (
  project_id INTEGER NOT NULL REFERENCES projects(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  state TEXT NOT NULL CHECK (state IN ('held', 'released', 'rejected')),
  reason TEXT NOT NULL,
  fast_answers INTEGER NOT NULL,
  spam_score REAL NOT NULL,
  created_at_ms INTEGER NOT NULL,
  decided_at_ms INTEGER NOT NULL,
  decided_by INTEGER NOT NULL,
  PRIMARY KEY (project_id, user_id)
) WITHOUT ROWID;
ALTER TABLE gold_results ADD COLUMN unrevealed_passes INTEGER NOT NULL DEFAULT 0;
UPDATE gold_results SET unrevealed_passes = passes;
ALTER TABLE project_inference ADD COLUMN typical_answer_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE project_inference ADD COLUMN timed_answers INTEGER NOT NULL DEFAULT 0;
)sql",
     R"sql(
ALTER TABLE projects ADD COLUMN gold_promotion_confidence DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN gold_source TEXT NOT NULL DEFAULT ''
  CHECK (gold_source IN ('', 'imported', 'training', 'consensus'));
ALTER TABLE tasks ADD COLUMN explanation TEXT NOT NULL DEFAULT '';
UPDATE tasks SET gold_source = 'imported' WHERE gold_json IS NOT NULL;
CREATE INDEX tasks_gold ON tasks(project_id, id) WHERE gold_json IS NOT NULL;
ALTER TABLE answers ADD COLUMN review TEXT NOT NULL DEFAULT ''
  CHECK (review IN ('', 'held', 'released', 'rejected'));
CREATE INDEX answers_user ON answers(project_id, user_id);
CREATE INDEX assignments_user ON assignments(project_id, user_id);
CREATE TABLE worker_reviews (
  project_id BIGINT NOT NULL REFERENCES projects(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  state TEXT NOT NULL CHECK (state IN ('held', 'released', 'rejected')),
  reason TEXT NOT NULL,
  fast_answers BIGINT NOT NULL,
  spam_score DOUBLE PRECISION NOT NULL,
  created_at_ms BIGINT NOT NULL,
  decided_at_ms BIGINT NOT NULL,
  decided_by BIGINT NOT NULL,
  PRIMARY KEY (project_id, user_id)
);
ALTER TABLE gold_results ADD COLUMN unrevealed_passes BIGINT NOT NULL DEFAULT 0;
UPDATE gold_results SET unrevealed_passes = passes;
ALTER TABLE project_inference ADD COLUMN typical_answer_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE project_inference ADD COLUMN timed_answers BIGINT NOT NULL DEFAULT 0;
)sql"},
};

// Ties every process migrating one PostgreSQL database together (advisory locks are per
// database); the value is arbitrary but fixed forever.
constexpr int64_t kMigrationLockKey = 0x7464'6d69'6772'6174;  // "tdmigrat"

constexpr const char* kCreateSqliteSchemaMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)";
constexpr const char* kCreatePostgresSchemaMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What the migration runner needs of a backend.
struct MigrationSteps {
  // The newest recorded version (0 for a fresh database); called inside and outside `begin`.
  std::function<Result<int>()> version;
  // Starts a transaction that holds the database's migration lock.
  std::function<Status()> begin;
  // Runs the migration's SQL and records it in schema_migrations.
  std::function<Status(const Migration&)> apply;
  std::function<Status()> commit;
  std::function<void()> rollback;
};

Status NewerThanBinary(int current, int newest) {
  return Status::DataLoss("database schema version " + std::to_string(current) +
                          " is newer than this binary's " + std::to_string(newest));
}

Result<MigrationOutcome> RunMigrations(const MigrationSteps& steps) {
  const std::span<const Migration> migrations = AllMigrations();
  const int newest = migrations.back().version;
  MigrationOutcome outcome;
  // A look without the lock first: an up-to-date database (the usual case) needs no write lock.
  TD_ASSIGN_OR_RETURN(outcome.from_version, steps.version());
  outcome.to_version = outcome.from_version;
  if (outcome.from_version > newest) return NewerThanBinary(outcome.from_version, newest);
  bool first = true;
  while (outcome.to_version < newest) {
    TD_RETURN_IF_ERROR(steps.begin());
    // Another process may have migrated since the look above; only the locked read counts.
    Result<int> current = steps.version();
    if (!current.ok()) {
      steps.rollback();
      return current.status();
    }
    if (first) outcome.from_version = *current;
    first = false;
    outcome.to_version = *current;
    if (*current > newest) {
      steps.rollback();
      return NewerThanBinary(*current, newest);
    }
    if (*current == newest) {
      steps.rollback();
      break;
    }
    const Migration& m = migrations[static_cast<size_t>(*current)];  // version current + 1
    Status status = steps.apply(m);
    if (status.ok()) {
      status = steps.commit();
    } else {
      steps.rollback();
    }
    if (!status.ok()) {
      return Status(status.code(), "migration " + std::to_string(m.version) + " (" + m.name +
                                       ") failed: " + status.message());
    }
    outcome.applied.push_back(m.version);
    outcome.to_version = m.version;
  }
  return outcome;
}

Status SqliteExec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    Status status = SqliteError(db, "sqlite exec");
    if (error != nullptr) {
      status = Status(status.code(), std::string("sqlite exec: ") + error);
      sqlite3_free(error);
    }
    return status;
  }
  return Status::Ok();
}

// Runs one statement with integer/text parameters; the first column of its first row, if any.
Result<int64_t> SqliteScalar(sqlite3* db, const char* sql, const Migration* record) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    return SqliteError(db, std::string("sqlite prepare: ") + sql);
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(stmt, sqlite3_finalize);
  if (record != nullptr) {
    sqlite3_bind_int64(stmt, 1, record->version);
    sqlite3_bind_text(stmt, 2, record->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, NowMs());
  }
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) return sqlite3_column_int64(stmt, 0);
  if (rc != SQLITE_DONE) return SqliteError(db, "sqlite step");
  return int64_t{0};
}

}  // namespace

std::span<const Migration> AllMigrations() { return kMigrations; }

Result<MigrationOutcome> MigrateSqlite(sqlite3* db) {
  TD_RETURN_IF_ERROR(SqliteExec(db, kCreateSqliteSchemaMigrations));
  MigrationSteps steps;
  steps.version = [db]() -> Result<int> {
    TD_ASSIGN_OR_RETURN(
        int64_t version,
        SqliteScalar(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", nullptr));
    return static_cast<int>(version);
  };
  steps.begin = [db] { return SqliteExec(db, "BEGIN IMMEDIATE"); };
  steps.apply = [db](const Migration& m) {
    TD_RETURN_IF_ERROR(SqliteExec(db, m.sqlite_sql));
    return SqliteScalar(db,
                        "INSERT INTO schema_migrations (version, name, applied_at_ms) "
                        "VALUES (?1, ?2, ?3)",
                        &m)
        .status();
  };
  steps.commit = [db] { return SqliteExec(db, "COMMIT"); };
  steps.rollback = [db] { (void)SqliteExec(db, "ROLLBACK"); };
  return RunMigrations(steps);
}

Result<MigrationOutcome> MigratePostgres(pg::Connection& conn) {
  MigrationSteps steps;
  steps.version = [&conn]() -> Result<int> {
    TD_ASSIGN_OR_RETURN(pg::Rows exists,
                        conn.Exec("SELECT to_regclass('schema_migrations') IS NOT NULL"));
    if (exists.rows() != 1 || !exists.Bool(0, 0)) return 0;
    TD_ASSIGN_OR_RETURN(pg::Rows rows,
                        conn.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    return static_cast<int>(rows.Int(0, 0));
  };
  steps.begin = [&conn] {
    return conn.ExecScript("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(" +
                           std::to_string(kMigrationLockKey) + "); " +
                           kCreatePostgresSchemaMigrations);
  };
  steps.apply = [&conn](const Migration& m) {
    TD_RETURN_IF_ERROR(conn.ExecScript(m.postgres_sql));
    return conn
        .Exec("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ($1, $2, $3)",
              pg::Params().Add(m.version).Add(m.name).Add(NowMs()))
        .status();
  };
  steps.commit = [&conn] { return conn.ExecScript("COMMIT"); };
  steps.rollback = [&conn] { (void)conn.ExecScript("ROLLBACK"); };
  return RunMigrations(steps);
}

Result<MigrationOutcome> MigrateSqliteDatabase(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close_v2);
  if (rc != SQLITE_OK) {
    return Status::Unavailable("cannot open database " + path + ": " +
                               (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  sqlite3_extended_result_codes(db.get(), 1);
  // As SqliteStore opens it: the journal mode is a property of the file.
  TD_RETURN_IF_ERROR(SqliteExec(db.get(), "PRAGMA journal_mode = WAL"));
  TD_RETURN_IF_ERROR(SqliteExec(db.get(), "PRAGMA foreign_keys = ON"));
  return MigrateSqlite(db.get());
}

Result<MigrationOutcome> MigratePostgresDatabase(const std::string& url) {
  TD_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> conn, pg::Connection::Open(url));
  return MigratePostgres(*conn);
}

}  // namespace tinydata::store
