// Private to store/: the Status for the last error of a SQLite connection, shared by the
// SQLite store and its ledger tables so both map result codes the same way.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>
#include <utility>

#include "tinydata/core/status.h"

namespace tinydata::store {

// Constraint violations -> AlreadyExists (a retried write of a unique row), busy/locked ->
// Unavailable, a damaged file -> DataLoss, anything else -> Internal. `what` prefixes the
// message (e.g. "sqlite step").
inline Status SqliteError(sqlite3* db, std::string_view what) {
  const int code = sqlite3_extended_errcode(db) & 0xff;
  std::string message = std::string(what) + ": " + sqlite3_errmsg(db);
  if (code == SQLITE_CONSTRAINT) return Status::AlreadyExists(std::move(message));
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Status::Unavailable(std::move(message));
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Status::DataLoss(std::move(message));
  return Status::Internal(std::move(message));
}

}  // namespace tinydata::store
