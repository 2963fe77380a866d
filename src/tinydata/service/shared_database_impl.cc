#include "tinydata/service/shared_database_impl.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <boost/asio/post.hpp>

#include "tinydata/sched/next_task.h"
#include "tinydata/service/project_input.h"

namespace tinydata::service {
namespace {

// Lease candidates per kind (gold, regular): in-flight tasks closest to retiring, and fresh ones.
constexpr int kInFlightCandidates = 16;
constexpr int kFreshCandidates = 2;
// Gold pool items a lease considers, the next ones in the user's order.
constexpr int kGoldCandidates = 4;
// Expired leases released before a lease, per project; the maintenance job does the rest.
constexpr int kExpiriesPerLease = 16;
// How often a server releases a project's expired leases before leasing in it.
constexpr int64_t kExpiryCheckMs = 1000;
constexpr int kExpiriesPerMaintenanceRound = 256;
// Tasks whose consensus one re-inference transaction refreshes.
constexpr size_t kReinferTasksPerTransaction = 256;

}  // namespace

SharedDatabaseImpl::SharedDatabaseImpl(store::Store* store, const Clock* clock,
                                       PlatformOptions options)
    : Impl(store, clock, options),
      workers_(static_cast<size_t>(std::max(1, options.shared_workers))) {}

SharedDatabaseImpl::~SharedDatabaseImpl() { workers_.join(); }

// --- Projects and tasks ------------------------------------------------------------------------

Result<store::Project> SharedDatabaseImpl::VisibleProject(const Principal& caller,
                                                          int64_t project_id) {
  TD_ASSIGN_OR_RETURN(std::optional<store::Project> project, store_->FindProjectById(project_id));
  if (!project || (project->owner_id != caller.user_id && !caller.is_admin())) {
    return Status::NotFound("no such project", "project_id");
  }
  return std::move(*project);
}

Result<std::shared_ptr<const quality::QuestionSpec>> SharedDatabaseImpl::SpecOf(
    const store::Project& project) {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = specs_.find(project.question_json);
    if (it != specs_.end()) return it->second;
  }
  auto question = nlohmann::json::parse(project.question_json, nullptr, false);
  Result<quality::QuestionSpec> spec = quality::ParseQuestionSpec(question, "question");
  if (!spec.ok()) {
    return Status::DataLoss("project " + std::to_string(project.id) + ": " +
                            spec.status().message());
  }
  auto shared = std::make_shared<const quality::QuestionSpec>(std::move(spec).value());
  std::lock_guard<std::mutex> lock(cache_mu_);
  return specs_.emplace(project.question_json, std::move(shared)).first->second;
}

Result<std::shared_ptr<const ProjectSkills>> SharedDatabaseImpl::SkillsOf(
    const store::Project& project, const quality::QuestionSpec& spec, int64_t version) {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = skills_.find(project.id);
    if (it != skills_.end() && it->second.first == version) return it->second.second;
  }
  TD_ASSIGN_OR_RETURN(std::vector<store::WorkerSkill> rows, store_->LoadSkills(project.id));
  std::unordered_map<int64_t, store::WorkerSkill> by_user;
  for (store::WorkerSkill& row : rows) by_user[row.user_id] = std::move(row);
  auto skills = std::make_shared<const ProjectSkills>(BuildProjectSkills(spec, by_user));
  std::lock_guard<std::mutex> lock(cache_mu_);
  auto& entry = skills_[project.id];
  if (entry.second == nullptr || entry.first <= version) entry = {version, skills};
  return skills;
}

Result<store::Project> SharedDatabaseImpl::CreateProject(const Principal& caller,
                                                         const nlohmann::json& input) {
  quality::QuestionSpec spec;
  return InsertProject(caller, input, &spec);
}

Result<store::Project> SharedDatabaseImpl::ChangeProject(
    const Principal& caller, int64_t project_id,
    const std::function<Status(store::Project& project, store::Transaction& txn)>& change) {
  // Locked for the change, so two servers changing one project do not undo each other.
  return store::RunInTransaction<store::Project>(
      *store_, [&](store::Transaction& txn) -> Result<store::Project> {
        TD_ASSIGN_OR_RETURN(std::optional<store::Project> project,
                            txn.LockProject(project_id, /*exclusive=*/true));
        if (!project || (project->owner_id != caller.user_id && !caller.is_admin())) {
          return Status::NotFound("no such project", "project_id");
        }
        store::Project p = *project;
        TD_RETURN_IF_ERROR(change(p, txn));
        store::WriteBatch batch;
        batch.upsert_projects.push_back(p);
        TD_RETURN_IF_ERROR(txn.Apply(batch));
        return p;
      });
}

