// Store: the platform's storage interface. One implementation per backend (sqlite_store.h,
// pg_store.h); service/ talks only to this class.
//
// Write path (like leveldb's DBImpl::Write): callers hand a WriteBatch to Write(); one writer
// applies queued batches in arrival order and reports each batch's outcome once it is durable.
// SQLite applies many of them inside one transaction, a batch that violates a constraint being
// rolled back on its own (a savepoint) without failing the others that share its commit, so
// under load many answers share one commit; write_stats() tells how many. PostgreSQL commits
// each batch on its own (pg_store.h).
//
// Reads run on their own connections and see every batch whose callback has already run.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/store/ledger_rows.h"
#include "tinydata/store/transaction.h"
#include "tinydata/store/types.h"
#include "tinydata/store/write_batch.h"

namespace tinydata::store {

// Kinds of rows whose ids the store hands out ahead of the write (so a use case can refer to a
// row it inserts in the same batch, and reply with its id).
enum class IdKind { kUser, kProject, kTask, kAssignment, kAnswer };

struct WriteStats {
  uint64_t commits = 0;          // transactions committed
  uint64_t batches = 0;          // batches committed (succeeded)
  uint64_t failed_batches = 0;   // batches rolled back (constraint violations, I/O errors)
  uint64_t answers = 0;          // answers inserted
  uint64_t max_batches_per_commit = 0;
  uint64_t max_answers_per_commit = 0;
};

// A page of the export: tasks in id order with their answers.
struct ExportTask {
  Task task;
  std::vector<Answer> answers;  // in id order
};

class Store {
 public:
  using WriteCallback = std::function<void(const Status&)>;

  virtual ~Store() = default;

  // Queues `batch`; `done` runs on the writer thread once the batch is durable (ok) or rolled back
  // (the error). `done` must be quick and must not call Write synchronously-and-wait (WriteSync).
  // After Close() the callback gets Unavailable at once.
  virtual void Write(WriteBatch batch, WriteCallback done) = 0;
  // Write and wait for the outcome. Not for the writer thread.
  Status WriteSync(WriteBatch batch);
  // Blocks until every batch queued before the call has been committed or failed.
  virtual void Flush() = 0;
  // Flushes, stops the writer and closes every connection. Idempotent.
  virtual void Close() = 0;
  virtual WriteStats write_stats() const = 0;

  // A fresh id of `kind`, never handed out before (also not after a restart, nor by another
  // process sharing the database). Unavailable when the database cannot be reached to reserve
  // more ids.
  virtual Result<int64_t> NextId(IdKind kind) = 0;

  // Point reads. nullopt when there is no such row.
  virtual Result<std::optional<User>> FindUserById(int64_t id) = 0;
  virtual Result<std::optional<User>> FindUserByEmail(std::string_view email) = 0;
  // The unrevoked token with this SHA-256 hash and its user.
  virtual Result<std::optional<TokenOwner>> FindToken(std::string_view token_hash) = 0;
  // Every unrevoked token of a user, oldest first.
  virtual Result<std::vector<Token>> ListTokens(int64_t user_id) = 0;
  virtual Result<int64_t> CountUsers() = 0;
  virtual Result<std::optional<std::string>> GetSetting(std::string_view key) = 0;

  virtual Result<std::optional<Project>> FindProjectById(int64_t id) = 0;

  // Bulk loads for the service's in-memory state (at start and after a failed commit).
  virtual Result<std::vector<Project>> LoadProjects() = 0;
  virtual Result<std::vector<Task>> LoadTasks(int64_t project_id) = 0;
  virtual Result<std::vector<Assignment>> LoadAssignments(int64_t project_id) = 0;
  virtual Result<std::vector<Answer>> LoadAnswers(int64_t project_id) = 0;
  virtual Result<std::vector<WorkerSkill>> LoadSkills(int64_t project_id) = 0;
  // The project's worker reviews, by user id.
  virtual Result<std::vector<WorkerReview>> LoadWorkerReviews(int64_t project_id) = 0;
  // (user id, answers held for review) of the project's workers with held answers.
  virtual Result<std::vector<std::pair<int64_t, int64_t>>> HeldAnswerCounts(
      int64_t project_id) = 0;
  // Id and level of the given users, for the scheduler's level gate after a restart.
  virtual Result<std::vector<User>> LoadUsers(const std::vector<int64_t>& ids) = 0;

