// Project stats, the export stream, and the periodic full re-inference.
#include <algorithm>
#include <future>
#include <map>

#include "tinydata/infer/categorical.h"
#include "tinydata/infer/numeric.h"
#include "tinydata/service/platform_impl.h"

namespace tinydata::service {
namespace {

constexpr int kExportPageTasks = 256;

std::string LabelKey(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

class ProjectExportStream final : public ExportStream {
 public:
  ProjectExportStream(store::Store* store, const Platform::Impl* impl, int64_t project_id,
                      io::ExportFormat format, std::string question_type)
      : store_(store),
        impl_(impl),
        project_id_(project_id),
        format_(format),
        writer_(format, std::move(question_type)) {}

  Status Next(std::string& chunk, bool& done) override {
    done = false;
    if (!begun_) {
      writer_.Begin(chunk);
      begun_ = true;
    }
    TD_ASSIGN_OR_RETURN(std::vector<store::ExportTask> page,
                        store_->ReadTaskPage(project_id_, after_, kExportPageTasks, ""));
    for (const store::ExportTask& t : page) {
      io::ExportRow row;
      row.task_id = t.task.id;
      row.data = nlohmann::json::parse(t.task.data_json, nullptr, false);
      row.consensus = t.task.consensus_json.empty()
                          ? nlohmann::json(nullptr)
                          : nlohmann::json::parse(t.task.consensus_json, nullptr, false);
      row.confidence = t.task.confidence;
      row.state = t.task.state;
      for (const store::Answer& a : t.answers) {
        row.answers.push_back({impl_->Pseudonym(project_id_, a.user_id),
                               nlohmann::json::parse(a.value_json, nullptr, false), a.verdict});
      }
      writer_.Row(row, chunk);
      after_ = t.task.id;
    }
    if (static_cast<int>(page.size()) < kExportPageTasks) {
      writer_.End(chunk);
      done = true;
    }
    return Status::Ok();
  }

  const char* content_type() const override { return io::ExportContentType(format_); }

 private:
  store::Store* store_;
  const Platform::Impl* impl_;
  int64_t project_id_;
  io::ExportFormat format_;
  io::TaskExportWriter writer_;
  int64_t after_ = 0;
  bool begun_ = false;
};

}  // namespace

Result<ProjectStats> Platform::Impl::GetProjectStats(const Principal& caller, int64_t project_id) {
  std::unique_lock<std::mutex> lock;
  TD_ASSIGN_OR_RETURN(ProjectState * ps, OwnedProject(caller, project_id, lock));
  ProjectStats s;
  s.tasks_total = static_cast<int64_t>(ps->tasks.size());
  s.tasks_open = ps->open_tasks;
  s.tasks_retired = s.tasks_total - s.tasks_open;
  s.tasks_gold = ps->gold_tasks;
  s.answers = static_cast<int64_t>(ps->answers.size());
  s.completion = s.tasks_total ? static_cast<double>(s.tasks_retired) / s.tasks_total : 0.0;

  const bool single = ps->spec.type == quality::QuestionType::kSingleChoice;
  const size_t k = ps->spec.options.size();
  if (single) {
    for (const auto& o : ps->spec.options) s.confusion_labels.push_back(o.value);
    s.confusion_matrix.assign(k, std::vector<int64_t>(k, 0));
  }
  std::map<std::string, int64_t> labels;
  std::map<int64_t, int64_t> per_task;
  for (const TaskState& t : ps->tasks) {
    ++per_task[static_cast<int64_t>(t.answers.size())];
    if (t.row.state != "retired" || t.gold || !t.has_consensus) continue;
    ++labels[LabelKey(quality::AnswerValueToJson(ps->spec, t.consensus))];
    if (single) {
      for (int32_t index : t.answers) {
        ++s.confusion_matrix[t.consensus.choice][ps->answers[index].value.choice];
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
  for (const AnswerState& a : ps->answers) {
    Tally& t = tallies[a.row.user_id];
    ++t.answers;
    if (a.row.verdict != "pending") ++t.judged;
    if (a.row.verdict == "accepted") ++t.accepted;
  }
  for (const auto& [user_id, t] : tallies) {
    s.annotator_accuracy.push_back(
        {Pseudonym(project_id, user_id),
         t.judged ? static_cast<double>(t.accepted) / static_cast<double>(t.judged) : 0.0,
         t.answers});
  }
  std::sort(s.annotator_accuracy.begin(), s.annotator_accuracy.end(),
            [](const AnnotatorAccuracy& a, const AnnotatorAccuracy& b) {
              return a.answers != b.answers ? a.answers > b.answers : a.annotator < b.annotator;
            });
  return s;
}

Result<std::unique_ptr<ExportStream>> Platform::Impl::ExportProject(const Principal& caller,
                                                                    int64_t project_id,
                                                                    io::ExportFormat format) {
  std::string question_type;
  {
    std::unique_lock<std::mutex> lock;
    TD_ASSIGN_OR_RETURN(ProjectState * ps, OwnedProject(caller, project_id, lock));
    question_type = quality::QuestionTypeName(ps->spec.type);
  }
  // Answers acknowledged so far must be visible to the store's readers.
  store_->Flush();
  return std::unique_ptr<ExportStream>(
      new ProjectExportStream(store_, this, project_id, format, std::move(question_type)));
}

Status Platform::Impl::ReinferProject(int64_t project_id) {
  ProjectState* ps = FindProject(project_id);
  if (ps == nullptr) return Status::NotFound("no such project", "project_id");

  // Snapshot the answers under the lock, infer without it, apply under it again.
  quality::QuestionSpec spec;
  infer::AnswerMatrix choices;
  infer::NumericMatrix numbers;
  infer::GoldLabels gold;
  std::vector<int64_t> worker_users;
  std::vector<size_t> answers_at_snapshot;
  {
    std::lock_guard<std::mutex> lock(ps->mu);
    if (ps->needs_reload) TD_RETURN_IF_ERROR(ReloadProject(*ps));
    spec = ps->spec;
    if (spec.type != quality::QuestionType::kSingleChoice &&
        spec.type != quality::QuestionType::kNumeric) {
      ps->answers_since_inference = 0;
      return Status::Ok();
    }
    std::unordered_map<int64_t, int32_t> worker_of;
    const int32_t items = static_cast<int32_t>(ps->tasks.size());
    answers_at_snapshot.resize(ps->tasks.size());
    gold.assign(ps->tasks.size(), infer::kNoGold);
    for (size_t i = 0; i < ps->tasks.size(); ++i) {
      answers_at_snapshot[i] = ps->tasks[i].answers.size();
      if (ps->tasks[i].gold && spec.type == quality::QuestionType::kSingleChoice) {
        gold[i] = ps->tasks[i].gold_value.choice;
      }
    }
    for (const AnswerState& a : ps->answers) {
      auto [it, added] =
          worker_of.emplace(a.row.user_id, static_cast<int32_t>(worker_users.size()));
      if (added) worker_users.push_back(a.row.user_id);
      if (spec.type == quality::QuestionType::kSingleChoice) {
        choices.Add(a.task_index, it->second, a.value.choice);
      } else {
        numbers.Add(a.task_index, it->second, a.value.number);
      }
    }
    const int32_t workers = static_cast<int32_t>(worker_users.size());
    choices.num_items = numbers.num_items = items;
    choices.num_workers = numbers.num_workers = workers;
    choices.num_classes = static_cast<int32_t>(spec.options.size());
    ps->answers_since_inference = 0;
  }
  if (worker_users.empty()) return Status::Ok();

  const int64_t now = clock_->NowMs();
  store::WriteBatch batch;
  std::promise<Status> written;
  std::future<Status> outcome = written.get_future();
  if (spec.type == quality::QuestionType::kSingleChoice) {
    TD_ASSIGN_OR_RETURN(infer::CategoricalResult result,
                        infer::InferCategorical(infer::Method::kDawidSkene, choices, &gold));
    const int32_t k = result.num_classes;
    std::lock_guard<std::mutex> lock(ps->mu);
    if (ps->needs_reload) return Status::Conflict("the project changed during re-inference");
    for (int32_t w = 0; w < result.num_workers; ++w) {
      store::WorkerSkill& skill = ps->skill_rows[worker_users[w]];
      skill.user_id = worker_users[w];
      skill.project_id = project_id;
      skill.accuracy = result.worker_accuracy[w];
      nlohmann::json model = {
          {"method", "ds"},
          {"confusion", std::vector<double>(result.worker_confusion.begin() + w * k * k,
                                            result.worker_confusion.begin() + (w + 1) * k * k)},
          {"prior", result.class_prior},
          {"spam_score", result.worker_spam_score[w]}};
      skill.model_json = model.dump();
      skill.updated_at_ms = now;
      batch.upsert_skills.push_back(skill);
    }
    RebuildSkillModel(*ps);
    for (size_t i = 0; i < ps->tasks.size(); ++i) {
      TaskState& t = ps->tasks[i];
      // Tasks answered since the snapshot already carry a newer consensus.
      if (!t.open || t.gold || t.answers.empty() || t.answers.size() != answers_at_snapshot[i]) {
        continue;
      }
      t.consensus.choice = result.label[i];
      t.has_consensus = true;
      t.row.consensus_json = quality::AnswerValueToJson(spec, t.consensus).dump();
      t.row.confidence = result.confidence[i];
      batch.update_tasks.push_back(
          {t.row.id, t.row.state, t.row.consensus_json, t.row.confidence, 0});
    }
    WriteForProject(*ps, std::move(batch), [&written](const Status& s) { written.set_value(s); });
  } else {
    TD_ASSIGN_OR_RETURN(infer::NumericResult result,
                        infer::AggregateNumeric(infer::NumericMethod::kRobust, numbers));
    std::lock_guard<std::mutex> lock(ps->mu);
    if (ps->needs_reload) return Status::Conflict("the project changed during re-inference");
    for (size_t w = 0; w < worker_users.size(); ++w) {
      store::WorkerSkill& skill = ps->skill_rows[worker_users[w]];
      skill.user_id = worker_users[w];
      skill.project_id = project_id;
      skill.accuracy = result.worker_reliability[w];
      skill.model_json =
          nlohmann::json({{"method", "robust"}, {"reliability", result.worker_reliability[w]}})
              .dump();
      skill.updated_at_ms = now;
      batch.upsert_skills.push_back(skill);
    }
    WriteForProject(*ps, std::move(batch), [&written](const Status& s) { written.set_value(s); });
  }
  return outcome.get();
}

Status Platform::Impl::RunMaintenance() {
  std::vector<ProjectState*> states;
  {
    std::shared_lock<std::shared_mutex> lock(projects_mu_);
    for (const auto& [id, ps] : projects_) states.push_back(ps.get());
  }
  Status first;
  const int64_t now = clock_->NowMs();
  for (ProjectState* ps : states) {
    bool reinfer = false;
    int64_t project_id = 0;
    {
      std::lock_guard<std::mutex> lock(ps->mu);
      project_id = ps->project.id;
      reinfer = ps->answers_since_inference > 0;
      store::WriteBatch batch;
      for (int32_t index : ps->started) {
        TaskState& t = ps->tasks[index];
        if (t.open && !t.leases.empty()) LiveLeases(*ps, t, now, batch);
      }
      if (!batch.empty()) WriteForProject(*ps, std::move(batch), [](const Status&) {});
    }
    if (reinfer) {
      Status s = ReinferProject(project_id);
      if (!s.ok() && first.ok()) first = s;
    }
  }
  return first;
}

}  // namespace tinydata::service
