// Direct access to a test server's database, behind the store's back: for tests that tamper
// with rows (e.g. to prove that `tinydata ledger verify` notices an edited journal entry).
//
//   ASSERT_TRUE(ExecSql(server.database_url(), "DELETE FROM ledger_entries WHERE id = 4").ok());
#pragma once

#include <string>

#include "tinydata/core/status.h"

namespace tinydata::test {

// Runs `sql` (one or more statements separated by ';', no results returned) on the database
// that `database_url` names, the way `tinydata serve --database` reads it: a SQLite file path,
// optionally as "sqlite://<path>", or a postgresql:// URL (ExecPostgres, support/postgres.h).
// A SQLite file must exist; it is never created. SQLite statements run in order in autocommit
// mode, and the first failing one stops the rest; PostgreSQL runs them as one implicit
// transaction.
//
// Errors: InvalidArgument naming "database_url" for an empty URL or another "<scheme>://";
// NotFound naming it when the SQLite file does not exist; Internal with the database's message
// when a statement fails.
Status ExecSql(const std::string& database_url, const std::string& sql);

}  // namespace tinydata::test
