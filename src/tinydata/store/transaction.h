// Transaction: one read-write database transaction, for the use cases that must decide on what
// every server sees at the same moment - when several server processes share one database
// (Store::shared(), the PostgreSQL backend). A single SQLite server decides from its memory and
// has no use for it.
//
// Reads see the committed state plus this transaction's own writes (READ COMMITTED). The Lock*
// reads also lock the rows they return until Commit (or the destructor's rollback), so a
// decision taken on them still holds when the transaction commits: a task is leased to a user at
// most once and never beyond its maximum overlap, settled once, paid from a budget that cannot
// be spent twice, within a daily cap that concurrent settlements on other servers respect too.
//
// Lock order. Every transaction takes its row locks in this order, so transactions of different
// servers never wait for each other in a cycle:
//   task rows (by id) -> assignment rows -> worker_skills rows -> worker_reviews rows
//   -> users rows (by id)
//   -> balance rows (by account, then asset) -> the journal's id counter (pg_ledger.h).
// A deadlock or serialization failure the database reports anyway comes back as Aborted; the
// caller then runs the whole use case again in a new transaction (RunInTransaction).
//
// Not thread-safe: one thread uses a transaction from Store::Begin to Commit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/ledger/entry.h"
#include "tinydata/store/ledger_rows.h"
#include "tinydata/store/types.h"
#include "tinydata/store/write_batch.h"

namespace tinydata::store {

// A task with its claims: the answers it has and its assignments still "leased" (expired ones
// included until they are marked expired). Lease candidates carry only the task's id, project
// and confidence; a locked task carries the whole row.
struct TaskClaims {
  Task task;
  bool gold = false;
  int32_t answers = 0;
  int32_t leases = 0;
  // LockTask with a time: how many of `leases` had expired by then.
  int32_t expired_leases = 0;
};

// What a lease looks for in one project: open regular tasks that `user_id` never had and whose
// claims are below `max_answers` (gold items: GoldCandidates, TrainingCandidates).
struct LeaseQuery {
  int64_t project_id = 0;
  int64_t user_id = 0;
  int32_t min_answers = 1;
  int32_t max_answers = 1;
  // At most this many tasks that already have claims (closest to retiring first, as
  // sched::Priority ranks them), and this many without any (oldest first).
  int in_flight_limit = 16;
  int fresh_limit = 1;
};

// The state a settlement reads of one user, as LockRewardStates returns it.
struct UserRewardState {
  int64_t user_id = 0;
  int32_t level = 1;
  std::optional<UserGameRow> game;  // unset before the first gold result
  int64_t unrevealed_gold_passes = 0;  // GoldResult::unrevealed_passes over all days
  std::optional<int64_t> referrer;
  int64_t daily_aia = 0;  // received on the day asked for
};

// What the last full re-inference of a project saw and wrote.
struct ProjectInference {
  int64_t answers = 0;         // answers of the project it read
  int64_t skills_version = 0;  // bumped whenever it rewrites the worker skills
  int64_t inferred_at_ms = 0;
  int64_t typical_answer_ms = 0;  // the median time a counted answer took (0: too few)
  int64_t timed_answers = 0;
};

class Transaction {
 public:
  virtual ~Transaction() = default;

