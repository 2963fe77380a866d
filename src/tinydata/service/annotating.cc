// The hot path: leasing tasks and accepting answers.
#include <spdlog/spdlog.h>

#include <algorithm>

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

Result<std::optional<LeasedTask>> InMemoryImpl::LeaseInProject(ProjectState& ps,
                                                                 const Principal& caller,
                                                                 int64_t now_ms,
                                                                 store::WriteBatch& batch) {
  const store::Project& project = ps.project;
  TD_RETURN_IF_ERROR(LeaseEligibility(project, caller));
  std::vector<sched::Candidate> candidates;
  std::vector<int32_t> task_of;
  candidates.reserve(kMaxNeedyCandidates + kMaxCoveredCandidates + 2);
  task_of.reserve(kMaxNeedyCandidates + kMaxCoveredCandidates + 2);
  auto base = [&](int32_t index) {
    const TaskState& t = ps.tasks[index];
    sched::Candidate c;
    c.task_id = t.row.id;
    c.gold = t.gold;
    c.answers = static_cast<int32_t>(t.answers.size());
    c.confidence = t.row.confidence;
    c.min_answers = project.min_answers;
    c.max_answers = project.max_answers;
    c.min_level = project.min_level;
    return c;
  };

  const size_t n = ps.tasks.size();
  auto fresh = [&](size_t i, bool gold) {
    const TaskState& t = ps.tasks[i];
    return t.gold == gold && !t.started && t.open;
  };
  while (ps.fresh_cursor < n && !fresh(ps.fresh_cursor, false)) ++ps.fresh_cursor;
  while (ps.fresh_gold_cursor < n && !fresh(ps.fresh_gold_cursor, true)) ++ps.fresh_gold_cursor;
  const bool fresh_left = ps.fresh_cursor < n || ps.fresh_gold_cursor < n;

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

  for (size_t cursor : {ps.fresh_cursor, ps.fresh_gold_cursor}) {
    if (cursor >= n) continue;
    candidates.push_back(base(static_cast<int32_t>(cursor)));
    task_of.push_back(static_cast<int32_t>(cursor));
  }

  const double draw = Draw();
  const std::optional<size_t> pick =
      sched::PickNextTask(candidates, sched::UserContext{caller.level}, project.gold_rate, draw);
  if (!pick) return std::optional<LeasedTask>();

  const int32_t index = task_of[*pick];
  TaskState& task = ps.tasks[index];
  AssignmentState as;
  as.task_index = index;
  TD_ASSIGN_OR_RETURN(as.row.id, store_->NextId(store::IdKind::kAssignment));
  as.row.task_id = task.row.id;
  as.row.user_id = caller.user_id;
  as.row.project_id = project.id;
  as.row.issued_at_ms = now_ms;
  as.row.expires_at_ms = now_ms + options_.lease_seconds * 1000;
  as.row.state = "leased";
  batch.insert_assignments.push_back(as.row);

  LeasedTask leased;
  leased.assignment = as.row;
  leased.task_id = task.row.id;
  leased.task_data_json = task.row.data_json;
  leased.project = project;

  task.leases.push_back({as.row.id, as.row.expires_at_ms});
  if (!task.started) {
    task.started = true;
    ps.started.push_back(index);
  }
  ps.had.insert(ProjectState::HadKey(caller.user_id, index));
  {
    std::lock_guard<std::mutex> lock(idem_mu_);
    assignment_project_[as.row.id] = project.id;
  }
  ps.assignments.emplace(as.row.id, std::move(as));
  return std::optional<LeasedTask>(std::move(leased));
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
    if (!project_id && !LeaseEligibility(ps->project, caller).ok()) continue;
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
    answers.push_back({a.row.user_id, a.value});
  }
  return TaskConsensus(ps.spec, ps.skills, task.gold, task.gold_value, answers);
}

void InMemoryImpl::SettleRetiredTask(ProjectState& ps, TaskState& task, int64_t new_answer_index,
                                       store::WriteBatch& batch) {
  std::vector<store::Answer> settled;
  settled.reserve(task.answers.size());
  for (int32_t index : task.answers) {
    AnswerState& a = ps.answers[index];
    const quality::Verdict verdict =
        JudgeAnswerOfRetired(ps.spec, task.gold, task.gold_value, task.consensus, a.value);
    a.row.verdict = quality::VerdictName(verdict);
    // The answer being submitted carries its verdict in its own insert.
    if (index != new_answer_index) batch.update_verdicts.push_back({a.row.id, a.row.verdict});
    settled.push_back(a.row);
  }
  if (retirement_hook_) {
    RetiredTask retired{&ps.project, &task.row, &settled, nullptr};
    Status settled_status = retirement_hook_(retired, batch);
    if (!settled_status.ok()) {
      // The answer stands; the task stays unpaid and the operator sees why.
      spdlog::error("settling task {} failed: {}", task.row.id, settled_status.ToString());
    }
  }
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
    ps->answers.push_back(std::move(a));
  }
  AnswerState& answer = ps->answers[index];
  task.answers.push_back(index);
  assignment.answer_index = index;
  assignment.row.state = "answered";
  std::erase_if(task.leases,
                [&](const TaskState::Lease& l) { return l.assignment_id == assignment_id; });
  batch.update_assignments.push_back({assignment_id, "answered"});
  ++ps->answers_since_inference;

  SubmittedAnswer out;
  out.answer_id = answer.row.id;
  out.reward_pending_aia = ps->project.reward_aia;
  if (task.gold) {
    const bool correct = quality::IsGoldCorrect(ps->spec, task.gold_value, answer.value);
    out.gold = GoldFeedback{correct, quality::AnswerValueToJson(ps->spec, task.gold_value)};
    store::WorkerSkill& skill = ps->skill_rows[caller.user_id];
    if (skill.user_id == 0) skill = NewSkillRow(caller.user_id, ps->project.id);
    ++skill.gold_seen;
    if (correct) ++skill.gold_correct;
    skill.updated_at_ms = now;
    batch.upsert_skills.push_back(skill);
  }

  if (task.open) {
    auto consensus = ConsensusOf(*ps, task);
    if (!consensus.ok()) {
      // Only an inconsistent skill model gets here; undo the in-memory answer.
      task.answers.pop_back();
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
    const bool retire = ShouldRetire(ps->project, task.gold,
                                     static_cast<int32_t>(task.answers.size()),
                                     consensus->confidence);
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
  } else if (task.has_consensus || task.gold) {
    // The task retired while this lease was out: the answer came in time, so it is judged and
    // settled on its own, as it would have been with the others.
    answer.row.verdict = quality::VerdictName(JudgeAnswerOfRetired(
        ps->spec, task.gold, task.gold_value, task.consensus, answer.value));
    if (retirement_hook_) {
      const std::vector<store::Answer> late = {answer.row};
      RetiredTask retired{&ps->project, &task.row, &late, nullptr};
      Status settled = retirement_hook_(retired, batch);
      if (!settled.ok()) {
        spdlog::error("settling late answer {} failed: {}", answer.row.id, settled.ToString());
      }
    }
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
