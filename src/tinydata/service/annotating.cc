// The hot path: leasing tasks and accepting answers.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <numeric>

#include "tinydata/sched/next_task.h"
#include "tinydata/service/memory_impl.h"

namespace tinydata::service {
namespace {

// How much of the started list one lease looks at. Started tasks are kept in the order they were
// started, so the front holds the ones closest to retiring; the caps keep a lease O(1) when
// thousands of tasks are in flight (a user who had every task within the budget scans on until
// one is found: O(started) only when nothing else can be offered). Tasks whose live leases already cover their missing answers
// rank below fresh tasks (sched/), so only a few of them are kept as a fallback and they do not
// end the scan.
constexpr size_t kMaxStartedScanned = 256;
// Gold pool items a lease looks at in the user's order before giving up on gold this time.
constexpr size_t kMaxGoldProbes = 64;
constexpr size_t kMaxNeedyCandidates = 16;
constexpr size_t kMaxCoveredCandidates = 8;

std::string IdempotencyIndexKey(int64_t user_id, const std::string& key) {
  return std::to_string(user_id) + '\x1f' + key;
}

const AnswerState* FindAnswer(const ProjectState& ps, int64_t answer_id) {
  auto it = std::lower_bound(ps.answers.begin(), ps.answers.end(), answer_id,
                             [](const AnswerState& a, int64_t id) { return a.row.id < id; });
  return it != ps.answers.end() && it->row.id == answer_id ? &*it : nullptr;
}

}  // namespace

int32_t InMemoryImpl::LiveLeases(ProjectState& ps, TaskState& task, int64_t now_ms,
                                   store::WriteBatch& batch) {
  size_t keep = 0;
  for (const TaskState::Lease& lease : task.leases) {
    if (lease.expires_at_ms > now_ms) {
      task.leases[keep++] = lease;
      continue;
    }
    auto it = ps.assignments.find(lease.assignment_id);
    if (it != ps.assignments.end() && it->second.row.state == "leased") {
      it->second.row.state = "expired";
      batch.update_assignments.push_back({lease.assignment_id, "expired"});
    }
  }
  task.leases.resize(keep);
  return static_cast<int32_t>(keep);
}

Status InMemoryImpl::WorkerMayLease(const ProjectState& ps, int64_t user_id) const {
  auto review = ps.reviews.find(user_id);
  if (review != ps.reviews.end() && review->second.state == store::ReviewState::kRejected) {
    return Status::FailedPrecondition("a reviewer rejected your answers in this project",
                                      "project_id");
  }
  return Status::Ok();
}

std::optional<int32_t> InMemoryImpl::NextGoldFor(const ProjectState& ps, int64_t user_id) const {
  const size_t n = ps.gold_pool.size();
  if (n == 0) return std::nullopt;
  // The user's own walk through the pool: a start and a step coprime to its size, both from a
  // keyed hash, so two users rarely meet the same items in the same order.
  const uint64_t seed = GoldRotationSeed(pseudonym_secret_, ps.project.id, user_id);
  const size_t start = seed % n;
  size_t stride = n == 1 ? 1 : 1 + (seed >> 24) % (n - 1);
  while (std::gcd(stride, n) != 1) ++stride;
  const size_t probes = std::min(n, kMaxGoldProbes);
  for (size_t k = 0; k < probes; ++k) {
    const int32_t index = ps.gold_pool[(start + k * stride) % n];
    if (!ps.had.count(ProjectState::HadKey(user_id, index))) return index;
  }
  return std::nullopt;
}

LeasedTask InMemoryImpl::LeaseTask(ProjectState& ps, int32_t index, const Principal& caller,
                                   int64_t now_ms, int64_t assignment_id,
                                   store::WriteBatch& batch) {
  TaskState& task = ps.tasks[index];
  AssignmentState as;
  as.task_index = index;
  as.row.id = assignment_id;
  as.row.task_id = task.row.id;
  as.row.user_id = caller.user_id;
  as.row.project_id = ps.project.id;
  as.row.issued_at_ms = now_ms;
  as.row.expires_at_ms = now_ms + options_.lease_seconds * 1000;
  as.row.state = "leased";
  batch.insert_assignments.push_back(as.row);

  LeasedTask leased;
  leased.assignment = as.row;
  leased.task_id = task.row.id;
  leased.task_data_json = task.row.data_json;
  leased.project = ps.project;

  task.leases.push_back({as.row.id, as.row.expires_at_ms});
  if (!task.started && !task.control && task.open) {
    task.started = true;
    ps.started.push_back(index);
  }
  ps.had.insert(ProjectState::HadKey(caller.user_id, index));
  ps.CountLease(caller.user_id, task);
  {
    std::lock_guard<std::mutex> lock(idem_mu_);
    assignment_project_[as.row.id] = ps.project.id;
  }
  ps.assignments.emplace(as.row.id, std::move(as));
  return leased;
}

Result<std::optional<LeasedTask>> InMemoryImpl::LeaseInProject(ProjectState& ps,
                                                                 const Principal& caller,
                                                                 int64_t now_ms,
                                                                 store::WriteBatch& batch) {
  const store::Project& project = ps.project;
  TD_RETURN_IF_ERROR(LeaseEligibility(project, caller));
  TD_RETURN_IF_ERROR(WorkerMayLease(ps, caller.user_id));
  // Training items come first: they teach the task before anything counts.
  for (int32_t index : ps.training_tasks) {
    if (ps.had.count(ProjectState::HadKey(caller.user_id, index))) continue;
    TD_ASSIGN_OR_RETURN(int64_t id, store_->NextId(store::IdKind::kAssignment));
    return std::optional<LeasedTask>(LeaseTask(ps, index, caller, now_ms, id, batch));
  }

  std::vector<sched::Candidate> candidates;
  std::vector<int32_t> task_of;
  candidates.reserve(kMaxNeedyCandidates + kMaxCoveredCandidates + 2);
  task_of.reserve(kMaxNeedyCandidates + kMaxCoveredCandidates + 2);
  auto base = [&](int32_t index) {
    const TaskState& t = ps.tasks[index];
    sched::Candidate c;
    c.task_id = t.row.id;
    c.answers = t.counted;
    c.confidence = t.row.confidence;
    c.min_answers = project.min_answers;
    c.max_answers = project.max_answers;
    c.min_level = project.min_level;
    return c;
  };

  const size_t n = ps.tasks.size();
  auto fresh = [&](size_t i) {
    const TaskState& t = ps.tasks[i];
    return !t.control && !t.started && t.open;
  };
  while (ps.fresh_cursor < n && !fresh(ps.fresh_cursor)) ++ps.fresh_cursor;
  const bool fresh_left = ps.fresh_cursor < n;

  size_t retired_in_started = 0;
  size_t scanned = 0;
  size_t needy = 0;
  size_t covered = 0;
  for (int32_t index : ps.started) {
    if (needy >= kMaxNeedyCandidates) break;
    // The scan budget ends the scan only when something can be offered: a user who already had
    // every task near the front must still reach the started tasks behind them, or they would be
    // told nothing is left while thousands of tasks still need answers.
    if (++scanned > kMaxStartedScanned && (fresh_left || !candidates.empty())) break;
    TaskState& t = ps.tasks[index];
    if (!t.open) {
      ++retired_in_started;
      continue;
    }
    sched::Candidate c = base(index);
    c.live_leases = LiveLeases(ps, t, now_ms, batch);
    if (c.answers + c.live_leases >= c.max_answers) continue;
    const bool is_covered = c.live_leases > 0 && c.answers + c.live_leases >= c.min_answers;
    if (is_covered && covered >= kMaxCoveredCandidates) continue;
    if (ps.had.count(ProjectState::HadKey(caller.user_id, index))) continue;
    ++(is_covered ? covered : needy);
    candidates.push_back(c);
    task_of.push_back(index);
  }
  // Retired tasks pile up at the front (the oldest started); dropping them once enough were
  // skipped keeps the scan short at amortised O(started / 32) per lease.
  if (retired_in_started > 32) {
    std::erase_if(ps.started, [&](int32_t i) { return !ps.tasks[i].open; });
  }
  if (fresh_left) {
    candidates.push_back(base(static_cast<int32_t>(ps.fresh_cursor)));
    task_of.push_back(static_cast<int32_t>(ps.fresh_cursor));
  }
  // The next gold item in the user's own order; every annotator may answer each gold item once,
  // and gold does not outgrow the user's real work.
  const ProjectState::LeaseTally tally = [&] {
    auto it = ps.lease_tally.find(caller.user_id);
    return it == ps.lease_tally.end() ? ProjectState::LeaseTally{} : it->second;
  }();
  std::optional<int32_t> gold;
  if (sched::MayServeGold(tally.gold, tally.regular)) gold = NextGoldFor(ps, caller.user_id);
  if (gold) {
    sched::Candidate c = base(*gold);
    c.gold = true;
    c.answers = 0;
    c.max_answers = std::numeric_limits<int32_t>::max();
    candidates.push_back(c);
    task_of.push_back(*gold);
  }

  const double draw = Draw();
  const std::optional<size_t> pick =
      sched::PickNextTask(candidates, sched::UserContext{caller.level}, project.gold_rate, draw);
  if (!pick) return std::optional<LeasedTask>();
  TD_ASSIGN_OR_RETURN(int64_t id, store_->NextId(store::IdKind::kAssignment));
  return std::optional<LeasedTask>(LeaseTask(ps, task_of[*pick], caller, now_ms, id, batch));
}

void InMemoryImpl::NextTask(const Principal& principal, std::optional<int64_t> project_id,
                              Done<std::optional<LeasedTask>> done) {
  Result<Principal> gated = GatedCaller(principal);
  if (!gated.ok()) {
    done(gated.status());
    return;
  }
  const Principal& caller = *gated;
  const int64_t now = clock_->NowMs();
  std::vector<ProjectState*> targets;
  if (project_id) {
    ProjectState* ps = FindProject(*project_id);
    if (ps == nullptr) {
      done(Status::NotFound("no such project", "project_id"));
      return;
    }
    targets.push_back(ps);
  } else {
    std::shared_lock<std::shared_mutex> lock(projects_mu_);
    for (const auto& [id, ps] : projects_) targets.push_back(ps.get());
    std::sort(targets.begin(), targets.end(), [](const ProjectState* a, const ProjectState* b) {
      return a->project.id < b->project.id;
    });
  }
  for (ProjectState* ps : targets) {
    std::unique_lock<std::mutex> lock(ps->mu);
    if (ps->needs_reload) {
      if (Status s = ReloadProject(*ps); !s.ok()) {
        lock.unlock();
        done(s);
        return;
      }
    }
    if (!project_id && (!LeaseEligibility(ps->project, caller).ok() ||
                        !WorkerMayLease(*ps, caller.user_id).ok())) {
      continue;
    }
    store::WriteBatch batch;
    auto leased = LeaseInProject(*ps, caller, now, batch);
    if (!leased.ok()) {
      if (!batch.empty()) WriteForProject(*ps, std::move(batch), [](const Status&) {});
      lock.unlock();
      done(leased.status());
      return;
    }
    if (!leased->has_value()) {
      // Expired leases found on the way are recorded; nobody waits for that.
      if (!batch.empty()) WriteForProject(*ps, std::move(batch), [](const Status&) {});
      continue;
    }
    WriteForProject(*ps, std::move(batch),
                    [done = std::move(done), result = std::move(*leased)](const Status& s) {
                      if (!s.ok()) {
                        done(s);
                      } else {
                        done(std::move(result));
                      }
                    });
    return;
  }
  done(std::optional<LeasedTask>());
}

Result<quality::Consensus> InMemoryImpl::ConsensusOf(const ProjectState& ps,
                                                     const TaskState& task) const {
  std::vector<UserAnswer> answers;
  answers.reserve(task.answers.size());
  for (int32_t index : task.answers) {
    const AnswerState& a = ps.answers[index];
    if (a.row.review != store::AnswerReview::kCounted) continue;
    answers.push_back({a.row.user_id, a.value});
  }
  return TaskConsensus(ps.spec, ps.skills, task.control, task.gold_value, answers);
}

void InMemoryImpl::Settle(ProjectState& ps, const TaskState& task,
                          const std::vector<store::Answer>& answers, store::WriteBatch& batch) {
  if (!retirement_hook_ || answers.empty() || task.training) return;
  const int64_t task_index = ps.task_index.at(task.row.id);
  RetiredTask retired{&ps.project, &task.row, &answers, nullptr};
  retired.had_task = [&ps, task_index](int64_t user_id) {
    return ps.had.count(ProjectState::HadKey(user_id, static_cast<int32_t>(task_index))) > 0;
  };
  Status settled = retirement_hook_(retired, batch);
  if (!settled.ok()) {
    // The answers stand; they stay unpaid and the operator sees why.
    spdlog::error("settling answers of task {} failed: {}", task.row.id, settled.ToString());
  }
}

void InMemoryImpl::SettleRetiredTask(ProjectState& ps, TaskState& task, int64_t new_answer_index,
                                       store::WriteBatch& batch) {
  std::vector<store::Answer> settled;
  settled.reserve(task.answers.size());
  for (int32_t index : task.answers) {
    AnswerState& a = ps.answers[index];
    // Held answers wait for their reviewer; rejected ones were judged already.
    if (a.row.review == store::AnswerReview::kHeld ||
        a.row.review == store::AnswerReview::kRejected) {
      continue;
    }
    const quality::Verdict verdict =
        JudgeAnswerOfRetired(ps.spec, task.pool, task.gold_value, task.consensus, a.value);
    a.row.verdict = quality::VerdictName(verdict);
    // The answer being submitted carries its verdict in its own insert.
    if (index != new_answer_index) batch.update_verdicts.push_back({a.row.id, a.row.verdict});
    settled.push_back(a.row);
  }
  if (!task.control && !task.pool && task.has_consensus &&
      ShouldPromoteToGold(ps.project, task.counted, task.row.confidence)) {
    const int32_t index = ps.task_index.at(task.row.id);
    PromoteTaskState(ps, index, task.row.consensus_json);
    batch.promote_gold.push_back({task.row.id, task.row.consensus_json});
  }
  Settle(ps, task, settled, batch);
}

void InMemoryImpl::ReplayWhenDurable(ProjectState& ps, std::unique_lock<std::mutex>& lock,
                                       const AnswerState& first, Done<SubmittedAnswer>& done) {
  const int64_t answer_id = first.row.id;
  SubmittedAnswer out = ReplayOf(first.row);
  // A failed batch sets needs_reload before any later batch moves the watermark past it, so
  // reading the flag after the watermark tells a durable answer from a rolled-back one.
  if (ps.committed_answer_id.load() >= answer_id && !ps.needs_reload.load()) {
    lock.unlock();
    done(std::move(out));
    return;
  }
  // The first request's batch is still queued; the store commits in queue order, so an empty
  // batch queued now completes after it.
  ProjectState* p = &ps;
  store_->Write(store::WriteBatch{}, [p, answer_id, out = std::move(out),
                                      done = std::move(done)](const Status&) mutable {
    if (p->committed_answer_id.load() >= answer_id && !p->needs_reload.load()) {
      done(std::move(out));
    } else {
      done(Status::Conflict("the first request with this idempotency key failed; retry"));
    }
  });
}

void InMemoryImpl::SubmitAnswer(const Principal& caller, int64_t assignment_id,
                                  const nlohmann::json& value, int64_t duration_ms,
                                  std::string idempotency_key, Done<SubmittedAnswer> done) {
  const int64_t now = clock_->NowMs();
  int64_t project_id = 0;
  std::optional<std::pair<int64_t, int64_t>> earlier;  // (project id, answer id)
  {
    std::lock_guard<std::mutex> lock(idem_mu_);
    if (!idempotency_key.empty()) {
      auto it = idempotency_.find(IdempotencyIndexKey(caller.user_id, idempotency_key));
      if (it != idempotency_.end()) earlier = it->second;
    }
    auto a = assignment_project_.find(assignment_id);
    if (a != assignment_project_.end()) project_id = a->second;
  }
  if (earlier) {
    if (ProjectState* eps = FindProject(earlier->first)) {
      std::unique_lock<std::mutex> lock(eps->mu);
      if (!eps->needs_reload) {
        if (const AnswerState* first = FindAnswer(*eps, earlier->second)) {
          if (first->row.assignment_id != assignment_id) {
            lock.unlock();
            done(ReusedKeyError());
            return;
          }
          ReplayWhenDurable(*eps, lock, *first, done);
          return;
        }
      }
    }
  }
  ProjectState* ps = project_id ? FindProject(project_id) : nullptr;
  if (ps == nullptr) {
    done(Status::NotFound("no such assignment", "assignment_id"));
    return;
  }
  std::unique_lock<std::mutex> lock(ps->mu);
  if (ps->needs_reload) {
    if (Status s = ReloadProject(*ps); !s.ok()) {
      lock.unlock();
      done(s);
      return;
    }
  }
  auto found = ps->assignments.find(assignment_id);
  if (found == ps->assignments.end() || found->second.row.user_id != caller.user_id) {
    lock.unlock();
    done(Status::NotFound("no such assignment", "assignment_id"));
    return;
  }
  AssignmentState& assignment = found->second;
  if (assignment.answer_index >= 0) {
    const AnswerState& first = ps->answers[assignment.answer_index];
    if (!idempotency_key.empty() && first.row.idempotency_key == idempotency_key) {
      ReplayWhenDurable(*ps, lock, first, done);
      return;
    }
    lock.unlock();
    done(Status::AlreadyExists("the assignment was already answered", "assignment_id"));
    return;
  }
  store::WriteBatch batch;
  if (assignment.row.state == "expired" || assignment.row.expires_at_ms <= now) {
    if (assignment.row.state == "leased") {
      assignment.row.state = "expired";
      batch.update_assignments.push_back({assignment_id, "expired"});
      WriteForProject(*ps, std::move(batch), [](const Status&) {});
    }
    lock.unlock();
    done(Status::FailedPrecondition("the lease of this assignment expired", "assignment_id"));
    return;
  }
  auto parsed = quality::ParseAnswerValue(ps->spec, value, "value");
  if (!parsed.ok()) {
    lock.unlock();
    done(parsed.status());
    return;
  }

  Result<int64_t> answer_id = store_->NextId(store::IdKind::kAnswer);
  if (!answer_id.ok()) {
    lock.unlock();
    done(answer_id.status());
    return;
  }
  TaskState& task = ps->tasks[assignment.task_index];
  // Whether the answer counts, or is held for review (quality/holds.h). Training items count
  // for nothing, so nobody is held for them.
  AnswerReviewDecision review;
  if (!task.training) {
    auto current = ps->reviews.find(caller.user_id);
    review = DecideAnswerReview(
        current == ps->reviews.end() ? nullptr : &current->second,
        quality::AnswerTimeMs(now - assignment.row.issued_at_ms, duration_ms),
        ps->typical_answer_ms, ps->timed_answers, options_.hold_rules, ps->project.id,
        caller.user_id, now);
  }
  const bool counted = review.review == store::AnswerReview::kCounted;
  const int32_t index = static_cast<int32_t>(ps->answers.size());
  {
    AnswerState a;
    a.task_index = assignment.task_index;
    a.value = std::move(parsed).value();
    a.row.id = *answer_id;
    a.row.assignment_id = assignment_id;
    a.row.task_id = task.row.id;
    a.row.user_id = caller.user_id;
    a.row.project_id = ps->project.id;
    a.row.value_json = quality::AnswerValueToJson(ps->spec, a.value).dump();
    a.row.duration_ms = duration_ms;
    a.row.idempotency_key = idempotency_key;
    a.row.created_at_ms = now;
    a.row.review = review.review;
    if (review.review == store::AnswerReview::kRejected) a.row.verdict = "rejected";
    ps->answers.push_back(std::move(a));
  }
  AnswerState& answer = ps->answers[index];
  task.answers.push_back(index);
  if (counted) ++task.counted;
  assignment.answer_index = index;
  assignment.row.state = "answered";
  std::erase_if(task.leases,
                [&](const TaskState::Lease& l) { return l.assignment_id == assignment_id; });
  batch.update_assignments.push_back({assignment_id, "answered"});
  if (review.upsert) {
    MergeWorkerReview(ps->reviews, *review.upsert);
    batch.upsert_worker_reviews.push_back(*review.upsert);
  }
  ++ps->answers_since_inference;

  SubmittedAnswer out;
  out.answer_id = answer.row.id;
  out.reward_pending_aia = task.training ? 0 : ps->project.reward_aia;
  if (task.row.gold_json) {
    // A gold item (a control question, a training item or a promoted one) is scored at once and
    // settled on its own; it never retires.
    out.gold = FeedbackOn(ps->spec, task.row, task.gold_value, answer.value);
    if (task.pool && counted) {
      store::WorkerSkill& skill = ps->skill_rows[caller.user_id];
      if (skill.user_id == 0) skill = NewSkillRow(caller.user_id, ps->project.id);
      ++skill.gold_seen;
      if (out.gold->correct) ++skill.gold_correct;
      skill.updated_at_ms = now;
      batch.upsert_skills.push_back(skill);
    }
    if (counted) {
      answer.row.verdict = out.gold->correct ? "accepted" : "rejected";
      if (task.pool) Settle(*ps, task, {answer.row}, batch);
    }
  } else if (task.open) {
    if (counted) {
      auto consensus = ConsensusOf(*ps, task);
      if (!consensus.ok()) {
        // Only an inconsistent skill model gets here; undo the in-memory answer.
        task.answers.pop_back();
        --task.counted;
        assignment.answer_index = -1;
        assignment.row.state = "leased";
        task.leases.push_back({assignment_id, assignment.row.expires_at_ms});
        ps->answers.pop_back();
        lock.unlock();
        done(consensus.status());
        return;
      }
      task.consensus = consensus->value;
      task.has_consensus = consensus->has_value;
      task.row.consensus_json = quality::AnswerValueToJson(ps->spec, consensus->value).dump();
      task.row.confidence = consensus->confidence;
      const bool retire =
          ShouldRetire(ps->project, task.control, task.counted, consensus->confidence);
      if (retire) {
        task.row.state = "retired";
        task.open = false;
        task.row.retired_at_ms = now;
        --ps->open_tasks;
        out.task_retired = true;
      }
      batch.update_tasks.push_back({task.row.id, task.row.state, task.row.consensus_json,
                                    task.row.confidence, task.row.retired_at_ms});
      if (retire) SettleRetiredTask(*ps, task, index, batch);
    }
  } else if (task.has_consensus && counted) {
    // The task retired while this lease was out: the answer came in time, so it is judged and
    // settled on its own, as it would have been with the others.
    answer.row.verdict = quality::VerdictName(
        JudgeAnswerOfRetired(ps->spec, false, task.gold_value, task.consensus, answer.value));
    Settle(*ps, task, {answer.row}, batch);
  }
  out.response_json = AnswerResponseJson(out);
  answer.row.response_json = out.response_json;
  // Inserted first in the batch's apply order, ahead of the verdict updates.
  batch.insert_answers.insert(batch.insert_answers.begin(), answer.row);
  if (!idempotency_key.empty()) {
    std::lock_guard<std::mutex> idem(idem_mu_);
    idempotency_[IdempotencyIndexKey(caller.user_id, idempotency_key)] = {ps->project.id,
                                                                          answer.row.id};
  }
  WriteForProject(
      *ps, std::move(batch),
      [ps, answer_id = *answer_id, out = std::move(out), done = std::move(done)](const Status& s) mutable {
        if (!s.ok()) {
          done(s);
          return;
        }
        int64_t seen = ps->committed_answer_id.load();
        while (seen < answer_id &&
               !ps->committed_answer_id.compare_exchange_weak(seen, answer_id)) {
        }
        done(std::move(out));
      });
}

}  // namespace tinydata::service
