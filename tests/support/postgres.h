// Test backends: which database the suites run against, and throwaway PostgreSQL databases.
//
// The environment chooses the backend: TINYDATA_TEST_BACKEND=postgresql runs a suite against the
// PostgreSQL cluster whose URL is in TINYDATA_TEST_POSTGRES_URL, or in the file named by
// TINYDATA_TEST_POSTGRES_URL_FILE, or else in the file the ctest fixture `postgres` writes
// (tests/support/pg_cluster.sh; see tests/CMakeLists.txt). Anything else: SQLite files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tinydata/core/status.h"

namespace tinydata::test {

enum class Backend { kSqlite, kPostgres };

// The backend the environment asks for.
Backend BackendFromEnvironment();
const char* BackendName(Backend backend);  // "sqlite" | "postgresql"

// The cluster's URL (a database the tests may connect to in order to create others).
// FailedPrecondition explaining how to start a cluster when none is named or running.
Result<std::string> PostgresAdminUrl();

// A fresh, empty database on the test cluster, dropped (with any connections still open) when
// the object is destroyed.
class ScratchPostgresDatabase {
 public:
  // `template_database`: a database to copy (CREATE DATABASE ... TEMPLATE; nobody may be
  // connected to it); empty: an empty database.
  static Result<std::unique_ptr<ScratchPostgresDatabase>> Create(
      const std::string& template_database = "");
  ~ScratchPostgresDatabase();
  ScratchPostgresDatabase(const ScratchPostgresDatabase&) = delete;
  ScratchPostgresDatabase& operator=(const ScratchPostgresDatabase&) = delete;

  // postgresql://.../<name>
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  ScratchPostgresDatabase(std::string admin_url, std::string name, std::string url)
      : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// Runs `sql` (one or more statements without parameters) on the PostgreSQL database at `url`.
Status ExecPostgres(const std::string& url, const std::string& sql);

// The rows of one query (text values; NULL as ""), for tests that check the stored state.
Result<std::vector<std::vector<std::string>>> QueryPostgres(const std::string& url,
                                                            const std::string& sql);
// The single integer a query like "SELECT count(*) ..." returns.
Result<int64_t> QueryPostgresInt(const std::string& url, const std::string& sql);

}  // namespace tinydata::test