Result<store::Project> SharedDatabaseImpl::UpdateProject(const Principal& caller,
                                                         int64_t project_id,
                                                         const nlohmann::json& patch) {
  return ChangeProject(caller, project_id,
                       [&](store::Project& p, store::Transaction& txn) -> Status {
                         const std::string question = p.question_json;
                         quality::QuestionSpec spec;
                         TD_RETURN_IF_ERROR(ApplyProjectInput(patch, /*partial=*/true, p, spec));
                         if (p.question_json == question) return Status::Ok();
                         // Imports hold the project shared, so none runs meanwhile.
                         TD_ASSIGN_OR_RETURN(bool has_tasks, txn.ProjectHasTasks(project_id));
                         if (has_tasks) {
                           return Status::FailedPrecondition(
                               "the question cannot change once tasks are imported", "question");
                         }
                         return Status::Ok();
                       });
}

Result<store::Project> SharedDatabaseImpl::SetStatus(const Principal& caller, int64_t project_id,
                                                     const char* status) {
  return ChangeProject(caller, project_id, [&](store::Project& p, store::Transaction&) {
    p.status = status;
    return Status::Ok();
  });
}

Result<store::Project> SharedDatabaseImpl::GetProject(const Principal& caller, int64_t project_id) {
  return VisibleProject(caller, project_id);
}

Result<std::vector<store::Project>> SharedDatabaseImpl::ListProjects(const Principal& caller) {
  TD_ASSIGN_OR_RETURN(std::vector<store::Project> all, store_->LoadProjects());
  std::vector<store::Project> out;
  for (store::Project& p : all) {
    if (p.owner_id == caller.user_id || caller.is_admin()) out.push_back(std::move(p));
  }
  return out;
}

ImportOutcome SharedDatabaseImpl::ImportTasks(const Principal& caller, int64_t project_id,
                                              io::TaskFormat format, std::string_view body) {
  // The project is held shared, so its question (which the gold values are checked against)
  // cannot change until the tasks are in.
  Result<ImportOutcome> imported = store::RunInTransaction<ImportOutcome>(
      *store_, [&](store::Transaction& txn) -> Result<ImportOutcome> {
        TD_ASSIGN_OR_RETURN(std::optional<store::Project> project,
                            txn.LockProject(project_id, /*exclusive=*/false));
        if (!project || (project->owner_id != caller.user_id && !caller.is_admin())) {
          return Status::NotFound("no such project", "project_id");
        }
        TD_ASSIGN_OR_RETURN(std::shared_ptr<const quality::QuestionSpec> spec, SpecOf(*project));
        std::vector<store::Task> rows;
        ImportOutcome outcome = ParseImport(*spec, project_id, format, body, &rows);
        if (!outcome.status.ok()) return outcome;  // row errors: nothing to write
        store::WriteBatch batch;
        batch.insert_tasks = std::move(rows);
        TD_RETURN_IF_ERROR(txn.Apply(batch));
        return outcome;
      });
  if (imported.ok()) return std::move(imported).value();
  ImportOutcome failed;
  failed.status = imported.status();
  return failed;
}

Result<std::vector<store::Task>> SharedDatabaseImpl::ListTasks(const Principal& caller,
                                                               int64_t project_id,
                                                               std::string_view state, int limit,
                                                               int64_t after_task_id) {
  TD_RETURN_IF_ERROR(VisibleProject(caller, project_id).status());
  TD_ASSIGN_OR_RETURN(std::vector<store::ExportTask> page,
                      store_->ReadTaskPage(project_id, after_task_id, limit, state));
  std::vector<store::Task> out;
  out.reserve(page.size());
  for (store::ExportTask& t : page) out.push_back(std::move(t.task));
  return out;
}

// --- Leasing -----------------------------------------------------------------------------------

void SharedDatabaseImpl::NextTask(const Principal& caller, std::optional<int64_t> project_id,
                                  Done<std::optional<LeasedTask>> done) {
  boost::asio::post(workers_, [this, caller, project_id, done = std::move(done)]() {
    done(LeaseNext(caller, project_id));
  });
}

