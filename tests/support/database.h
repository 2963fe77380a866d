// Direct access to a test server's database, behind the store's back: for tests that tamper
// with rows (e.g. to prove that `tinydata ledger verify` notices an edited journal entry).
//
//   ASSERT_TRUE(ExecSql(server.database_url(), "DELETE FROM ledger_entries WHERE id = 4").ok());
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "support/postgres.h"
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

// A copy of a database that no process uses at the moment (its server stopped), to tamper with
// while the original stays intact: a SQLite file (with its WAL) copied to `sqlite_path`, or a new
// database on the PostgreSQL test cluster made from the original as its template. The copy is
// deleted with the object.
class DatabaseCopy {
 public:
  static Result<std::unique_ptr<DatabaseCopy>> Make(const std::string& database_url,
                                                    const std::filesystem::path& sqlite_path);
  ~DatabaseCopy();
  const std::string& url() const { return url_; }

 private:
  DatabaseCopy() = default;
  std::string url_;
  std::filesystem::path sqlite_path_;
  std::unique_ptr<ScratchPostgresDatabase> postgres_;
};

// SQL that lets the statements after it edit and delete journal entries of the database at
// `database_url`, past the triggers that refuse it (SQLite: drops them; PostgreSQL: disables
// them); ends with "; ".
std::string AllowJournalTampering(const std::string& database_url);

}  // namespace tinydata::test
