// Private to service/: the in-memory state behind Platform and the use cases working on it.
//
// Locking: projects_mu_ guards the project map (shared for lookups, exclusive to add); each
// ProjectState has its own mutex guarding everything in it; auth_mu_ guards the token and
// principal caches; idem_mu_ the idempotency index. A use case takes at most one project lock
// and never waits for the store while holding it (it queues a batch and returns).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tinydata/infer/incremental.h"
#include "tinydata/quality/consensus.h"
#include "tinydata/quality/question.h"
#include "tinydata/quality/retirement.h"
#include "tinydata/service/platform.h"

namespace tinydata::service {

struct AnswerState {
  store::Answer row;
  quality::AnswerValue value;
  int32_t task_index = 0;
};

struct TaskState {
  store::Task row;
  bool gold = false;
  quality::AnswerValue gold_value;
  std::vector<int32_t> answers;  // indexes into ProjectState::answers, in arrival order
  struct Lease {
    int64_t assignment_id;
    int64_t expires_at_ms;
  };
  std::vector<Lease> leases;   // this task's assignments still "leased"
  bool started = false;        // in ProjectState::started
  bool open = true;            // row.state == "open", without a string compare
  bool has_consensus = false;  // row.consensus_json parsed
  quality::AnswerValue consensus;
};

struct AssignmentState {
  store::Assignment row;
  int32_t task_index = 0;
  int32_t answer_index = -1;
};

struct ProjectState {
  std::mutex mu;
  // Set by store callbacks (which never take `mu`, so Flush may be called under it): a batch of
  // this project failed, reload before the next use.
  std::atomic<bool> needs_reload{false};
  // Batches of one project are queued under `mu` and the store commits in queue order, so the
  // durable answers are exactly those with id <= this watermark.
  std::atomic<int64_t> committed_answer_id{0};
  store::Project project;
  quality::QuestionSpec spec;
  std::vector<TaskState> tasks;                     // in id order
  std::unordered_map<int64_t, int32_t> task_index;  // task id -> index
  std::vector<AnswerState> answers;                 // in id order
  std::unordered_map<int64_t, AssignmentState> assignments;
  std::unordered_set<uint64_t> had;  // HadKey(user, task index)
  // Open tasks that have answers or leases, in the order they were started; retired entries
  // are dropped lazily.
  std::vector<int32_t> started;
  // Tasks below these indexes are started, retired or of the other kind (regular / gold), so
  // the first fresh task of each kind is found in amortised O(1).
  size_t fresh_cursor = 0;
  size_t fresh_gold_cursor = 0;
  int64_t open_tasks = 0;
  int64_t gold_tasks = 0;
  // Skills of the last full inference: dense worker ids of the SkillModel, and the stored rows
  // (gold record kept up to date between runs).
  infer::SkillModel skills;
  bool has_skills = false;
  std::unordered_map<int64_t, int32_t> skill_worker;
  std::unordered_map<int64_t, store::WorkerSkill> skill_rows;
  int64_t answers_since_inference = 0;

  static uint64_t HadKey(int64_t user_id, int32_t task) {
    return (static_cast<uint64_t>(user_id) << 32) ^ static_cast<uint32_t>(task);
  }
};

class Platform::Impl {
 public:
  Impl(store::Store* store, const Clock* clock, PlatformOptions options);

  Status Load();

  // Accounts (accounts.cc).
  Result<store::User> CreateUser(std::string_view email, std::string_view password,
                                 std::string_view display_name, uint32_t roles);
  Result<Session> StartSession(store::User user);
  Result<Session> Register(const RegisterRequest& request);
  Result<Session> Login(std::string_view email, std::string_view password);
  Status Logout(std::string_view token);
  Result<Principal> AuthenticateToken(std::string_view token);
  Result<store::User> GetUser(int64_t user_id);
  void InvalidateUser(int64_t user_id);

