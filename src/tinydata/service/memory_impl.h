// Private to service/: the engine of a server that is its database's only writer (SQLite).
//
// State. At Load every project is read into memory with its tasks, assignments, answers and
// worker skills (project_state.h); afterwards reads are served from memory and every change is
// queued to the store as one WriteBatch per use case (write-behind, group commit). A use case
// updates the in-memory state first and reports success only once its batch is durable, so
// nothing acknowledged is lost on a restart. If a batch fails, the affected project is reloaded
// from the store and the caller gets the error.
//
// Locking: projects_mu_ guards the project map (shared for lookups, exclusive to add); each
// ProjectState has its own mutex guarding everything in it; idem_mu_ the idempotency index. A
// use case takes at most one project lock and never waits for the store while holding it (it
// queues a batch and returns).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "tinydata/service/platform_impl.h"
#include "tinydata/service/project_state.h"

namespace tinydata::service {

class InMemoryImpl final : public Platform::Impl {
 public:
  using Platform::Impl::Impl;

  // Projects and tasks (projects.cc).
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

  // Annotating (annotating.cc).
  void NextTask(const Principal& caller, std::optional<int64_t> project_id,
                Done<std::optional<LeasedTask>> done) override;
  void SubmitAnswer(const Principal& caller, int64_t assignment_id, const nlohmann::json& value,
                    int64_t duration_ms, std::string idempotency_key,
                    Done<SubmittedAnswer> done) override;

  // Results and background jobs (results.cc).
  Result<ProjectStats> GetProjectStats(const Principal& caller, int64_t project_id) override;
  Result<std::vector<ReviewView>> ListReviews(const Principal& caller, int64_t project_id) override;
  Result<ReviewView> DecideReview(const Principal& caller, int64_t project_id,
                                  std::string_view annotator, ReviewDecision decision) override;
  Status ReinferProject(int64_t project_id) override;
  Status RunMaintenance() override;

 protected:
  Status LoadEngine() override;

 private:
  // The project if it exists (whatever the caller may see); nullptr otherwise.
  ProjectState* FindProject(int64_t project_id);
  // The project if the caller owns it or is an admin; NotFound otherwise. Reloads it first if
  // a batch of it failed. Returns with ps->mu held in `lock`.
  Result<ProjectState*> OwnedProject(const Principal& caller, int64_t project_id,
                                     std::unique_lock<std::mutex>& lock);
  // Reloads a project's state from the store (after a failed batch). Caller holds ps.mu.
  Status ReloadProject(ProjectState& ps);

  // Queues `batch` for project `ps`; on failure the project is marked for reload. `done` gets
  // the store's outcome.
  void WriteForProject(ProjectState& ps, store::WriteBatch batch,
                       std::function<void(const Status&)> done);

  // FailedPrecondition naming "project_id" when a reviewer rejected the user's answers in the
  // project. Caller holds ps.mu.
  Status WorkerMayLease(const ProjectState& ps, int64_t user_id) const;
  // The next gold pool item in the user's own order that they never had. Caller holds ps.mu.
  std::optional<int32_t> NextGoldFor(const ProjectState& ps, int64_t user_id) const;
  // Leases task `index` to the caller under `assignment_id`. Caller holds ps.mu.
  LeasedTask LeaseTask(ProjectState& ps, int32_t index, const Principal& caller, int64_t now_ms,
                       int64_t assignment_id, store::WriteBatch& batch);
  // Leasing: candidates and choice for one project. Caller holds ps.mu.
  Result<std::optional<LeasedTask>> LeaseInProject(ProjectState& ps, const Principal& caller,
                                                   int64_t now_ms, store::WriteBatch& batch);
  // Drops expired leases of a task (recording them in `batch`) and returns the live count.
  int32_t LiveLeases(ProjectState& ps, TaskState& task, int64_t now_ms, store::WriteBatch& batch);

  // Delivers the stored response of `first` (an earlier answer with the same idempotency key)
  // once its batch is durable. Caller holds ps.mu in `lock`; this may release it.
  void ReplayWhenDurable(ProjectState& ps, std::unique_lock<std::mutex>& lock,
                         const AnswerState& first, Done<SubmittedAnswer>& done);
  // The consensus of a task from its answers with the current skills. Caller holds ps.mu.
  Result<quality::Consensus> ConsensusOf(const ProjectState& ps, const TaskState& task) const;
  // Runs the retirement hook (rewards, XP, gold results, ledger) for `answers` of `task`, which
  // carry their final verdicts. Nothing for training items. Caller holds ps.mu.
  void Settle(ProjectState& ps, const TaskState& task, const std::vector<store::Answer>& answers,
              store::WriteBatch& batch);
  // Settlement of a task that just retired: every counted or released answer's verdict
  // (recorded in `batch` and in memory), its promotion into the gold pool when confident enough,
  // then Settle. Caller holds ps.mu.
  void SettleRetiredTask(ProjectState& ps, TaskState& task, int64_t new_answer_index,
                         store::WriteBatch& batch);

  mutable std::shared_mutex projects_mu_;
  std::unordered_map<int64_t, std::unique_ptr<ProjectState>> projects_;

  std::mutex idem_mu_;
  // "<user id>\x1f<key>" -> (project id, answer id)
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> idempotency_;
  // assignment id -> project id
  std::unordered_map<int64_t, int64_t> assignment_project_;
};

}  // namespace tinydata::service
