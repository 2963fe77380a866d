// The versioned schema. Each migration runs once, in version order, inside a transaction that also
// records it in `schema_migrations`; a database whose newest recorded version is unknown to this
// binary is refused (it was written by a newer release).
//
// One set for every backend: a migration carries the SQL of each dialect, so the versions (and
// what they mean) stay the same for SQLite and PostgreSQL.
//
// Several processes may open one database at once: each migration's transaction first takes the
// database's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory transaction lock) and
// re-reads the version under it, so every migration is applied exactly once and the other
// processes wait, then find it applied.
#pragma once

#include <sqlite3.h>

#include <span>
#include <string>

#include "tinydata/core/status.h"
#include "tinydata/store/store.h"

namespace tinydata::store {

namespace pg {
class Connection;
}  // namespace pg

struct Migration {
  int version;
  const char* name;
  const char* sqlite_sql;    // may hold several statements
  const char* postgres_sql;  // the same change in PostgreSQL's dialect
};

// Every migration, ordered by version (1, 2, 3, ... without gaps).
std::span<const Migration> AllMigrations();

// Applies the pending migrations on `db`, a read-write connection. DataLoss when the database is
// newer than this binary; the failing migration's error (its changes rolled back) otherwise.
Result<MigrationOutcome> MigrateSqlite(sqlite3* db);
// The same on a PostgreSQL connection that is not inside a transaction.
Result<MigrationOutcome> MigratePostgres(pg::Connection& conn);

// Open the database (`path`: a SQLite file, created if missing; `url`: postgresql://...), migrate
// it and close it again. Unavailable when it cannot be opened.
Result<MigrationOutcome> MigrateSqliteDatabase(const std::string& path);
Result<MigrationOutcome> MigratePostgresDatabase(const std::string& url);

}  // namespace tinydata::store
