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

namespace {

bool IsPostgres(const std::string& url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

// The database name at the end of a postgresql:// URL.
std::string DatabaseNameOf(const std::string& url) {
  const size_t slash = url.rfind('/');
  const std::string tail = slash == std::string::npos ? url : url.substr(slash + 1);
  return tail.substr(0, tail.find('?'));
}

}  // namespace

Result<std::unique_ptr<DatabaseCopy>> DatabaseCopy::Make(
    const std::string& database_url, const std::filesystem::path& sqlite_path) {
  std::unique_ptr<DatabaseCopy> copy(new DatabaseCopy());
  if (IsPostgres(database_url)) {
    TD_ASSIGN_OR_RETURN(copy->postgres_,
                        ScratchPostgresDatabase::Create(DatabaseNameOf(database_url)));
    copy->url_ = copy->postgres_->url();
    return copy;
  }
  namespace fs = std::filesystem;
  std::string from = database_url;
  if (from.starts_with("sqlite://")) from = from.substr(9);
  std::error_code ec;
  fs::copy_file(from, sqlite_path, fs::copy_options::overwrite_existing, ec);
  if (!ec && fs::exists(from + "-wal")) {
    fs::copy_file(from + "-wal", sqlite_path.string() + "-wal",
                  fs::copy_options::overwrite_existing, ec);
  }
  if (ec) return Status::Internal("cannot copy " + from + ": " + ec.message());
  copy->sqlite_path_ = sqlite_path;
  copy->url_ = sqlite_path.string();
  return copy;
}

DatabaseCopy::~DatabaseCopy() {
  if (!sqlite_path_.empty()) {
    std::error_code ec;
    std::filesystem::remove(sqlite_path_, ec);
    std::filesystem::remove(sqlite_path_.string() + "-wal", ec);
    std::filesystem::remove(sqlite_path_.string() + "-shm", ec);
  }
}

std::string AllowJournalTampering(const std::string& database_url) {
  if (IsPostgres(database_url)) {
    return "ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_no_edit; ";
  }
  return "DROP TRIGGER ledger_entries_no_edit; DROP TRIGGER ledger_entries_no_delete; ";
}

}  // namespace tinydata::test
