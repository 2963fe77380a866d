// Private to service/: a project's tasks, assignments, answers and worker skills as the use cases
// hold them in memory - the whole state of the single-server engine (memory_impl.h), and the
// snapshot the shared-database engine (shared_database_impl.h) loads for stats and
// re-inference - plus the pure steps both engines decide with: the skill model from stored skill
// rows, a task's consensus, the verdicts of a retired task, stats, and a full re-inference.
//
// Not thread-safe: callers lock (ProjectState::mu) or own the object.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/infer/answers.h"
#include "tinydata/infer/incremental.h"
#include "tinydata/quality/consensus.h"
#include "tinydata/quality/holds.h"
#include "tinydata/quality/question.h"
#include "tinydata/quality/retirement.h"
#include "tinydata/service/platform.h"
#include "tinydata/store/store.h"

namespace tinydata::service {

// The worker skills of a project's last full inference, as the consensus uses them.
struct ProjectSkills {
  infer::SkillModel model;
  bool available = false;                       // single choice with at least one estimate
  std::unordered_map<int64_t, int32_t> worker;  // user id -> dense worker id of `model`

  // The model's dense id of a user; num_workers (the model's unknown worker) without estimate.
  int32_t WorkerOf(int64_t user_id) const;
  const infer::SkillModel* model_or_null() const { return available ? &model : nullptr; }
};

// The skill model of single-choice projects from their stored rows (model_json "confusion" and
// "prior" of the last Dawid-Skene run); unavailable for other question types or without rows.
ProjectSkills BuildProjectSkills(const quality::QuestionSpec& spec,
                                 const std::unordered_map<int64_t, store::WorkerSkill>& rows);

// The gold kinds of a task (store::GoldSource).
// A control item (imported gold or training) is not a data item: it has no consensus, never
// retires, and stays out of the dataset's statistics.
inline bool IsControl(const store::Task& t) {
  return t.gold_source == store::GoldSource::kImported ||
         t.gold_source == store::GoldSource::kTraining;
}
inline bool IsTraining(const store::Task& t) {
  return t.gold_source == store::GoldSource::kTraining;
}
// Gold pool items score annotators: imported control questions and promoted data items.
inline bool InGoldPool(const store::Task& t) {
  return t.gold_json.has_value() && t.gold_source != store::GoldSource::kTraining;
}

// The seed of `user_id`'s own order of the project's gold pool: every user meets the gold items
// in a different order, which nobody can predict without `secret`.
uint64_t GoldRotationSeed(std::string_view secret, int64_t project_id, int64_t user_id);

// How a new answer is reviewed (quality/holds.h): rejected while its worker is rejected in the
// project, held while they are held or when it is too fast (then `upsert` holds the worker,
// counting the fast answer), counted otherwise. `current` is the worker's review, if any.
struct AnswerReviewDecision {
  store::AnswerReview review = store::AnswerReview::kCounted;
  std::optional<store::WorkerReview> upsert;
};
AnswerReviewDecision DecideAnswerReview(const store::WorkerReview* current, int64_t answer_ms,
                                        int64_t typical_answer_ms, int64_t timed_answers,
                                        const quality::HoldRules& rules, int64_t project_id,
                                        int64_t user_id, int64_t now_ms);

// Merges `update` into `reviews` as the store's upsert_worker_reviews does: state, reason and
// spam score replaced, fast answers added, a rejected worker left rejected.
// Whether a spam hold found by re-inference applies to a worker with review `current` (null:
// none): a reviewer's decision stands, and a worker whose every answer is held already stays so.
bool SpamHoldApplies(const store::WorkerReview* current, const quality::HoldRules& rules);

void MergeWorkerReview(std::unordered_map<int64_t, store::WorkerReview>& reviews,
                       const store::WorkerReview& update);

// Whether a data item that just retired with `confidence` from `counted_answers` answers joins
// the gold pool (store::Project::gold_promotion_confidence; 0 turns it off).
bool ShouldPromoteToGold(const store::Project& project, int32_t counted_answers, double confidence);

// One answer as the consensus sees it.
struct UserAnswer {
  int64_t user_id = 0;
  quality::AnswerValue value;
};

// The consensus of a task from its answers with the current skills; a gold task's is its gold.
Result<quality::Consensus> TaskConsensus(const quality::QuestionSpec& spec,
                                         const ProjectSkills& skills, bool gold,
                                         const quality::AnswerValue& gold_value,
                                         std::span<const UserAnswer> answers);

// Whether `caller` may be given tasks of `project` now: FailedPrecondition naming "project_id"
// for a paused project, one above the caller's level, or the caller's own project (a requester
// is never served, nor paid for, their own tasks).
Status LeaseEligibility(const store::Project& project, const Principal& caller);

// Whether a task retires now (quality::DecideRetirement); gold tasks stay in rotation until
// max_answers, since they exist to test annotators.
bool ShouldRetire(const store::Project& project, bool gold, int32_t answers, double confidence);

// The verdict of one answer of a retired task: against the gold for gold tasks, against the
// consensus otherwise.
quality::Verdict JudgeAnswerOfRetired(const quality::QuestionSpec& spec, bool gold,
                                      const quality::AnswerValue& gold_value,
                                      const quality::AnswerValue& consensus,
                                      const quality::AnswerValue& answer);

// The gold feedback on `answer` to gold item `task`: correct or not, and for a training item
// also the expected answer and its explanation.
GoldFeedback FeedbackOn(const quality::QuestionSpec& spec, const store::Task& task,
                        const quality::AnswerValue& gold_value, const quality::AnswerValue& answer);

// The JSON an answer's stored response is made of (docs/api.md), and its replay.
std::string AnswerResponseJson(const SubmittedAnswer& answer);
SubmittedAnswer ReplayOf(const store::Answer& answer);

// The refusal of an Idempotency-Key its user already sent with an answer to another assignment:
// a retry must repeat the request it retries, so this is a client bug, never a replay.
Status ReusedKeyError();

// A fresh skill row for a worker's first gold answer in a project.
store::WorkerSkill NewSkillRow(int64_t user_id, int64_t project_id);

// --- The in-memory state --------------------------------------------------------------------

struct AnswerState {
  store::Answer row;
  quality::AnswerValue value;
  int32_t task_index = 0;
};

struct TaskState {
  store::Task row;
  bool control = false;   // IsControl(row): imported gold or training
  bool pool = false;      // InGoldPool(row)
  bool training = false;  // IsTraining(row)
  quality::AnswerValue gold_value;  // set when row.gold_json is
  std::vector<int32_t> answers;  // indexes into ProjectState::answers, in arrival order
  int32_t counted = 0;           // of them, those that count (AnswerReview::kCounted)
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
  // Per user, how many gold-pool items and regular items they had (sched::MayServeGold).
  struct LeaseTally {
    int64_t gold = 0;
    int64_t regular = 0;
  };
  std::unordered_map<int64_t, LeaseTally> lease_tally;
  void CountLease(int64_t user_id, const TaskState& task) {
    if (task.pool) {
      ++lease_tally[user_id].gold;
    } else if (!task.control) {
      ++lease_tally[user_id].regular;
    }
  }
  // Open tasks that have answers or leases, in the order they were started; retired entries
  // are dropped lazily.
  std::vector<int32_t> started;
  // Data items below this index are started, retired or control items, so the first fresh one
  // is found in amortised O(1).
  size_t fresh_cursor = 0;
  // The gold pool (InGoldPool) and the training items, as task indexes in the order they came.
  std::vector<int32_t> gold_pool;
  std::vector<int32_t> training_tasks;
  int64_t open_tasks = 0;  // open data items
  int64_t control_tasks = 0;
  // Workers under review, by user id.
  std::unordered_map<int64_t, store::WorkerReview> reviews;
  // The median time a counted answer took, over `timed_answers` (last re-inference or load).
  int64_t typical_answer_ms = 0;
  int64_t timed_answers = 0;
  // Skills of the last full inference, and the stored rows (gold record kept up to date
  // between runs).
  ProjectSkills skills;
  std::unordered_map<int64_t, store::WorkerSkill> skill_rows;
  int64_t answers_since_inference = 0;

