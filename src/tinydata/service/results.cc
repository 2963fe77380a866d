// Project stats, the export stream, and the periodic full re-inference of the in-memory engine;
// the export stream is shared by both engines.
#include <algorithm>
#include <future>
#include <map>

#include "tinydata/service/memory_impl.h"

namespace tinydata::service {
namespace {

constexpr int kExportPageTasks = 256;

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
      if (row.consensus.is_null() && t.task.gold_json) {
        // A gold item never retires (it stays in the gold pool); its label is the gold answer.
        row.consensus = nlohmann::json::parse(*t.task.gold_json, nullptr, false);
        row.confidence = 1.0;
      }
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

Result<ProjectStats> InMemoryImpl::GetProjectStats(const Principal& caller, int64_t project_id) {
  std::unique_lock<std::mutex> lock;
  TD_ASSIGN_OR_RETURN(ProjectState * ps, OwnedProject(caller, project_id, lock));
  return ComputeProjectStats(*ps, [&](int64_t user_id) { return Pseudonym(project_id, user_id); });
}

Result<std::unique_ptr<ExportStream>> Platform::Impl::ExportProject(const Principal& caller,
                                                                    int64_t project_id,
                                                                    io::ExportFormat format) {
  TD_ASSIGN_OR_RETURN(store::Project project, GetProject(caller, project_id));
  auto question = nlohmann::json::parse(project.question_json, nullptr, false);
  TD_ASSIGN_OR_RETURN(quality::QuestionSpec spec, quality::ParseQuestionSpec(question, "question"));
  std::string question_type = quality::QuestionTypeName(spec.type);
  // Answers acknowledged so far must be visible to the store's readers.
  store_->Flush();
  return std::unique_ptr<ExportStream>(
      new ProjectExportStream(store_, this, project_id, format, std::move(question_type)));
}

Status InMemoryImpl::ReinferProject(int64_t project_id) {
  ProjectState* ps = FindProject(project_id);
  if (ps == nullptr) return Status::NotFound("no such project", "project_id");

  // Snapshot the answers under the lock, infer without it, apply under it again.
  std::optional<InferenceInput> input;
  {
    std::lock_guard<std::mutex> lock(ps->mu);
    if (ps->needs_reload) TD_RETURN_IF_ERROR(ReloadProject(*ps));
    input = SnapshotForInference(*ps);
    ps->answers_since_inference = 0;
  }
  if (!input) return Status::Ok();

  const int64_t now = clock_->NowMs();
  TD_ASSIGN_OR_RETURN(InferenceOutput output, RunInference(*input, now, options_.hold_rules));
  store::WriteBatch batch;
  std::promise<Status> written;
  std::future<Status> outcome = written.get_future();
  {
    std::lock_guard<std::mutex> lock(ps->mu);
    if (ps->needs_reload) return Status::Conflict("the project changed during re-inference");
    for (const store::WorkerSkill& inferred : output.skills) {
      store::WorkerSkill& skill = ps->skill_rows[inferred.user_id];
      // The gold record is counted by the answer path; the inference replaces the model only.
      const int64_t gold_seen = skill.gold_seen;
      const int64_t gold_correct = skill.gold_correct;
      skill = inferred;
      skill.gold_seen = gold_seen;
      skill.gold_correct = gold_correct;
      batch.upsert_skills.push_back(skill);
    }
    RebuildSkillModel(*ps);
    for (const InferredTask& inferred : output.tasks) {
      TaskState& t = ps->tasks[inferred.item];
      // Tasks answered since the snapshot already carry a newer consensus.
      if (!t.open || t.answers.size() != input->answers_at_snapshot[inferred.item]) continue;
      t.consensus = inferred.consensus;
      t.has_consensus = true;
      t.row.consensus_json = quality::AnswerValueToJson(ps->spec, t.consensus).dump();
      t.row.confidence = inferred.confidence;
      batch.update_tasks.push_back(
          {t.row.id, t.row.state, t.row.consensus_json, t.row.confidence, 0});
    }
    // Workers whose answers carry no information are held; a reviewer's earlier decision about
    // a worker stands.
    for (const auto& [user_id, score] : output.spam_workers) {
      auto review = ps->reviews.find(user_id);
      if (!SpamHoldApplies(review == ps->reviews.end() ? nullptr : &review->second,
                           options_.hold_rules)) {
        continue;
      }
      store::WorkerReview hold = SpamHold(project_id, user_id, score, *input, now);
      hold.fast_answers = 0;  // merged: the count so far stays
      MergeWorkerReview(ps->reviews, hold);
      batch.upsert_worker_reviews.push_back(std::move(hold));
      // Their answers on open items leave the consensus until a reviewer decides.
      for (TaskState& t : ps->tasks) {
        if (!t.open || t.control) continue;
        for (int32_t index : t.answers) {
          store::Answer& a = ps->answers[index].row;
          if (a.user_id != user_id || a.review != store::AnswerReview::kCounted) continue;
          a.review = store::AnswerReview::kHeld;
          --t.counted;
        }
      }
      batch.hold_open_answers.push_back({project_id, user_id});
    }
    ps->typical_answer_ms = input->typical_answer_ms;
    ps->timed_answers = input->timed_answers;
    batch.upsert_inference.push_back(
        {project_id, input->answers, now, input->typical_answer_ms, input->timed_answers});
    WriteForProject(*ps, std::move(batch), [&written](const Status& s) { written.set_value(s); });
  }
  return outcome.get();
}

Status InMemoryImpl::RunMaintenance() {
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
      for (const std::vector<int32_t>* indexes :
           {&ps->started, &ps->gold_pool, &ps->training_tasks}) {
        for (int32_t index : *indexes) {
          TaskState& t = ps->tasks[index];
          if ((t.open || t.pool) && !t.leases.empty()) LiveLeases(*ps, t, now, batch);
        }
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