Result<std::optional<LeasedTask>> SharedDatabaseImpl::LeaseNext(const Principal& principal,
                                                                std::optional<int64_t> project_id) {
  TD_ASSIGN_OR_RETURN(const Principal caller, GatedCaller(principal));
  const int64_t now = clock_->NowMs();
  std::vector<store::Project> targets;
  if (project_id) {
    TD_ASSIGN_OR_RETURN(std::optional<store::Project> project,
                        store_->FindProjectById(*project_id));
    if (!project) return Status::NotFound("no such project", "project_id");
    TD_RETURN_IF_ERROR(LeaseEligibility(*project, caller));
    targets.push_back(std::move(*project));
  } else {
    TD_ASSIGN_OR_RETURN(std::vector<store::Project> all, store_->LoadProjects());
    for (store::Project& p : all) {
      if (LeaseEligibility(p, caller).ok()) targets.push_back(std::move(p));
    }
  }
  // A worker a reviewer rejected in a project gets none of its tasks.
  std::vector<store::Project> allowed;
  for (store::Project& p : targets) {
    Result<bool> rejected =
        store::RunInTransaction<bool>(*store_, [&](store::Transaction& txn) -> Result<bool> {
          TD_ASSIGN_OR_RETURN(std::optional<store::WorkerReview> review,
                              txn.ReadWorkerReview(p.id, caller.user_id, /*lock=*/false));
          return review && review->state == store::ReviewState::kRejected;
        });
    TD_RETURN_IF_ERROR(rejected.status());
    if (!*rejected) {
      allowed.push_back(std::move(p));
    } else if (project_id) {
      return Status::FailedPrecondition("a reviewer rejected your answers in this project",
                                        "project_id");
    }
  }
  targets = std::move(allowed);
  auto lease = [&](const store::Project& project) -> Result<std::optional<LeasedTask>> {
    auto attempt = [&](bool wait_holding_others) {
      return store::RunInTransaction<LeaseOutcome>(*store_, [&](store::Transaction& txn) {
        return LeaseIn(txn, project, caller, now, wait_holding_others);
      });
    };
    TD_ASSIGN_OR_RETURN(LeaseOutcome outcome, attempt(false));
    // Only busy tasks were left, and this transaction held others it had turned down: a fresh
    // one may wait for them (what is busy now is usually answered in a moment).
    if (!outcome.leased && outcome.busy) {
      TD_ASSIGN_OR_RETURN(outcome, attempt(true));
    }
    return std::move(outcome.leased);
  };
  for (const store::Project& project : targets) {
    // Leases that expired still count as claims until they are marked expired: release those of
    // this project about once a second, so the tasks they held go back to the pool.
    if (ExpiryDue(project.id, now)) {
      TD_RETURN_IF_ERROR(ExpireDueLeases(project.id, now, kExpiriesPerLease).status());
    }
    TD_ASSIGN_OR_RETURN(std::optional<LeasedTask> leased, lease(project));
    if (leased) return leased;
    // Nothing left for this user: expired leases may hold the last slots; release them and look
    // once more.
    TD_ASSIGN_OR_RETURN(int expired, ExpireDueLeases(project.id, now, kExpiriesPerLease));
    if (expired == 0) continue;
    TD_ASSIGN_OR_RETURN(leased, lease(project));
    if (leased) return leased;
  }
  return std::optional<LeasedTask>();
}

Result<int> SharedDatabaseImpl::ExpireDueLeases(int64_t project_id, int64_t now_ms, int limit) {
  return store::RunInTransaction<int>(*store_, [&](store::Transaction& txn) -> Result<int> {
    TD_ASSIGN_OR_RETURN(std::vector<int64_t> tasks,
                        txn.TasksWithExpiredLeases(project_id, now_ms, limit));
    for (int64_t task_id : tasks) {
      // A task another transaction holds is left for the next round.
      TD_ASSIGN_OR_RETURN(std::optional<store::TaskClaims> locked, txn.LockTask(task_id, true));
      if (locked) TD_RETURN_IF_ERROR(txn.ExpireLeases(task_id, now_ms).status());
    }
    return static_cast<int>(tasks.size());
  });
}

bool SharedDatabaseImpl::ExpiryDue(int64_t project_id, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(cache_mu_);
  int64_t& last = expiry_checked_ms_[project_id];
  if (now_ms - last < kExpiryCheckMs && now_ms >= last) return false;
  last = now_ms;
  return true;
}