  // --- Projects and tasks -----------------------------------------------------------------
  // The project and, when `inference` is given, what its last re-inference saw (zero values when
  // it never ran).
  virtual Result<std::optional<Project>> ReadProject(int64_t project_id,
                                                     ProjectInference* inference = nullptr) = 0;
  virtual Result<ProjectInference> ReadInference(int64_t project_id) = 0;
  // Locks the project row: `exclusive` for a change of the project, shared for an import that
  // must see its question stay as it is. (Project rows stand apart from the lock order: a
  // transaction that locks one takes no other row lock after it.)
  virtual Result<std::optional<Project>> LockProject(int64_t project_id, bool exclusive) = 0;
  virtual Result<bool> ProjectHasTasks(int64_t project_id) = 0;
  // Lease candidates (LeaseQuery), unlocked, in one statement: for each kind the in-flight ones,
  // then the fresh ones.
  virtual Result<std::vector<TaskClaims>> LeaseCandidates(const LeaseQuery& query) = 0;
  // Up to `limit` items of the gold pool (every gold source but training, whatever their state)
  // that `user_id` never had, unlocked, in the user's own order: by a hash of id and `seed`.
  virtual Result<std::vector<TaskClaims>> GoldCandidates(int64_t project_id, int64_t user_id,
                                                         int64_t seed, int limit) = 0;
  // Up to `limit` training items `user_id` never had, oldest first, unlocked.
  virtual Result<std::vector<TaskClaims>> TrainingCandidates(int64_t project_id, int64_t user_id,
                                                             int limit) = 0;
  // Whether the user has or had an assignment of the task.
  virtual Result<bool> UserHadTask(int64_t user_id, int64_t task_id) = 0;
  // How many gold-pool items (every gold source but training) and regular items the user had
  // in the project.
  struct LeaseTally {
    int64_t gold = 0;
    int64_t regular = 0;
  };
  virtual Result<LeaseTally> UserLeaseTally(int64_t project_id, int64_t user_id) = 0;
  // Locks the task. `skip_locked`: nullopt at once when another transaction holds it, instead
  // of waiting. nullopt as well when there is no such task. With `now_ms` > 0 it also counts the
  // leases that expired by then (TaskClaims::expired_leases).
  virtual Result<std::optional<TaskClaims>> LockTask(int64_t task_id, bool skip_locked,
                                                     int64_t now_ms = 0) = 0;
  // Inserts a leased assignment of a locked task; false (and nothing written) when the user has
  // or had an assignment of it.
  virtual Result<bool> InsertLease(const Assignment& assignment) = 0;
  // Marks the task's leased assignments that expired by `now_ms` as expired (the task must be
  // locked); returns how many.
  virtual Result<int32_t> ExpireLeases(int64_t task_id, int64_t now_ms) = 0;
  // Up to `limit` tasks (by id) with leased assignments that expired by `now_ms`, in one project
  // or (project_id 0) in all.
  virtual Result<std::vector<int64_t>> TasksWithExpiredLeases(int64_t project_id, int64_t now_ms,
                                                              int limit) = 0;
  // How many answers the project has.
  virtual Result<int64_t> CountAnswers(int64_t project_id) = 0;

  // --- Assignments and answers ------------------------------------------------------------
  virtual Result<std::optional<Assignment>> ReadAssignment(int64_t assignment_id) = 0;
  virtual Result<std::optional<Assignment>> LockAssignment(int64_t assignment_id) = 0;
  // The task's answers in id order.
  virtual Result<std::vector<Answer>> AnswersOfTask(int64_t task_id) = 0;
  virtual Result<std::optional<Answer>> AnswerOfAssignment(int64_t assignment_id) = 0;
  virtual Result<std::optional<Answer>> AnswerByIdempotencyKey(int64_t user_id,
                                                               std::string_view key) = 0;
  // The worker's review in the project, if any; `lock`: locked until the transaction ends
  // (worker_reviews rows come after worker_skills rows in the lock order).
  virtual Result<std::optional<WorkerReview>> ReadWorkerReview(int64_t project_id,
                                                               int64_t user_id, bool lock) = 0;
  // The worker's answers in the project that are held for review, in id order.
  virtual Result<std::vector<Answer>> HeldAnswers(int64_t project_id, int64_t user_id) = 0;
  // The worker's skill row in the project, locked; created as `initial` (with these ids) when
  // missing, so there is always a row to lock.
  virtual Result<WorkerSkill> LockSkill(int64_t user_id, int64_t project_id,
                                        const WorkerSkill& initial) = 0;

  // --- Users and the ledger ---------------------------------------------------------------
  virtual Result<std::optional<User>> FindUserById(int64_t user_id) = 0;
  // Locks the users rows (any order given; taken in id order).
  virtual Status LockUsers(std::vector<int64_t> user_ids) = 0;
  // The referrers of these users (those that have one), unlocked: referrals never change.
  virtual Result<std::vector<std::pair<int64_t, int64_t>>> ReferrersOf(
      const std::vector<int64_t>& user_ids) = 0;
  // Locks the users rows (in id order) and returns, in one statement, what a settlement on UTC
  // day `day` reads of each (users that do not exist are left out).
  virtual Result<std::vector<UserRewardState>> LockRewardStates(std::vector<int64_t> user_ids,
                                                                int64_t day) = 0;
  // Locks one balance row (creating it at 0) and returns the balance.
  virtual Result<int64_t> LockBalance(std::string_view account, ledger::Asset asset) = 0;
  // Reads of the ledger and game tables inside this transaction.
  virtual LedgerReader& ledger() = 0;

  // --- Writing ----------------------------------------------------------------------------
  // Applies `batch` as Store::Write would (same rules and errors), inside this transaction. On
  // failure the transaction is spoiled: return the error (RunInTransaction rolls it back).
  virtual Status Apply(const WriteBatch& batch) = 0;
  // The same in a savepoint: a failure undoes only this batch, and the transaction goes on.
  virtual Status TryApply(const WriteBatch& batch) = 0;
  // Commits; durable when it returns ok. The transaction is over either way.
  virtual Status Commit() = 0;
};

}  // namespace tinydata::store
