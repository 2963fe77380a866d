#include "tinydata/store/store.h"

#include <future>
#include <string_view>

#include "tinydata/store/migrations.h"
#include "tinydata/store/pg_conn.h"
#include "tinydata/store/pg_store.h"
#include "tinydata/store/sqlite_store.h"

namespace tinydata::store {

Status Store::WriteSync(WriteBatch batch) {
  std::promise<Status> promise;
  std::future<Status> outcome = promise.get_future();
  Write(std::move(batch), [&promise](const Status& status) { promise.set_value(status); });
  return outcome.get();
}

namespace {

// The SQLite file that `url` names ("<path>" or "sqlite://<path>").
Result<std::string> SqlitePath(const std::string& url) {
  std::string path = url;
  if (std::string_view(url).starts_with("sqlite://")) path = url.substr(9);
  if (path.empty()) return Status::InvalidArgument("empty database path", "database");
  return path;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const StoreOptions& options) {
  if (pg::IsPostgresUrl(url)) return OpenPgStore(url, options);
  TD_ASSIGN_OR_RETURN(std::string path, SqlitePath(url));
  return OpenSqliteStore(path, options);
}

bool IsDatabaseUrl(const std::string& url) { return pg::IsPostgresUrl(url); }

std::string RedactedDatabaseUrl(const std::string& url) {
  return pg::IsPostgresUrl(url) ? pg::WithoutPassword(url, url) : url;
}

Result<MigrationOutcome> MigrateDatabase(const std::string& url) {
  if (pg::IsPostgresUrl(url)) return MigratePostgresDatabase(url);
  TD_ASSIGN_OR_RETURN(std::string path, SqlitePath(url));
  return MigrateSqliteDatabase(path);
}

}  // namespace tinydata::store
