// The versioned schema. Each migration runs once, in version order, inside a transaction that also
// records it in `schema_migrations`; a database whose newest recorded version is unknown to this
// binary is refused (it was written by a newer release).
//
// One set for every backend: a migration carries the SQL of each dialect, so the versions (and
// what they mean) stay the same for SQLite and PostgreSQL.
#pragma once

#include <span>

namespace tinydata::store {

struct Migration {
  int version;
  const char* name;
  const char* sqlite_sql;  // may hold several statements
};

// Every migration, ordered by version (1, 2, 3, ... without gaps).
std::span<const Migration> AllMigrations();

}  // namespace tinydata::store
