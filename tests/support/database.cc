#include "support/database.h"

#include <sqlite3.h>

#include <filesystem>
#include <string_view>

#include "support/postgres.h"

namespace tinydata::test {

Status ExecSql(const std::string& database_url, const std::string& sql) {
  const std::string_view url = database_url;
  if (url.empty()) return Status::InvalidArgument("empty database URL", "database_url");
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return ExecPostgres(database_url, sql);
  }
  std::string path = database_url;
  if (url.starts_with("sqlite://")) {
    path = database_url.substr(9);
  } else if (const size_t scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    return Status::InvalidArgument(
        "unsupported scheme " + std::string(url.substr(0, scheme_end)) +
            ":// (a SQLite path, sqlite:// or postgresql://)",
        "database_url");
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound("no SQLite database file " + path, "database_url");
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::Internal("cannot open " + path + ": " + message);
  }
  // A server that was just stopped may leave a checkpointing reader behind for a moment.
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  Status status;
  if (rc != SQLITE_OK) {
    status = Status::Internal(path + ": " + (error != nullptr ? error : sqlite3_errstr(rc)) +
                              " in: " + sql);
  }
  sqlite3_free(error);
  sqlite3_close(db);
  return status;
}

}  // namespace tinydata::test