Result<SharedDatabaseImpl::LeaseOutcome> SharedDatabaseImpl::LeaseIn(store::Transaction& txn,
                                                                     const store::Project& project,
                                                                     const Principal& caller,
                                                                     int64_t now_ms,
                                                                     bool wait_holding_others) {
  // Training items come first: they teach the task before anything counts.
  TD_ASSIGN_OR_RETURN(std::vector<store::TaskClaims> training,
                      txn.TrainingCandidates(project.id, caller.user_id, 4));
  for (const store::TaskClaims& t : training) {
    TD_ASSIGN_OR_RETURN(std::optional<store::TaskClaims> locked,
                        txn.LockTask(t.task.id, /*skip_locked=*/false, now_ms));
    if (!locked) continue;
    TD_ASSIGN_OR_RETURN(std::optional<LeasedTask> leased,
                        TryLease(txn, project, caller, now_ms, std::move(*locked)));
    if (leased) return LeaseOutcome{std::move(leased), false};
  }
  store::LeaseQuery query;
  query.project_id = project.id;
  query.user_id = caller.user_id;
  query.min_answers = project.min_answers;
  query.max_answers = project.max_answers;
  query.in_flight_limit = kInFlightCandidates;
  query.fresh_limit = kFreshCandidates;
  TD_ASSIGN_OR_RETURN(std::vector<store::TaskClaims> found, txn.LeaseCandidates(query));
  std::vector<sched::Candidate> candidates;
  candidates.reserve(found.size());
  for (const store::TaskClaims& c : found) {
    sched::Candidate candidate;
    candidate.task_id = c.task.id;
    candidate.gold = c.gold;
    candidate.answers = c.answers;
    candidate.live_leases = c.leases;
    candidate.confidence = c.task.confidence;
    candidate.min_answers = project.min_answers;
    candidate.max_answers = project.max_answers;
    candidate.min_level = project.min_level;
    candidates.push_back(candidate);
  }
  // The next gold items in the user's own order; every annotator may answer each once, and
  // gold does not outgrow the user's real work.
  TD_ASSIGN_OR_RETURN(
      std::vector<store::TaskClaims> gold,
      txn.GoldCandidates(project.id, caller.user_id,
                         static_cast<int64_t>(GoldRotationSeed(pseudonym_secret_, project.id,
                                                               caller.user_id)),
                         kGoldCandidates));
  if (!gold.empty()) {
    TD_ASSIGN_OR_RETURN(store::Transaction::LeaseTally tally,
                        txn.UserLeaseTally(project.id, caller.user_id));
    if (!sched::MayServeGold(tally.gold, tally.regular)) gold.clear();
  }
  for (const store::TaskClaims& c : gold) {
    sched::Candidate candidate;
    candidate.task_id = c.task.id;
    candidate.gold = true;
    candidate.max_answers = std::numeric_limits<int32_t>::max();
    candidate.min_answers = project.min_answers;
    candidate.min_level = project.min_level;
    candidates.push_back(candidate);
  }
  const double draw = Draw();
  const sched::UserContext user{caller.level};
  std::optional<size_t> busy;  // the best candidate another transaction held
  bool holds_others = false;   // locked candidates that were turned down stay locked
  for (;;) {
    const std::optional<size_t> pick =
        sched::PickNextTask(candidates, user, project.gold_rate, draw);
    if (!pick) break;
    // Taken out of the running whatever happens next.
    candidates[*pick].retired = true;
    TD_ASSIGN_OR_RETURN(std::optional<store::TaskClaims> locked,
                        txn.LockTask(candidates[*pick].task_id, /*skip_locked=*/true, now_ms));
    if (!locked) {
      if (!busy) busy = *pick;
      continue;
    }
    TD_ASSIGN_OR_RETURN(std::optional<LeasedTask> leased,
                        TryLease(txn, project, caller, now_ms, std::move(*locked)));
    if (leased) return LeaseOutcome{std::move(leased), false};
    holds_others = true;
  }
  if (!busy) return LeaseOutcome{};
  // Waiting while holding other task locks could close a cycle with another lease (the database
  // would break it by aborting one); ask for a fresh transaction instead.
  if (holds_others && !wait_holding_others) return LeaseOutcome{std::nullopt, true};
  // Everything else is taken: wait for the best task another lease or answer holds.
  TD_ASSIGN_OR_RETURN(std::optional<store::TaskClaims> locked,
                      txn.LockTask(candidates[*busy].task_id, /*skip_locked=*/false, now_ms));
  if (!locked) return LeaseOutcome{};
  TD_ASSIGN_OR_RETURN(std::optional<LeasedTask> leased,
                      TryLease(txn, project, caller, now_ms, std::move(*locked)));
  return LeaseOutcome{std::move(leased), false};
}

