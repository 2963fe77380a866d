// PgStore: the Store on a PostgreSQL database that any number of server processes share.
//
// - Writes: the write queue of store.h (group_commit.h) on one writer connection, each batch in a
//   transaction of its own (batches here are the rare writes: accounts, projects, imports,
//   fundings, the sequencer; the answer path runs in Transactions); commits are durable as the
//   server's synchronous_commit says (on by default).
// - Reads: a pool of StoreOptions::read_connections connections (READ COMMITTED).
// - Transactions (Store::Begin, transaction.h): on connections of the same pool, for the use
//   cases that decide under row locks because other servers change the same rows.
// - Ids: each process reserves blocks of 64 ids per kind from a sequence, so processes never
//   hand out the same id and a restart never reuses one (ids are unique, not dense).
// - Job leases: session advisory locks on a connection of their own; PostgreSQL drops them when
//   that connection or the process holding it dies, so another server takes the job over.
//
// Every transaction takes its row locks in the order documented in transaction.h, so two
// servers' transactions never wait on each other in a cycle; a deadlock or serialization failure
// PostgreSQL reports anyway reads as Aborted (pg_conn.h), which callers retry.
#pragma once

#include <memory>
#include <string>

#include "tinydata/core/status.h"
#include "tinydata/store/store.h"

namespace tinydata::store {

// Opens and migrates the database at `url` (postgresql://user[:password]@host[:port]/dbname or
// any libpq connection string). Unavailable when the server cannot be reached, DataLoss when
// the schema is newer than this binary.
Result<std::unique_ptr<Store>> OpenPgStore(const std::string& url, const StoreOptions& options);

}  // namespace tinydata::store