  static uint64_t HadKey(int64_t user_id, int32_t task) {
    return (static_cast<uint64_t>(user_id) << 32) ^ static_cast<uint32_t>(task);
  }
};

// Loads a project's whole state from `store` into `ps` (replacing what it held).
Status LoadProjectState(store::Store& store, ProjectState& ps, const store::Project& project);
// Adds one task (at load or import). InvalidArgument when its gold does not fit the question.
Status AddTaskState(ProjectState& ps, store::Task row);
// Makes a retired data item a gold pool item with `gold` (its consensus) as the answer.
void PromoteTaskState(ProjectState& ps, int32_t index, const std::string& gold_json);
// The median time the project's counted answers took (from lease to answer, or the client's
// shorter measure), and over how many.
std::pair<int64_t, int64_t> TypicalAnswerTime(const ProjectState& ps);
// Rebuilds ps.skills from ps.skill_rows.
void RebuildSkillModel(ProjectState& ps);

// The stats of docs/api.md; `pseudonym` names annotators.
ProjectStats ComputeProjectStats(const ProjectState& ps,
                                 const std::function<std::string(int64_t user_id)>& pseudonym);

// --- Full re-inference ----------------------------------------------------------------------

// What a re-inference reads: the answers of a project as dense matrices.
struct InferenceInput {
  int64_t project_id = 0;
  quality::QuestionSpec spec;
  infer::AnswerMatrix choices;   // single choice
  infer::NumericMatrix numbers;  // numeric
  infer::GoldLabels gold;
  std::vector<int64_t> worker_users;        // dense worker id -> user id
  std::vector<int64_t> task_ids;            // dense item id -> task id
  std::vector<size_t> answers_at_snapshot;  // per item
  std::vector<bool> open_regular;           // per item: open, not gold, answered
  int64_t answers = 0;
  // Answers per worker (by dense id), for the spam rule.
  std::vector<int64_t> worker_answers;
  int64_t typical_answer_ms = 0;
  int64_t timed_answers = 0;
};

// The input of a re-inference of `ps`; nullopt for question types it does not cover (multi
// choice, text) or a project without answers.
std::optional<InferenceInput> SnapshotForInference(const ProjectState& ps);

struct InferredTask {
  size_t item = 0;  // index into InferenceInput::task_ids
  quality::AnswerValue consensus;
  double confidence = 0.0;
};

struct InferenceOutput {
  std::vector<store::WorkerSkill> skills;  // one row per worker (gold record left at 0)
  std::vector<InferredTask> tasks;         // new consensus of open regular tasks (single choice)
  // Workers to hold for their spam score (those with no review yet; the caller filters).
  std::vector<std::pair<int64_t, double>> spam_workers;  // (user id, spam score)
};

// The review that holds `user_id` for their spam score in the re-inference of `input`.
store::WorkerReview SpamHold(int64_t project_id, int64_t user_id, double spam_score,
                             const InferenceInput& input, int64_t now_ms);

// Dawid-Skene over the answers (gold clamped) for single choice, robust aggregation for numeric;
// held and rejected answers are left out. Workers whose spam score breaks `rules` are listed.
Result<InferenceOutput> RunInference(const InferenceInput& input, int64_t now_ms,
                                     const quality::HoldRules& rules = {});

}  // namespace tinydata::service