Result<std::optional<LeasedTask>> SharedDatabaseImpl::TryLease(store::Transaction& txn,
                                                               const store::Project& project,
                                                               const Principal& caller,
                                                               int64_t now_ms,
                                                               store::TaskClaims claims) {
  const store::Task& task = claims.task;
  // Gold and training items take any number of annotators, retired (promoted) ones too.
  const bool gold = task.gold_json.has_value();
  if (!gold && task.state != "open") return std::optional<LeasedTask>();
  if (claims.expired_leases > 0) {
    TD_ASSIGN_OR_RETURN(int32_t expired, txn.ExpireLeases(task.id, now_ms));
    claims.leases -= expired;
  }
  if (!gold && claims.answers + claims.leases >= project.max_answers) {
    return std::optional<LeasedTask>();
  }
  store::Assignment a;
  TD_ASSIGN_OR_RETURN(a.id, store_->NextId(store::IdKind::kAssignment));
  a.task_id = task.id;
  a.user_id = caller.user_id;
  a.project_id = project.id;
  a.issued_at_ms = now_ms;
  a.expires_at_ms = now_ms + options_.lease_seconds * 1000;
  a.state = "leased";
  // A user who had the task (perhaps through another request committed a moment ago) does not
  // get it again.
  TD_ASSIGN_OR_RETURN(bool inserted, txn.InsertLease(a));
  if (!inserted) return std::optional<LeasedTask>();
  LeasedTask leased;
  leased.assignment = std::move(a);
  leased.task_id = task.id;
  leased.task_data_json = task.data_json;
  leased.project = project;
  return std::optional<LeasedTask>(std::move(leased));
}

// --- Answering ---------------------------------------------------------------------------------

void SharedDatabaseImpl::SubmitAnswer(const Principal& caller, int64_t assignment_id,
                                      const nlohmann::json& value, int64_t duration_ms,
                                      std::string idempotency_key, Done<SubmittedAnswer> done) {
  boost::asio::post(workers_, [this, caller, assignment_id, value, duration_ms,
                               key = std::move(idempotency_key), done = std::move(done)]() {
    const int64_t now = clock_->NowMs();
    Result<Submission> submitted =
        store::RunInTransaction<Submission>(*store_, [&](store::Transaction& txn) {
          return SubmitIn(txn, caller, assignment_id, value, duration_ms, key, now);
        });
    if (!submitted.ok()) {
      done(submitted.status());
    } else if (!submitted->refusal.ok()) {
      done(submitted->refusal);
    } else {
      done(std::move(submitted->answer));
    }
  });
}

