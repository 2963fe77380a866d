// SqliteStore: the Store on one embedded SQLite file.
//
// - WAL journal, foreign keys on, busy timeout; `synchronous` as StoreOptions says. The default
//   is FULL: each commit fsyncs the WAL, so an acknowledged write survives a crash of the process
//   and of the machine. Group commit makes that affordable: one fsync covers every batch that
//   queued while the previous commit was being written.
// - One writer thread owns the only write connection (SQLite allows one writer at a time, so a
//   second one would only wait on the lock). Reads use a small pool of read-only connections,
//   which WAL lets run concurrently with the writer.
#pragma once

#include <memory>
#include <string>

#include "tinydata/core/status.h"
#include "tinydata/store/store.h"

namespace tinydata::store {

// Opens (creating if needed) and migrates the database at `path`. ":memory:" is refused, since
// readers need their own connections to the same file.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options);

}  // namespace tinydata::store
