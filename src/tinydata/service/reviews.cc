// Reviews of workers whose answers were held (quality/holds.h): the list a reviewer sees and the
// decision that releases or rejects a worker's held answers, for both engines.
//
// Released answers are judged and paid like late answers: at once when their item retired or is
// a gold item, at retirement otherwise. They count towards no consensus. Rejected answers are
// rejected and paid nothing, and the worker gets no more of the project's tasks.
#include <algorithm>
#include <future>
#include <map>

#include "tinydata/service/memory_impl.h"
#include "tinydata/service/shared_database_impl.h"

namespace tinydata::service {
namespace {

void SortForReviewers(std::vector<ReviewView>& views) {
  std::sort(views.begin(), views.end(), [](const ReviewView& a, const ReviewView& b) {
    const bool a_held = a.state == store::ReviewState::kHeld;
    const bool b_held = b.state == store::ReviewState::kHeld;
    if (a_held != b_held) return a_held;
    return a.created_at_ms != b.created_at_ms ? a.created_at_ms < b.created_at_ms
                                              : a.annotator < b.annotator;
  });
}

// The decided review row of `user_id`: released or rejected by `caller` at `now_ms`.
store::WorkerReview Decided(store::WorkerReview review, ReviewDecision decision,
                            const Principal& caller, int64_t now_ms) {
  review.state = decision == ReviewDecision::kRelease ? store::ReviewState::kReleased
                                                      : store::ReviewState::kRejected;
  review.fast_answers = 0;  // the upsert adds this
  review.decided_at_ms = now_ms;
  review.decided_by = caller.user_id;
  return review;
}

}  // namespace

Status Platform::Impl::MayReview(const Principal& caller, const store::Project& project) {
  if (project.owner_id == caller.user_id || caller.is_admin() || caller.Has(store::kRoleVerifier)) {
    return Status::Ok();
  }
  return Status::NotFound("no such project", "project_id");
}

Result<int64_t> Platform::Impl::ReviewedUser(int64_t project_id,
                                             const std::vector<store::WorkerReview>& reviews,
                                             std::string_view annotator) const {
  for (const store::WorkerReview& r : reviews) {
    if (Pseudonym(project_id, r.user_id) == annotator) return r.user_id;
  }
  return Status::NotFound("no annotator under review has this name", "annotator");
}

ReviewView Platform::Impl::ViewOf(const store::WorkerReview& r, int64_t held_answers) const {
  ReviewView v;
  v.annotator = Pseudonym(r.project_id, r.user_id);
  v.state = r.state;
  v.reason = r.reason;
  v.fast_answers = r.fast_answers;
  v.spam_score = r.spam_score;
  v.held_answers = held_answers;
  v.created_at_ms = r.created_at_ms;
  v.decided_at_ms = r.decided_at_ms;
  return v;
}

// --- The in-memory engine ---------------------------------------------------------------------

Result<std::vector<ReviewView>> InMemoryImpl::ListReviews(const Principal& caller,
                                                          int64_t project_id) {
  ProjectState* ps = FindProject(project_id);
  if (ps == nullptr) return Status::NotFound("no such project", "project_id");
  std::lock_guard<std::mutex> lock(ps->mu);
  TD_RETURN_IF_ERROR(MayReview(caller, ps->project));
  std::map<int64_t, int64_t> held;
  for (const AnswerState& a : ps->answers) {
    if (a.row.review == store::AnswerReview::kHeld) ++held[a.row.user_id];
  }
  std::vector<ReviewView> views;
  for (const auto& [user_id, review] : ps->reviews) views.push_back(ViewOf(review, held[user_id]));
  SortForReviewers(views);
  return views;
}

Result<ReviewView> InMemoryImpl::DecideReview(const Principal& caller, int64_t project_id,
                                              std::string_view annotator, ReviewDecision decision) {
  ProjectState* ps = FindProject(project_id);
  if (ps == nullptr) return Status::NotFound("no such project", "project_id");
  std::promise<Status> written;
  std::future<Status> outcome = written.get_future();
  ReviewView view;
  {
    std::lock_guard<std::mutex> lock(ps->mu);
    if (ps->needs_reload) TD_RETURN_IF_ERROR(ReloadProject(*ps));
    TD_RETURN_IF_ERROR(MayReview(caller, ps->project));
    std::vector<store::WorkerReview> reviews;
    for (const auto& [user_id, review] : ps->reviews) reviews.push_back(review);
    TD_ASSIGN_OR_RETURN(const int64_t user_id, ReviewedUser(project_id, reviews, annotator));
    const store::WorkerReview& current = ps->reviews.at(user_id);
    if (current.state == store::ReviewState::kRejected) {
      return Status::FailedPrecondition("this annotator was rejected already", "annotator");
    }
    const int64_t now = clock_->NowMs();
    const bool release = decision == ReviewDecision::kRelease;
    store::WriteBatch batch;
    for (AnswerState& a : ps->answers) {
      if (a.row.user_id != user_id || a.row.review != store::AnswerReview::kHeld) continue;
      TaskState& task = ps->tasks[a.task_index];
      if (!release) {
        a.row.review = store::AnswerReview::kRejected;
        a.row.verdict = "rejected";
      } else {
        a.row.review = store::AnswerReview::kReleased;
        if (task.pool) {
          const bool correct = quality::IsGoldCorrect(ps->spec, task.gold_value, a.value);
          a.row.verdict = correct ? "accepted" : "rejected";
          store::WorkerSkill& skill = ps->skill_rows[user_id];
          if (skill.user_id == 0) skill = NewSkillRow(user_id, project_id);
          ++skill.gold_seen;
          if (correct) ++skill.gold_correct;
          skill.updated_at_ms = now;
          batch.upsert_skills.push_back(skill);
        } else if (!task.open && task.has_consensus) {
          a.row.verdict = quality::VerdictName(
              JudgeAnswerOfRetired(ps->spec, false, task.gold_value, task.consensus, a.value));
        }
      }
      batch.update_answer_reviews.push_back({a.row.id, a.row.review, a.row.verdict});
      // Judged now (a gold item, a retired one): paid now; an open item settles it later.
      if (release && a.row.verdict != "pending") Settle(*ps, task, {a.row}, batch);
    }
    const store::WorkerReview decided = Decided(current, decision, caller, now);
    MergeWorkerReview(ps->reviews, decided);
    batch.upsert_worker_reviews.push_back(decided);
    view = ViewOf(ps->reviews.at(user_id), 0);
    WriteForProject(*ps, std::move(batch), [&written](const Status& s) { written.set_value(s); });
  }
  TD_RETURN_IF_ERROR(outcome.get());
  return view;
}

// --- The shared-database engine ----------------------------------------------------------------

Result<std::vector<ReviewView>> SharedDatabaseImpl::ListReviews(const Principal& caller,
                                                                int64_t project_id) {
  TD_ASSIGN_OR_RETURN(std::optional<store::Project> project, store_->FindProjectById(project_id));
  if (!project) return Status::NotFound("no such project", "project_id");
  TD_RETURN_IF_ERROR(MayReview(caller, *project));
  TD_ASSIGN_OR_RETURN(std::vector<store::WorkerReview> reviews,
                      store_->LoadWorkerReviews(project_id));
  TD_ASSIGN_OR_RETURN(auto counts, store_->HeldAnswerCounts(project_id));
  std::map<int64_t, int64_t> held(counts.begin(), counts.end());
  std::vector<ReviewView> views;
  for (const store::WorkerReview& r : reviews) views.push_back(ViewOf(r, held[r.user_id]));
  SortForReviewers(views);
  return views;
}

Result<ReviewView> SharedDatabaseImpl::DecideReview(const Principal& caller, int64_t project_id,
                                                    std::string_view annotator,
                                                    ReviewDecision decision) {
  TD_ASSIGN_OR_RETURN(std::optional<store::Project> project, store_->FindProjectById(project_id));
  if (!project) return Status::NotFound("no such project", "project_id");
  TD_RETURN_IF_ERROR(MayReview(caller, *project));
  TD_ASSIGN_OR_RETURN(std::vector<store::WorkerReview> reviews,
                      store_->LoadWorkerReviews(project_id));
  TD_ASSIGN_OR_RETURN(const int64_t user_id, ReviewedUser(project_id, reviews, annotator));
  TD_ASSIGN_OR_RETURN(std::shared_ptr<const quality::QuestionSpec> spec, SpecOf(*project));
  const bool release = decision == ReviewDecision::kRelease;
  return store::RunInTransaction<ReviewView>(
      *store_, [&](store::Transaction& txn) -> Result<ReviewView> {
        const int64_t now = clock_->NowMs();
        TD_ASSIGN_OR_RETURN(std::vector<store::Answer> held, txn.HeldAnswers(project_id, user_id));
        // The lock order: the answers' tasks by id, the worker's skill row, then the review.
        std::map<int64_t, store::Task> tasks;
        for (const store::Answer& a : held) tasks.emplace(a.task_id, store::Task{});
        for (auto& [task_id, task] : tasks) {
          TD_ASSIGN_OR_RETURN(std::optional<store::TaskClaims> locked,
                              txn.LockTask(task_id, /*skip_locked=*/false));
          if (!locked) return Status::DataLoss("task " + std::to_string(task_id) + " vanished");
          task = std::move(locked->task);
          if (task.gold_json && task.gold_source == store::GoldSource::kNone) {
            task.gold_source = store::GoldSource::kImported;
          }
        }
        std::optional<store::WorkerSkill> skill;
        if (release && std::any_of(tasks.begin(), tasks.end(),
                                   [](const auto& t) { return InGoldPool(t.second); })) {
          TD_ASSIGN_OR_RETURN(skill,
                              txn.LockSkill(user_id, project_id, NewSkillRow(user_id, project_id)));
        }
        TD_ASSIGN_OR_RETURN(std::optional<store::WorkerReview> current,
                            txn.ReadWorkerReview(project_id, user_id, /*lock=*/true));
        if (!current)
          return Status::NotFound("no annotator under review has this name", "annotator");
        if (current->state == store::ReviewState::kRejected) {
          return Status::FailedPrecondition("this annotator was rejected already", "annotator");
        }
        store::WriteBatch batch;
        std::map<int64_t, std::vector<store::Answer>> settle;  // task id -> answers
        for (store::Answer a : held) {
          const store::Task& task = tasks.at(a.task_id);
          if (!release) {
            a.review = store::AnswerReview::kRejected;
            a.verdict = "rejected";
          } else {
            a.review = store::AnswerReview::kReleased;
            TD_ASSIGN_OR_RETURN(
                quality::AnswerValue value,
                quality::ParseAnswerValue(
                    *spec, nlohmann::json::parse(a.value_json, nullptr, false), "value"));
            if (InGoldPool(task)) {
              TD_ASSIGN_OR_RETURN(
                  quality::AnswerValue gold,
                  quality::ParseAnswerValue(
                      *spec, nlohmann::json::parse(*task.gold_json, nullptr, false), "gold"));
              const bool correct = quality::IsGoldCorrect(*spec, gold, value);
              a.verdict = correct ? "accepted" : "rejected";
              ++skill->gold_seen;
              if (correct) ++skill->gold_correct;
              skill->updated_at_ms = now;
            } else if (task.state != "open" && !task.consensus_json.empty()) {
              TD_ASSIGN_OR_RETURN(
                  quality::AnswerValue consensus,
                  quality::ParseAnswerValue(
                      *spec, nlohmann::json::parse(task.consensus_json, nullptr, false),
                      "consensus"));
              a.verdict = quality::VerdictName(
                  JudgeAnswerOfRetired(*spec, false, consensus, consensus, value));
            }
          }
          batch.update_answer_reviews.push_back({a.id, a.review, a.verdict});
          if (release && a.verdict != "pending" && !IsTraining(task)) {
            settle[a.task_id].push_back(a);
          }
        }
        if (skill) batch.upsert_skills.push_back(*skill);
        const store::WorkerReview decided = Decided(*current, decision, caller, now);
        batch.upsert_worker_reviews.push_back(decided);
        TD_RETURN_IF_ERROR(txn.Apply(batch));
        if (retirement_hook_) {
          for (const auto& [task_id, answers] : settle) {
            TD_RETURN_IF_ERROR(SettleIn(txn, *project, tasks.at(task_id), answers));
          }
        }
        store::WorkerReview after = decided;
        after.fast_answers = current->fast_answers;
        return ViewOf(after, 0);
      });
}

}  // namespace tinydata::service