Result<SharedDatabaseImpl::Submission> SharedDatabaseImpl::SubmitIn(
    store::Transaction& txn, const Principal& caller, int64_t assignment_id,
    const nlohmann::json& value, int64_t duration_ms, const std::string& idempotency_key,
    int64_t now_ms) {
  // A retry of an answer that committed: its stored response, whichever server took it.
  if (!idempotency_key.empty()) {
    TD_ASSIGN_OR_RETURN(std::optional<store::Answer> earlier,
                        txn.AnswerByIdempotencyKey(caller.user_id, idempotency_key));
    if (earlier) {
      if (earlier->assignment_id != assignment_id) return ReusedKeyError();
      return Submission{Status::Ok(), ReplayOf(*earlier)};
    }
  }
  TD_ASSIGN_OR_RETURN(std::optional<store::Assignment> seen, txn.ReadAssignment(assignment_id));
  if (!seen || seen->user_id != caller.user_id) {
    return Status::NotFound("no such assignment", "assignment_id");
  }
  // The task first, then its assignment (transaction.h's lock order).
  TD_ASSIGN_OR_RETURN(std::optional<store::TaskClaims> claims, txn.LockTask(seen->task_id, false));
  TD_ASSIGN_OR_RETURN(std::optional<store::Assignment> assignment,
                      txn.LockAssignment(assignment_id));
  if (!claims || !assignment) return Status::NotFound("no such assignment", "assignment_id");
  if (assignment->state == "answered") {
    // Perhaps by a request with this key that committed while this one waited for the lock.
    TD_ASSIGN_OR_RETURN(std::optional<store::Answer> first, txn.AnswerOfAssignment(assignment_id));
    if (first && !idempotency_key.empty() && first->idempotency_key == idempotency_key) {
      return Submission{Status::Ok(), ReplayOf(*first)};
    }
    return Status::AlreadyExists("the assignment was already answered", "assignment_id");
  }
  if (assignment->state == "expired" || assignment->expires_at_ms <= now_ms) {
    if (assignment->state == "leased") {
      store::WriteBatch batch;
      batch.update_assignments.push_back({assignment_id, "expired"});
      TD_RETURN_IF_ERROR(txn.Apply(batch));
    }
    return Submission{
        Status::FailedPrecondition("the lease of this assignment expired", "assignment_id"), {}};
  }
  store::ProjectInference inference;
  TD_ASSIGN_OR_RETURN(std::optional<store::Project> project,
                      txn.ReadProject(assignment->project_id, &inference));
  if (!project)
    return Status::DataLoss("assignment " + std::to_string(assignment_id) + " has no project");
  TD_ASSIGN_OR_RETURN(std::shared_ptr<const quality::QuestionSpec> spec, SpecOf(*project));
  TD_ASSIGN_OR_RETURN(quality::AnswerValue parsed,
                      quality::ParseAnswerValue(*spec, value, "value"));

  store::Task task = std::move(claims->task);
  if (task.gold_json && task.gold_source == store::GoldSource::kNone) {
    task.gold_source = store::GoldSource::kImported;
  }
  const bool control = IsControl(task);
  const bool pool = InGoldPool(task);
  const bool training = IsTraining(task);
  quality::AnswerValue gold_value;
  if (task.gold_json) {
    TD_ASSIGN_OR_RETURN(gold_value,
                        quality::ParseAnswerValue(
                            *spec, nlohmann::json::parse(*task.gold_json, nullptr, false), "gold"));
  }
  // Whether the answer counts, or is held for review (quality/holds.h). Training items count
  // for nothing, so nobody is held for them.
  AnswerReviewDecision review;
  if (!training) {
    TD_ASSIGN_OR_RETURN(std::optional<store::WorkerReview> current,
                        txn.ReadWorkerReview(project->id, caller.user_id, /*lock=*/false));
    review = DecideAnswerReview(
        current ? &*current : nullptr,
        quality::AnswerTimeMs(now_ms - assignment->issued_at_ms, duration_ms),
        inference.typical_answer_ms, inference.timed_answers, options_.hold_rules, project->id,
        caller.user_id, now_ms);
  }
  const bool counted = review.review == store::AnswerReview::kCounted;

  store::Answer answer;
  TD_ASSIGN_OR_RETURN(answer.id, store_->NextId(store::IdKind::kAnswer));
  answer.assignment_id = assignment_id;
  answer.task_id = task.id;
  answer.user_id = caller.user_id;
  answer.project_id = project->id;
  answer.value_json = quality::AnswerValueToJson(*spec, parsed).dump();
  answer.duration_ms = duration_ms;
  answer.idempotency_key = idempotency_key;
  answer.created_at_ms = now_ms;
  answer.review = review.review;
  if (review.review == store::AnswerReview::kRejected) answer.verdict = "rejected";

  SubmittedAnswer out;
  out.answer_id = answer.id;
  out.reward_pending_aia = training ? 0 : project->reward_aia;
  store::WriteBatch batch;
  // The answers the retirement hook settles: every answer of a task retiring now, or this one
  // alone when it is a gold answer or arrives after its task retired.
  bool settle = false;
  std::vector<store::Answer> settled;
  batch.update_assignments.push_back({assignment_id, "answered"});
  if (review.upsert) batch.upsert_worker_reviews.push_back(*review.upsert);
  if (task.gold_json) {
    out.gold = FeedbackOn(*spec, task, gold_value, parsed);
    if (pool && counted) {
      TD_ASSIGN_OR_RETURN(
          store::WorkerSkill row,
          txn.LockSkill(caller.user_id, project->id, NewSkillRow(caller.user_id, project->id)));
      ++row.gold_seen;
      if (out.gold->correct) ++row.gold_correct;
      row.updated_at_ms = now_ms;
      batch.upsert_skills.push_back(std::move(row));
    }
    if (counted) {
      answer.verdict = out.gold->correct ? "accepted" : "rejected";
      settle = pool;
    }
  } else if (task.state == "open" && counted) {
    TD_ASSIGN_OR_RETURN(std::vector<store::Answer> rows, txn.AnswersOfTask(task.id));
    std::vector<quality::AnswerValue> values;
    std::vector<UserAnswer> answers;
    values.reserve(rows.size());
    for (const store::Answer& row : rows) {
      Result<quality::AnswerValue> v = quality::ParseAnswerValue(
          *spec, nlohmann::json::parse(row.value_json, nullptr, false), "value");
      if (!v.ok()) {
        return Status::DataLoss("answer " + std::to_string(row.id) + ": " + v.status().message());
      }
      if (row.review == store::AnswerReview::kCounted) answers.push_back({row.user_id, *v});
      values.push_back(std::move(v).value());
    }
    answers.push_back({caller.user_id, parsed});
    TD_ASSIGN_OR_RETURN(std::shared_ptr<const ProjectSkills> skills,
                        SkillsOf(*project, *spec, inference.skills_version));
    TD_ASSIGN_OR_RETURN(quality::Consensus consensus,
                        TaskConsensus(*spec, *skills, control, gold_value, answers));
    task.consensus_json = quality::AnswerValueToJson(*spec, consensus.value).dump();
    task.confidence = consensus.confidence;
    const int32_t counted_answers = static_cast<int32_t>(answers.size());
    const bool retire = ShouldRetire(*project, control, counted_answers, consensus.confidence);
    if (retire) {
      task.state = "retired";
      task.retired_at_ms = now_ms;
      out.task_retired = true;
    }
    batch.update_tasks.push_back(
        {task.id, task.state, task.consensus_json, task.confidence, task.retired_at_ms});
    if (retire) {
      settled.reserve(rows.size() + 1);
      for (size_t i = 0; i < rows.size(); ++i) {
        // Held answers wait for their reviewer; rejected ones were judged already.
        if (rows[i].review == store::AnswerReview::kHeld ||
            rows[i].review == store::AnswerReview::kRejected) {
          continue;
        }
        rows[i].verdict = quality::VerdictName(
            JudgeAnswerOfRetired(*spec, false, gold_value, consensus.value, values[i]));
        batch.update_verdicts.push_back({rows[i].id, rows[i].verdict});
        settled.push_back(rows[i]);
      }
      answer.verdict = quality::VerdictName(
          JudgeAnswerOfRetired(*spec, false, gold_value, consensus.value, parsed));
      if (ShouldPromoteToGold(*project, counted_answers, consensus.confidence)) {
        batch.promote_gold.push_back({task.id, task.consensus_json});
      }
      settle = true;
    }
  } else if (task.state != "open" && !task.consensus_json.empty() && counted) {
    // The task retired while this lease was out: the answer came in time, so it is judged and
    // settled on its own, as it would have been with the others.
    TD_ASSIGN_OR_RETURN(
        quality::AnswerValue consensus,
        quality::ParseAnswerValue(
            *spec, nlohmann::json::parse(task.consensus_json, nullptr, false), "consensus"));
    answer.verdict =
        quality::VerdictName(JudgeAnswerOfRetired(*spec, false, gold_value, consensus, parsed));
    settle = true;
  }
  out.response_json = AnswerResponseJson(out);
  answer.response_json = out.response_json;
  if (settle) settled.push_back(answer);
  batch.insert_answers.push_back(std::move(answer));

  Status applied = txn.Apply(batch);
  if (applied.code() == StatusCode::kAlreadyExists && !idempotency_key.empty()) {
    // A concurrent request with the same key committed first: run again, which replays it.
    return Status::Aborted("a concurrent answer with this idempotency key committed first");
  }
  TD_RETURN_IF_ERROR(applied);
  if (settle && retirement_hook_) {
    TD_RETURN_IF_ERROR(SettleIn(txn, *project, task, settled));
  }
  return Submission{Status::Ok(), std::move(out)};
}