  // Reads of the ledger and game tables (ledger_rows.h). Lives as long as the store.
  virtual LedgerReader& ledger() = 0;
  // Reads of the same tables that all see one snapshot of the database, taken now, on a
  // connection of their own (released when the object goes): for `tinydata ledger verify`
  // while servers keep writing. Not thread-safe; must not outlive the store.
  virtual Result<std::unique_ptr<LedgerReader>> SnapshotLedger() = 0;

  // Up to `limit` tasks of the project with id > after_task_id, in id order, with their answers.
  // `state` filters ("open", "retired") unless empty.
  virtual Result<std::vector<ExportTask>> ReadTaskPage(int64_t project_id, int64_t after_task_id,
                                                       int limit, std::string_view state) = 0;

  // --- Several servers on one database -------------------------------------------------------
  // True when other processes may change the database at the same time (PostgreSQL): the
  // service then decides in transactions (Begin) instead of from memory.
  virtual bool shared() const = 0;
  // Starts a read-write transaction (transaction.h). FailedPrecondition on a store that is not
  // shared (SQLite: one server, which decides from memory and writes through Write).
  virtual Result<std::unique_ptr<Transaction>> Begin() = 0;
  // For background jobs that must run on one server at a time (re-inference, lease expiry, the
  // ledger sequencer): true while this process holds the database-wide lease of `job`, which it
  // takes now if nobody holds it. A lease lasts until this store closes or its process dies
  // (then another process's next call takes it over). Always true on a store that is not shared.
  virtual Result<bool> HoldJobLease(std::string_view job) = 0;
};

// Runs `use_case` in a new transaction of `store` and commits it when it returns ok; when a step
// fails with Aborted (a deadlock or serialization failure the database resolved by aborting
// this transaction) it is run again in a fresh one, up to `attempts` times in all, after which
// the Aborted error is returned. `use_case` must leave nothing behind outside the transaction,
// since it may run more than once.
template <typename T>
Result<T> RunInTransaction(Store& store, const std::function<Result<T>(Transaction&)>& use_case,
                           int attempts = 5) {
  Status last;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    Result<std::unique_ptr<Transaction>> txn = store.Begin();
    if (!txn.ok()) return txn.status();
    Result<T> result = use_case(**txn);
    if (result.ok()) {
      Status committed = (*txn)->Commit();
      if (committed.ok()) return result;
      last = committed;
    } else {
      last = result.status();
    }
    if (last.code() != StatusCode::kAborted) return last;
  }
  return last;
}

struct StoreOptions {
  // "full": every commit is fsynced (survives power loss); "normal": the WAL is fsynced only at
  // checkpoints (an acknowledged commit survives a crash of the process, not of the machine).
  std::string synchronous = "full";
  int read_connections = 4;
  // PostgreSQL: connections for transactions (Store::Begin), apart from the read ones so that a
  // read never waits for a transaction to end.
  int transaction_connections = 8;
  // SQLite: at most this many batches share one transaction.
  int max_batches_per_commit = 4096;
};

// Opens the database named by `url`: a file path (SQLite; created if missing). Applies pending
// migrations before returning. Errors: Unavailable when the file cannot be opened, DataLoss when
// the schema is newer than this binary, InvalidArgument for an unsupported URL scheme.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const StoreOptions& options = {});

// True for a postgresql:// (or postgres://) URL, false for a SQLite path or sqlite:// URL.
bool IsDatabaseUrl(const std::string& url);
// `url` with any password in it replaced by "***", for logs.
std::string RedactedDatabaseUrl(const std::string& url);

// What a migration run did: the schema version before and after, and the versions applied.
struct MigrationOutcome {
  int from_version = 0;
  int to_version = 0;
  std::vector<int> applied;
};

// Brings the schema of the database named by `url` (as OpenStore reads it) up to this binary's
// version and closes it again (`tinydata migrate`). Safe while other processes use or migrate
// the same database. Errors as OpenStore.
Result<MigrationOutcome> MigrateDatabase(const std::string& url);

}  // namespace tinydata::store
