#include "tinydata/store/store.h"

#include <future>
#include <string_view>

#include "tinydata/store/sqlite_store.h"

namespace tinydata::store {

Status Store::WriteSync(WriteBatch batch) {
  std::promise<Status> promise;
  std::future<Status> outcome = promise.get_future();
  Write(std::move(batch), [&promise](const Status& status) { promise.set_value(status); });
  return outcome.get();
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const StoreOptions& options) {
  const std::string_view view = url;
  if (view.starts_with("postgres://") || view.starts_with("postgresql://")) {
    return Status::InvalidArgument("this build has no PostgreSQL backend", "database");
  }
  std::string path = url;
  if (view.starts_with("sqlite://")) path = url.substr(9);
  if (path.empty()) return Status::InvalidArgument("empty database path", "database");
  return OpenSqliteStore(path, options);
}

}  // namespace tinydata::store