Status SharedDatabaseImpl::SettleIn(store::Transaction& txn, const store::Project& project,
                                    const store::Task& task,
                                    const std::vector<store::Answer>& answers) {
  // Settled last, so the user rows and the budget it locks are held for as short a time as
  // possible: only the ledger changes and the commit come after.
  store::WriteBatch rewards;
  RetiredTask retired{&project, &task, &answers, &txn};
  retired.had_task = [&txn, task_id = task.id](int64_t user_id) {
    // When in doubt, the pass does not count towards a referral bonus.
    return txn.UserHadTask(user_id, task_id).value_or(true);
  };
  TD_RETURN_IF_ERROR(retirement_hook_(retired, rewards));
  return txn.Apply(rewards);
}

// --- Results and background jobs ---------------------------------------------------------------

Result<ProjectStats> SharedDatabaseImpl::GetProjectStats(const Principal& caller,
                                                         int64_t project_id) {
  TD_ASSIGN_OR_RETURN(store::Project project, VisibleProject(caller, project_id));
  ProjectState snapshot;
  TD_RETURN_IF_ERROR(LoadProjectState(*store_, snapshot, project));
  // The answer time the fast rule uses: the last re-inference's, as on the in-memory engine.
  TD_ASSIGN_OR_RETURN(store::ProjectInference inference,
                      store::RunInTransaction<store::ProjectInference>(
                          *store_, [&](store::Transaction& txn) {
                            return txn.ReadInference(project_id);
                          }));
  snapshot.typical_answer_ms = inference.typical_answer_ms;
  snapshot.timed_answers = inference.timed_answers;
  return ComputeProjectStats(snapshot,
                             [&](int64_t user_id) { return Pseudonym(project_id, user_id); });
}

