#include "tinydata/service/project_state.h"

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>

#include "tinydata/infer/categorical.h"
#include "tinydata/infer/numeric.h"
#include "tinydata/service/credentials.h"

namespace tinydata::service {
namespace {

std::string LabelKey(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

int32_t ProjectSkills::WorkerOf(int64_t user_id) const {
  const int32_t unknown = available ? model.num_workers() : 0;
  auto it = worker.find(user_id);
  return it == worker.end() ? unknown : it->second;
}

ProjectSkills BuildProjectSkills(const quality::QuestionSpec& spec,
                                 const std::unordered_map<int64_t, store::WorkerSkill>& rows) {
  ProjectSkills out;
  if (spec.type != quality::QuestionType::kSingleChoice) return out;
  const int32_t k = static_cast<int32_t>(spec.options.size());
  infer::CategoricalResult result;
  result.num_classes = k;
  for (const auto& [user_id, row] : rows) {
    auto model = nlohmann::json::parse(row.model_json, nullptr, false);
    auto numbers = [](const nlohmann::json& a, size_t n) {
      return a.is_array() && a.size() == n &&
             std::all_of(a.begin(), a.end(), [](const nlohmann::json& v) { return v.is_number(); });
    };
    // A row that is not a model of this question (another method, a damaged row) is skipped:
    // its worker counts as one without an estimate.
    if (!model.is_object() || !model.contains("confusion") ||
        !numbers(model["confusion"], static_cast<size_t>(k) * k)) {
      continue;
    }
    if (result.class_prior.empty() && model.contains("prior") &&
        numbers(model["prior"], static_cast<size_t>(k))) {
      for (const auto& p : model["prior"]) result.class_prior.push_back(p.get<double>());
    }
    for (const auto& c : model["confusion"]) result.worker_confusion.push_back(c.get<double>());
    result.worker_accuracy.push_back(row.accuracy);
    out.worker[user_id] = result.num_workers++;
  }
  if (result.num_workers == 0) {
    out.worker.clear();
    return out;
  }
  out.model = infer::SkillModel::FromResult(result, quality::kDefaultWorkerAccuracy);
  out.available = true;
  return out;
}

Result<quality::Consensus> TaskConsensus(const quality::QuestionSpec& spec,
                                         const ProjectSkills& skills, bool gold,
                                         const quality::AnswerValue& gold_value,
                                         std::span<const UserAnswer> answers) {
  if (gold) return quality::Consensus{true, gold_value, 1.0};
  std::vector<quality::WorkerAnswer> workers;
  workers.reserve(answers.size());
  for (const UserAnswer& a : answers) workers.push_back({skills.WorkerOf(a.user_id), a.value});
  return quality::EstimateConsensus(spec, workers, skills.model_or_null());
}

Status LeaseEligibility(const store::Project& project, const Principal& caller) {
  if (project.status != "active") {
    return Status::FailedPrecondition("the project is paused", "project_id");
  }
  if (project.owner_id == caller.user_id) {
    return Status::FailedPrecondition(
        "this is your own project: its tasks go to other annotators", "project_id");
  }
  if (caller.level < project.min_level) {
    return Status::FailedPrecondition(
        "the project requires level " + std::to_string(project.min_level), "project_id");
  }
  return Status::Ok();
}

bool ShouldRetire(const store::Project& project, bool gold, int32_t answers, double confidence) {
  // Control items stay in rotation for every annotator: they exist to test them.
  if (gold) return false;
  const quality::OverlapPolicy policy{project.min_answers, project.max_answers,
                                      project.target_confidence};
  return quality::DecideRetirement(policy, answers, confidence) !=
         quality::RetireDecision::kKeepOpen;
}

uint64_t GoldRotationSeed(std::string_view secret, int64_t project_id, int64_t user_id) {
  const std::string mac = HmacSha256Hex(
      secret, "gold:" + std::to_string(project_id) + ":" + std::to_string(user_id));
  return std::stoull(mac.substr(0, 15), nullptr, 16);
}

AnswerReviewDecision DecideAnswerReview(const store::WorkerReview* current, int64_t answer_ms,
                                        int64_t typical_answer_ms, int64_t timed_answers,
                                        const quality::HoldRules& rules, int64_t project_id,
                                        int64_t user_id, int64_t now_ms) {
  AnswerReviewDecision out;
  if (current != nullptr && current->state == store::ReviewState::kRejected) {
    out.review = store::AnswerReview::kRejected;
    return out;
  }
  const bool fast = quality::IsTooFast(answer_ms, typical_answer_ms, timed_answers, rules);
  if (fast) {
    store::WorkerReview hold;
    hold.project_id = project_id;
    hold.user_id = user_id;
    hold.state = store::ReviewState::kHeld;
    hold.reason = quality::TooFastReason(answer_ms, typical_answer_ms);
    hold.fast_answers = 1;
    hold.spam_score = current != nullptr ? current->spam_score : 0.0;
    hold.created_at_ms = current != nullptr ? current->created_at_ms : now_ms;
    out.upsert = std::move(hold);
  }
  const bool held = current != nullptr && current->state == store::ReviewState::kHeld &&
                    quality::HoldsEveryAnswer(current->fast_answers, current->spam_score, rules);
  out.review = fast || held ? store::AnswerReview::kHeld : store::AnswerReview::kCounted;
  return out;
}

bool SpamHoldApplies(const store::WorkerReview* current, const quality::HoldRules& rules) {
  if (current == nullptr) return true;
  return current->state == store::ReviewState::kHeld &&
         !quality::HoldsEveryAnswer(current->fast_answers, current->spam_score, rules);
}

void MergeWorkerReview(std::unordered_map<int64_t, store::WorkerReview>& reviews,
                       const store::WorkerReview& update) {
  auto [it, added] = reviews.try_emplace(update.user_id, update);
  if (added) return;
  store::WorkerReview& r = it->second;
  if (r.state != store::ReviewState::kRejected) r.state = update.state;
  r.reason = update.reason;
  r.fast_answers += update.fast_answers;
  r.spam_score = update.spam_score;
  r.decided_at_ms = update.decided_at_ms;
  r.decided_by = update.decided_by;
}

bool ShouldPromoteToGold(const store::Project& project, int32_t counted_answers,
                         double confidence) {
  return project.gold_promotion_confidence > 0 && counted_answers >= project.min_answers &&
         confidence >= project.gold_promotion_confidence;
}

GoldFeedback FeedbackOn(const quality::QuestionSpec& spec, const store::Task& task,
                        const quality::AnswerValue& gold_value,
                        const quality::AnswerValue& answer) {
  GoldFeedback feedback;
  feedback.correct = quality::IsGoldCorrect(spec, gold_value, answer);
  if (IsTraining(task)) {
    feedback.training = true;
    feedback.expected = quality::AnswerValueToJson(spec, gold_value);
    feedback.explanation = task.explanation;
  }
  return feedback;
}

quality::Verdict JudgeAnswerOfRetired(const quality::QuestionSpec& spec, bool gold,
                                      const quality::AnswerValue& gold_value,
                                      const quality::AnswerValue& consensus,
                                      const quality::AnswerValue& answer) {
  if (gold) {
    return quality::IsGoldCorrect(spec, gold_value, answer) ? quality::Verdict::kAccepted
                                                            : quality::Verdict::kRejected;
  }
  return quality::JudgeAnswer(spec, consensus, answer);
}

std::string AnswerResponseJson(const SubmittedAnswer& answer) {
  nlohmann::json response = {{"answer_id", answer.answer_id}};
  if (answer.gold) {
    nlohmann::json gold = {{"correct", answer.gold->correct}};
    if (answer.gold->training) {
      gold["training"] = true;
      gold["expected"] = answer.gold->expected;
      gold["explanation"] = answer.gold->explanation;
    }
    response["gold"] = std::move(gold);
  }
  response["task_retired"] = answer.task_retired;
  response["reward_pending_aia"] = answer.reward_pending_aia;
  return response.dump();
}

SubmittedAnswer ReplayOf(const store::Answer& answer) {
  SubmittedAnswer out;
  out.answer_id = answer.id;
  out.replayed = true;
  out.response_json = answer.response_json;
  auto j = nlohmann::json::parse(answer.response_json, nullptr, false);
  if (j.is_object()) {
    out.task_retired = j.value("task_retired", false);
    out.reward_pending_aia = j.value("reward_pending_aia", int64_t{0});
    if (j.contains("gold") && j["gold"].is_object()) {
      const nlohmann::json& gold = j["gold"];
      GoldFeedback feedback;
      feedback.correct = gold.value("correct", false);
      feedback.training = gold.value("training", false);
      if (feedback.training) {
        feedback.expected = gold.value("expected", nlohmann::json());
        feedback.explanation = gold.value("explanation", std::string());
      }
      out.gold = std::move(feedback);
    }
  }
  return out;
}

Status ReusedKeyError() {
  return Status::AlreadyExists(
      "this Idempotency-Key was sent with an answer to another assignment; use a new key per "
      "answer",
      "Idempotency-Key");
}

store::WorkerSkill NewSkillRow(int64_t user_id, int64_t project_id) {
  store::WorkerSkill skill;
  skill.user_id = user_id;
  skill.project_id = project_id;
  skill.accuracy = quality::kDefaultWorkerAccuracy;
  skill.model_json = "{}";
  return skill;
}

Status AddTaskState(ProjectState& ps, store::Task row) {
  TaskState t;
  if (row.gold_json) {
    // Rows from before gold sources existed are imported control questions.
    if (row.gold_source == store::GoldSource::kNone) row.gold_source = store::GoldSource::kImported;
    auto gold = nlohmann::json::parse(*row.gold_json, nullptr, /*allow_exceptions=*/false);
    TD_ASSIGN_OR_RETURN(t.gold_value, quality::ParseAnswerValue(ps.spec, gold, "gold"));
  }
  t.control = IsControl(row);
  t.pool = InGoldPool(row);
  t.training = IsTraining(row);
  const int32_t index = static_cast<int32_t>(ps.tasks.size());
  if (t.control) ++ps.control_tasks;
  if (t.pool) ps.gold_pool.push_back(index);
  if (t.training) ps.training_tasks.push_back(index);
  t.open = row.state == "open";
  if (t.open && !t.control) ++ps.open_tasks;
  if (!row.consensus_json.empty()) {
    auto consensus = nlohmann::json::parse(row.consensus_json, nullptr, false);
    auto value = quality::ParseAnswerValue(ps.spec, consensus, "consensus");
    if (value.ok()) {
      t.consensus = std::move(value).value();
      t.has_consensus = true;
    }
  }
  t.row = std::move(row);
  ps.task_index[t.row.id] = index;
  ps.tasks.push_back(std::move(t));
  return Status::Ok();
}

void PromoteTaskState(ProjectState& ps, int32_t index, const std::string& gold_json) {
  TaskState& t = ps.tasks[index];
  if (t.row.gold_json) return;
  t.row.gold_json = gold_json;
  t.row.gold_source = store::GoldSource::kConsensus;
  t.gold_value = t.consensus;
  t.pool = true;
  ps.gold_pool.push_back(index);
}

std::pair<int64_t, int64_t> TypicalAnswerTime(const ProjectState& ps) {
  std::vector<int64_t> times;
  times.reserve(ps.answers.size());
  for (const AnswerState& a : ps.answers) {
    if (a.row.review != store::AnswerReview::kCounted) continue;
    auto it = ps.assignments.find(a.row.assignment_id);
    if (it == ps.assignments.end()) continue;
    times.push_back(quality::AnswerTimeMs(a.row.created_at_ms - it->second.row.issued_at_ms,
                                          a.row.duration_ms));
  }
  const auto n = static_cast<int64_t>(times.size());
  return {quality::MedianMs(times), n};
}

Status LoadProjectState(store::Store& store, ProjectState& ps, const store::Project& project) {
  const int64_t id = project.id;
  ps.project = project;
  ps.tasks.clear();
  ps.task_index.clear();
  ps.answers.clear();
  ps.assignments.clear();
  ps.had.clear();
  ps.lease_tally.clear();
  ps.started.clear();
  ps.fresh_cursor = 0;
  ps.gold_pool.clear();
  ps.training_tasks.clear();
  ps.reviews.clear();
  ps.open_tasks = 0;
  ps.control_tasks = 0;
  ps.skill_rows.clear();
  ps.skills = ProjectSkills{};
  ps.answers_since_inference = 0;
  auto question = nlohmann::json::parse(project.question_json, nullptr, false);
  TD_ASSIGN_OR_RETURN(ps.spec, quality::ParseQuestionSpec(question, "question"));

  TD_ASSIGN_OR_RETURN(std::vector<store::Task> tasks, store.LoadTasks(id));
  ps.tasks.reserve(tasks.size());
  for (store::Task& t : tasks) {
    const int64_t task_id = t.id;
    Status s = AddTaskState(ps, std::move(t));
    if (!s.ok()) {
      return Status::DataLoss("task " + std::to_string(task_id) + " of project " +
                              std::to_string(id) + ": " + s.message());
    }
  }
  TD_ASSIGN_OR_RETURN(std::vector<store::Assignment> assignments, store.LoadAssignments(id));
  for (store::Assignment& a : assignments) {
    auto it = ps.task_index.find(a.task_id);
    if (it == ps.task_index.end()) continue;
    AssignmentState as;
    as.task_index = it->second;
    TaskState& task = ps.tasks[as.task_index];
    if (a.state == "leased") task.leases.push_back({a.id, a.expires_at_ms});
    if (!task.started && task.open && !task.control) {
      task.started = true;
      ps.started.push_back(as.task_index);
    }
    ps.had.insert(ProjectState::HadKey(a.user_id, as.task_index));
    ps.CountLease(a.user_id, task);
    as.row = std::move(a);
    ps.assignments.emplace(as.row.id, std::move(as));
  }
  TD_ASSIGN_OR_RETURN(std::vector<store::Answer> answers, store.LoadAnswers(id));
  ps.answers.reserve(answers.size());
  for (store::Answer& a : answers) {
    auto it = ps.task_index.find(a.task_id);
    if (it == ps.task_index.end()) continue;
    AnswerState as;
    as.task_index = it->second;
    auto value = nlohmann::json::parse(a.value_json, nullptr, false);
    auto parsed = quality::ParseAnswerValue(ps.spec, value, "value");
    if (!parsed.ok()) {
      return Status::DataLoss("answer " + std::to_string(a.id) + ": " + parsed.status().message());
    }
    as.value = std::move(parsed).value();
    const int32_t index = static_cast<int32_t>(ps.answers.size());
    ps.tasks[as.task_index].answers.push_back(index);
    if (a.review == store::AnswerReview::kCounted) ++ps.tasks[as.task_index].counted;
    auto assignment = ps.assignments.find(a.assignment_id);
    if (assignment != ps.assignments.end()) assignment->second.answer_index = index;
    as.row = std::move(a);
    ps.answers.push_back(std::move(as));
  }
  TD_ASSIGN_OR_RETURN(std::vector<store::WorkerSkill> skills, store.LoadSkills(id));
  for (store::WorkerSkill& w : skills) ps.skill_rows[w.user_id] = std::move(w);
  RebuildSkillModel(ps);
  TD_ASSIGN_OR_RETURN(std::vector<store::WorkerReview> reviews, store.LoadWorkerReviews(id));
  for (store::WorkerReview& r : reviews) ps.reviews[r.user_id] = std::move(r);
  std::tie(ps.typical_answer_ms, ps.timed_answers) = TypicalAnswerTime(ps);
  ps.committed_answer_id = ps.answers.empty() ? 0 : ps.answers.back().row.id;
  ps.needs_reload = false;
  return Status::Ok();
}

void RebuildSkillModel(ProjectState& ps) { ps.skills = BuildProjectSkills(ps.spec, ps.skill_rows); }

ProjectStats ComputeProjectStats(const ProjectState& ps,
                                 const std::function<std::string(int64_t user_id)>& pseudonym) {
  ProjectStats s;
  s.tasks_total = static_cast<int64_t>(ps.tasks.size());
  const int64_t items = s.tasks_total - ps.control_tasks;
  s.tasks_open = ps.open_tasks;
  s.tasks_retired = items - s.tasks_open;
  s.tasks_gold = static_cast<int64_t>(ps.gold_pool.size() + ps.training_tasks.size());
  s.answers = static_cast<int64_t>(ps.answers.size());
  s.completion = items ? static_cast<double>(s.tasks_retired) / static_cast<double>(items) : 0.0;
  s.typical_answer_ms = ps.typical_answer_ms;
  s.timed_answers = ps.timed_answers;
  for (const AnswerState& a : ps.answers) {
    if (a.row.review == store::AnswerReview::kHeld) ++s.held_answers;
  }
  for (const auto& [user_id, review] : ps.reviews) {
    if (review.state == store::ReviewState::kHeld) ++s.workers_under_review;
  }

  const bool single = ps.spec.type == quality::QuestionType::kSingleChoice;
  const size_t k = ps.spec.options.size();
  if (single) {
    for (const auto& o : ps.spec.options) s.confusion_labels.push_back(o.value);
    s.confusion_matrix.assign(k, std::vector<int64_t>(k, 0));
  }
  std::map<std::string, int64_t> labels;
  std::map<int64_t, int64_t> per_task;
  for (const TaskState& t : ps.tasks) {
    ++per_task[static_cast<int64_t>(t.answers.size())];
    if (t.row.state != "retired" || t.control || !t.has_consensus) continue;
    ++labels[LabelKey(quality::AnswerValueToJson(ps.spec, t.consensus))];
    if (single) {
      for (int32_t index : t.answers) {
        if (ps.answers[index].row.review != store::AnswerReview::kCounted) continue;
        ++s.confusion_matrix[t.consensus.choice][ps.answers[index].value.choice];
      }
    }
  }
  s.label_distribution.assign(labels.begin(), labels.end());
  s.answers_per_task.assign(per_task.begin(), per_task.end());

  struct Tally {
    int64_t answers = 0;
    int64_t judged = 0;
    int64_t accepted = 0;
  };
  std::map<int64_t, Tally> tallies;
  for (const AnswerState& a : ps.answers) {
    Tally& t = tallies[a.row.user_id];
    ++t.answers;
    if (a.row.verdict != "pending") ++t.judged;
    if (a.row.verdict == "accepted") ++t.accepted;
  }
  for (const auto& [user_id, t] : tallies) {
    s.annotator_accuracy.push_back(
        {pseudonym(user_id),
         t.judged ? static_cast<double>(t.accepted) / static_cast<double>(t.judged) : 0.0,
         t.answers});
  }
  std::sort(s.annotator_accuracy.begin(), s.annotator_accuracy.end(),
            [](const AnnotatorAccuracy& a, const AnnotatorAccuracy& b) {
              return a.answers != b.answers ? a.answers > b.answers : a.annotator < b.annotator;
            });
  return s;
}

std::optional<InferenceInput> SnapshotForInference(const ProjectState& ps) {
  if (ps.spec.type != quality::QuestionType::kSingleChoice &&
      ps.spec.type != quality::QuestionType::kNumeric) {
    return std::nullopt;
  }
  InferenceInput in;
  in.project_id = ps.project.id;
  in.spec = ps.spec;
  const bool single = ps.spec.type == quality::QuestionType::kSingleChoice;
  const size_t items = ps.tasks.size();
  in.task_ids.resize(items);
  in.answers_at_snapshot.resize(items);
  in.open_regular.resize(items);
  in.gold.assign(items, infer::kNoGold);
  for (size_t i = 0; i < items; ++i) {
    const TaskState& t = ps.tasks[i];
    in.task_ids[i] = t.row.id;
    in.answers_at_snapshot[i] = t.answers.size();
    in.open_regular[i] = t.open && !t.control && !t.answers.empty();
    if (t.control && single) in.gold[i] = t.gold_value.choice;
  }
  std::unordered_map<int64_t, int32_t> worker_of;
  for (const AnswerState& a : ps.answers) {
    // Held and rejected answers tell nothing about the truth, nor (until a reviewer decides)
    // about their worker.
    if (a.row.review == store::AnswerReview::kHeld ||
        a.row.review == store::AnswerReview::kRejected) {
      continue;
    }
    auto [it, added] =
        worker_of.emplace(a.row.user_id, static_cast<int32_t>(in.worker_users.size()));
    if (added) {
      in.worker_users.push_back(a.row.user_id);
      in.worker_answers.push_back(0);
    }
    ++in.worker_answers[it->second];
    if (single) {
      in.choices.Add(a.task_index, it->second, a.value.choice);
    } else {
      in.numbers.Add(a.task_index, it->second, a.value.number);
    }
  }
  if (in.worker_users.empty()) return std::nullopt;
  const int32_t workers = static_cast<int32_t>(in.worker_users.size());
  in.choices.num_items = in.numbers.num_items = static_cast<int32_t>(items);
  in.choices.num_workers = in.numbers.num_workers = workers;
  in.choices.num_classes = static_cast<int32_t>(ps.spec.options.size());
  in.answers = static_cast<int64_t>(ps.answers.size());
  std::tie(in.typical_answer_ms, in.timed_answers) = TypicalAnswerTime(ps);
  return in;
}

store::WorkerReview SpamHold(int64_t project_id, int64_t user_id, double spam_score,
                             const InferenceInput& input, int64_t now_ms) {
  int64_t answers = 0;
  for (size_t w = 0; w < input.worker_users.size(); ++w) {
    if (input.worker_users[w] == user_id) answers = input.worker_answers[w];
  }
  store::WorkerReview hold;
  hold.project_id = project_id;
  hold.user_id = user_id;
  hold.state = store::ReviewState::kHeld;
  hold.reason = quality::SpamReason(spam_score, answers);
  hold.spam_score = spam_score;
  hold.created_at_ms = now_ms;
  return hold;
}

Result<InferenceOutput> RunInference(const InferenceInput& in, int64_t now_ms,
                                     const quality::HoldRules& rules) {
  InferenceOutput out;
  if (in.spec.type == quality::QuestionType::kSingleChoice) {
    TD_ASSIGN_OR_RETURN(infer::CategoricalResult result,
                        infer::InferCategorical(infer::Method::kDawidSkene, in.choices, &in.gold));
    const int32_t k = result.num_classes;
    // Per worker, the posterior mass of the items they answered, by true class.
    std::vector<double> class_mass(static_cast<size_t>(result.num_workers) * k, 0.0);
    for (size_t a = 0; a < in.choices.size(); ++a) {
      const double* q = &result.posterior[static_cast<size_t>(in.choices.item[a]) * k];
      double* m = &class_mass[static_cast<size_t>(in.choices.worker[a]) * k];
      for (int32_t c = 0; c < k; ++c) m[c] += q[c];
    }
    for (int32_t w = 0; w < result.num_workers; ++w) {
      store::WorkerSkill skill;
      skill.user_id = in.worker_users[w];
      skill.project_id = in.project_id;
      skill.accuracy = result.worker_accuracy[w];
      nlohmann::json model = {
          {"method", "ds"},
          {"confusion", std::vector<double>(result.worker_confusion.begin() + w * k * k,
                                            result.worker_confusion.begin() + (w + 1) * k * k)},
          {"prior", result.class_prior},
          {"spam_score", result.worker_spam_score[w]}};
      skill.model_json = model.dump();
      skill.updated_at_ms = now_ms;
      out.skills.push_back(std::move(skill));
      std::vector<double> mass(class_mass.begin() + static_cast<ptrdiff_t>(w) * k,
                               class_mass.begin() + static_cast<ptrdiff_t>(w + 1) * k);
      std::sort(mass.begin(), mass.end(), std::greater<>());
      const double second_class_mass = k > 1 ? mass[1] : 0.0;
      if (quality::IsSpamWorker(result.worker_spam_score[w], in.worker_answers[w],
                                second_class_mass, rules)) {
        out.spam_workers.emplace_back(in.worker_users[w], result.worker_spam_score[w]);
      }
    }
    for (size_t i = 0; i < in.task_ids.size(); ++i) {
      if (!in.open_regular[i]) continue;
      quality::AnswerValue consensus;
      consensus.choice = result.label[i];
      out.tasks.push_back({i, consensus, result.confidence[i]});
    }
    return out;
  }
  TD_ASSIGN_OR_RETURN(infer::NumericResult result,
                      infer::AggregateNumeric(infer::NumericMethod::kRobust, in.numbers));
  for (size_t w = 0; w < in.worker_users.size(); ++w) {
    store::WorkerSkill skill;
    skill.user_id = in.worker_users[w];
    skill.project_id = in.project_id;
    skill.accuracy = result.worker_reliability[w];
    skill.model_json =
        nlohmann::json({{"method", "robust"}, {"reliability", result.worker_reliability[w]}})
            .dump();
    skill.updated_at_ms = now_ms;
    out.skills.push_back(std::move(skill));
  }
  return out;
}

}  // namespace tinydata::service