  // Projects and tasks (projects.cc).
  Result<store::Project> CreateProject(const Principal& caller, const nlohmann::json& input);
  Result<store::Project> UpdateProject(const Principal& caller, int64_t project_id,
                                       const nlohmann::json& patch);
  Result<store::Project> SetStatus(const Principal& caller, int64_t project_id, const char* status);
  Result<store::Project> GetProject(const Principal& caller, int64_t project_id);
  Result<std::vector<store::Project>> ListProjects(const Principal& caller);
  ImportOutcome ImportTasks(const Principal& caller, int64_t project_id, io::TaskFormat format,
                            std::string_view body);
  Result<std::vector<store::Task>> ListTasks(const Principal& caller, int64_t project_id,
                                             std::string_view state, int limit,
                                             int64_t after_task_id);

  // Annotating (annotating.cc).
  void NextTask(const Principal& caller, std::optional<int64_t> project_id,
                Done<std::optional<LeasedTask>> done);
  void SubmitAnswer(const Principal& caller, int64_t assignment_id, const nlohmann::json& value,
                    int64_t duration_ms, std::string idempotency_key, Done<SubmittedAnswer> done);

  // Results and background jobs (results.cc).
  Result<ProjectStats> GetProjectStats(const Principal& caller, int64_t project_id);
  Result<std::unique_ptr<ExportStream>> ExportProject(const Principal& caller, int64_t project_id,
                                                      io::ExportFormat format);
  std::string Pseudonym(int64_t project_id, int64_t user_id) const;
  Status ReinferProject(int64_t project_id);
  Status RunMaintenance();

  store::Store* store() const { return store_; }
  void SetRetirementHook(RetirementHook hook) { retirement_hook_ = std::move(hook); }
  void SetLeaseGate(LeaseGate gate) { lease_gate_ = std::move(gate); }

 private:
  // The project if it exists (whatever the caller may see); nullptr otherwise.
  ProjectState* FindProject(int64_t project_id);
  // The project if the caller owns it or is an admin; NotFound otherwise. Reloads it first if
  // a batch of it failed. Returns with ps->mu held in `lock`.
  Result<ProjectState*> OwnedProject(const Principal& caller, int64_t project_id,
                                     std::unique_lock<std::mutex>& lock);
  // Reloads a project's state from the store (after a failed batch). Caller holds ps.mu.
  Status ReloadProject(ProjectState& ps);
  Status LoadProjectState(ProjectState& ps, const store::Project& project);
  // Adds a task to the in-memory state (at load or import).
  Status AddTaskState(ProjectState& ps, store::Task row);

  // Queues `batch` for project `ps`; on failure the project is marked for reload. `done` gets
  // the store's outcome.
  void WriteForProject(ProjectState& ps, store::WriteBatch batch,
                       std::function<void(const Status&)> done);

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
  Result<quality::Consensus> TaskConsensus(const ProjectState& ps, const TaskState& task) const;
  // Settlement of a task that just retired: every answer's verdict (recorded in `batch` and in
  // memory), then the retirement hook (rewards, XP, ledger). The one place where retirement
  // side effects happen. Caller holds ps.mu.
  void SettleRetiredTask(ProjectState& ps, TaskState& task, int64_t new_answer_index,
                         store::WriteBatch& batch);

  // Skills: rebuild the SkillModel from skill_rows (single choice). Caller holds ps.mu.
  void RebuildSkillModel(ProjectState& ps);

  store::Store* const store_;
  const Clock* const clock_;
  const PlatformOptions options_;
  std::string pseudonym_secret_;
  RetirementHook retirement_hook_;
  LeaseGate lease_gate_;

  mutable std::shared_mutex projects_mu_;
  std::unordered_map<int64_t, std::unique_ptr<ProjectState>> projects_;

  std::shared_mutex auth_mu_;
  std::unordered_map<std::string, int64_t> token_users_;  // token hash -> user id
  std::unordered_map<int64_t, Principal> principals_;     // user id -> principal

  std::mutex idem_mu_;
  // "<user id>\x1f<key>" -> (project id, answer id)
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> idempotency_;
  // assignment id -> project id
  std::unordered_map<int64_t, int64_t> assignment_project_;

  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace tinydata::service