Status SharedDatabaseImpl::ReinferProject(int64_t project_id) {
  TD_ASSIGN_OR_RETURN(std::optional<store::Project> project, store_->FindProjectById(project_id));
  if (!project) return Status::NotFound("no such project", "project_id");
  ProjectState snapshot;
  TD_RETURN_IF_ERROR(LoadProjectState(*store_, snapshot, *project));
  const std::optional<InferenceInput> input = SnapshotForInference(snapshot);
  const int64_t now = clock_->NowMs();
  if (!input) {
    // Nothing to infer for this question type or yet; recorded so the job does not come back.
    store::WriteBatch batch;
    batch.upsert_inference.push_back(
        {project_id, static_cast<int64_t>(snapshot.answers.size()), now});
    return store_->WriteSync(std::move(batch));
  }
  TD_ASSIGN_OR_RETURN(InferenceOutput output, RunInference(*input, now, options_.hold_rules));
  {
    // The models replace the old ones; the gold record counted by the answer path stays.
    store::WriteBatch batch;
    batch.upsert_skill_models = std::move(output.skills);
    batch.upsert_inference.push_back(
        {project_id, input->answers, now, input->typical_answer_ms, input->timed_answers});
    // Workers whose answers carry no information are held; a reviewer's earlier decision about
    // a worker stands (the snapshot's reviews; one made since merges as a held state over it).
    for (const auto& [user_id, score] : output.spam_workers) {
      auto review = snapshot.reviews.find(user_id);
      if (!SpamHoldApplies(review == snapshot.reviews.end() ? nullptr : &review->second,
                           options_.hold_rules)) {
        continue;
      }
      store::WorkerReview hold = SpamHold(project_id, user_id, score, *input, now);
      hold.fast_answers = 0;  // merged: the count so far stays
      batch.upsert_worker_reviews.push_back(std::move(hold));
      // Their answers on open items leave the consensus until a reviewer decides.
      batch.hold_open_answers.push_back({project_id, user_id});
    }
    TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
  }
  for (size_t begin = 0; begin < output.tasks.size(); begin += kReinferTasksPerTransaction) {
    const size_t end = std::min(output.tasks.size(), begin + kReinferTasksPerTransaction);
    TD_RETURN_IF_ERROR(
        store::RunInTransaction<int>(*store_, [&](store::Transaction& txn) -> Result<int> {
          store::WriteBatch batch;
          for (size_t i = begin; i < end; ++i) {
            const InferredTask& inferred = output.tasks[i];
            const int64_t task_id = input->task_ids[inferred.item];
            // A task being answered right now gets its consensus from that answer.
            TD_ASSIGN_OR_RETURN(std::optional<store::TaskClaims> locked,
                                txn.LockTask(task_id, /*skip_locked=*/true));
            if (!locked || locked->task.state != "open" ||
                static_cast<size_t>(locked->answers) != input->answers_at_snapshot[inferred.item]) {
              continue;
            }
            batch.update_tasks.push_back(
                {task_id, "open",
                 quality::AnswerValueToJson(input->spec, inferred.consensus).dump(),
                 inferred.confidence, 0});
          }
          TD_RETURN_IF_ERROR(txn.Apply(batch));
          return static_cast<int>(batch.update_tasks.size());
        }).status());
  }
  return Status::Ok();
}

Status SharedDatabaseImpl::RunMaintenance() {
  TD_ASSIGN_OR_RETURN(bool leader, store_->HoldJobLease("maintenance"));
  if (!leader) return Status::Ok();
  const int64_t now = clock_->NowMs();
  for (int round = 0; round < 64; ++round) {
    TD_ASSIGN_OR_RETURN(int looked_at, ExpireDueLeases(0, now, kExpiriesPerMaintenanceRound));
    if (looked_at < kExpiriesPerMaintenanceRound) break;
  }
  TD_ASSIGN_OR_RETURN(std::vector<store::Project> projects, store_->LoadProjects());
  Status first;
  for (const store::Project& project : projects) {
    Result<bool> stale =
        store::RunInTransaction<bool>(*store_, [&](store::Transaction& txn) -> Result<bool> {
          TD_ASSIGN_OR_RETURN(store::ProjectInference inference, txn.ReadInference(project.id));
          TD_ASSIGN_OR_RETURN(int64_t answers, txn.CountAnswers(project.id));
          return answers > inference.answers;
        });
    Status s = stale.ok() ? (*stale ? ReinferProject(project.id) : Status::Ok()) : stale.status();
    if (!s.ok()) {
      spdlog::warn("re-inference of project {} failed: {}", project.id, s.ToString());
      if (first.ok()) first = s;
    }
  }
  return first;
}

}  // namespace tinydata::service
