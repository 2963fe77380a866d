// Private to service/: the engine of servers that share one database (PostgreSQL,
// store::Store::shared()); any number of them may run behind a load balancer.
//
// State. None of the projects' state is held in memory: every use case reads what it decides on
// from the database. Those that change what other servers see - leasing a task, answering it,
// settling its rewards - run in one database transaction that locks the rows they decide on
// (store/transaction.h gives the lock order), so on every server a task is leased to a user at
// most once, never beyond its maximum overlap, retired and settled exactly once, and an answer
// is stored once however often it is retried. Transactions the database aborts to break a
// deadlock are run again (store::RunInTransaction). Kept in memory are only values that never
// go stale: parsed question specs (by their text) and the skill model of each project's last
// re-inference (by its version, which the answer transaction reads).
//
// Threads. The lease and answer use cases block on the database, so they run on a pool of
// PlatformOptions::shared_workers threads of their own; their callbacks run there.
//
// Background jobs (RunMaintenance): lease expiry and re-inference run on the one server holding
// the "maintenance" job lease (store::Store::HoldJobLease); another server takes over when that
// one dies. Leasing releases a project's expired leases too, about once a second per server and
// whenever a lease finds nothing, so a task whose lease expired soon returns to the pool.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "tinydata/service/platform_impl.h"
#include "tinydata/service/project_state.h"

namespace tinydata::service {

class SharedDatabaseImpl final : public Platform::Impl {
 public:
  SharedDatabaseImpl(store::Store* store, const Clock* clock, PlatformOptions options);
  // Waits for the use cases still running on the worker threads.
  ~SharedDatabaseImpl() override;

  Result<store::Project> CreateProject(const Principal& caller,
                                       const nlohmann::json& input) override;
  Result<store::Project> UpdateProject(const Principal& caller, int64_t project_id,
                                       const nlohmann::json& patch) override;
  Result<store::Project> SetStatus(const Principal& caller, int64_t project_id,
                                   const char* status) override;
  Result<store::Project> GetProject(const Principal& caller, int64_t project_id) override;
  Result<std::vector<store::Project>> ListProjects(const Principal& caller) override;
  ImportOutcome ImportTasks(const Principal& caller, int64_t project_id, io::TaskFormat format,
                            std::string_view body) override;
  Result<std::vector<store::Task>> ListTasks(const Principal& caller, int64_t project_id,
                                             std::string_view state, int limit,
                                             int64_t after_task_id) override;

  void NextTask(const Principal& caller, std::optional<int64_t> project_id,
                Done<std::optional<LeasedTask>> done) override;
  void SubmitAnswer(const Principal& caller, int64_t assignment_id, const nlohmann::json& value,
                    int64_t duration_ms, std::string idempotency_key,
                    Done<SubmittedAnswer> done) override;

  Result<ProjectStats> GetProjectStats(const Principal& caller, int64_t project_id) override;
  Result<std::vector<ReviewView>> ListReviews(const Principal& caller, int64_t project_id) override;
  Result<ReviewView> DecideReview(const Principal& caller, int64_t project_id,
                                  std::string_view annotator, ReviewDecision decision) override;
  Status ReinferProject(int64_t project_id) override;
  Status RunMaintenance() override;

 protected:
  Status LoadEngine() override { return Status::Ok(); }

 private:
  // What an answer transaction ends with: the answer, or a refusal to report once the
  // transaction committed what it recorded on the way (an expired lease).
  struct Submission {
    Status refusal;
    SubmittedAnswer answer;
  };

  // The project if the caller owns it or is an admin; NotFound otherwise.
  Result<store::Project> VisibleProject(const Principal& caller, int64_t project_id);
  // Applies `change` to the project (locked, visible to the caller) and stores it, in one
  // transaction; the change's error is returned and nothing stored.
  Result<store::Project> ChangeProject(
      const Principal& caller, int64_t project_id,
      const std::function<Status(store::Project& project, store::Transaction& txn)>& change);
  // The parsed question of a project (cached by its text).
  Result<std::shared_ptr<const quality::QuestionSpec>> SpecOf(const store::Project& project);
  // The project's skill model as of re-inference `version` (cached per project).
  Result<std::shared_ptr<const ProjectSkills>> SkillsOf(const store::Project& project,
                                                        const quality::QuestionSpec& spec,
                                                        int64_t version);

  Result<std::optional<LeasedTask>> LeaseNext(const Principal& principal,
                                              std::optional<int64_t> project_id);
  // What one lease transaction found: the lease, or none; `busy` when only tasks other
  // transactions held were left and this one did not wait for them because it held others.
  struct LeaseOutcome {
    std::optional<LeasedTask> leased;
    bool busy = false;
  };
  // The lease of one project, in `txn`. It waits for a busy task only when it holds no other
  // task lock, or when `wait_holding_others`.
  Result<LeaseOutcome> LeaseIn(store::Transaction& txn, const store::Project& project,
                               const Principal& caller, int64_t now_ms, bool wait_holding_others);
  // Whether this server should release the project's expired leases now (about once a second).
  bool ExpiryDue(int64_t project_id, int64_t now_ms);
  // Leases the locked task `claims` to the caller if it still takes one more; nullopt if not.
  Result<std::optional<LeasedTask>> TryLease(store::Transaction& txn, const store::Project& project,
                                             const Principal& caller, int64_t now_ms,
                                             store::TaskClaims claims);
  // Marks up to `limit` tasks' expired leases expired (project_id 0: in every project), each
  // task locked without waiting; returns how many tasks were looked at.
  Result<int> ExpireDueLeases(int64_t project_id, int64_t now_ms, int limit);

  // Runs the retirement hook for `answers` of `task` (final verdicts set) in `txn`.
  Status SettleIn(store::Transaction& txn, const store::Project& project, const store::Task& task,
                  const std::vector<store::Answer>& answers);

  Result<Submission> SubmitIn(store::Transaction& txn, const Principal& caller,
                              int64_t assignment_id, const nlohmann::json& value,
                              int64_t duration_ms, const std::string& idempotency_key,
                              int64_t now_ms);

  std::mutex cache_mu_;
  std::unordered_map<std::string, std::shared_ptr<const quality::QuestionSpec>> specs_;
  // project id -> (skills version, model)
  std::unordered_map<int64_t, std::pair<int64_t, std::shared_ptr<const ProjectSkills>>> skills_;
  std::unordered_map<int64_t, int64_t> expiry_checked_ms_;  // project id -> last ExpiryDue

  boost::asio::thread_pool workers_;  // last: its threads use everything above
};

}  // namespace tinydata::service
