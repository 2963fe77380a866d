// Projects and task import.
#include <algorithm>

#include "tinydata/service/memory_impl.h"
#include "tinydata/service/project_input.h"

namespace tinydata::service {
namespace {

// Label Studio stores every choice as an array; a single-choice gold is its one element, and a
// lone string is a one-element multi-choice gold.
nlohmann::json NormalizeGold(const quality::QuestionSpec& spec, const nlohmann::json& gold) {
  if (spec.type == quality::QuestionType::kSingleChoice && gold.is_array() && gold.size() == 1) {
    return gold[0];
  }
  if (spec.type == quality::QuestionType::kMultiChoice && gold.is_string()) {
    return nlohmann::json::array({gold});
  }
  return gold;
}

}  // namespace

Result<store::Project> Platform::Impl::InsertProject(const Principal& caller,
                                                     const nlohmann::json& input,
                                                     quality::QuestionSpec* spec) {
  if (!caller.Has(store::kRoleRequester) && !caller.is_admin()) {
    return Status::PermissionDenied("only requesters and admins create projects");
  }
  store::Project p;
  TD_RETURN_IF_ERROR(ApplyProjectInput(input, /*partial=*/false, p, *spec));
  p.owner_id = caller.user_id;
  p.status = "active";
  p.created_at_ms = clock_->NowMs();
  TD_ASSIGN_OR_RETURN(p.id, store_->NextId(store::IdKind::kProject));
  store::WriteBatch batch;
  batch.upsert_projects.push_back(p);
  TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
  return p;
}

ImportOutcome Platform::Impl::ParseImport(const quality::QuestionSpec& spec, int64_t project_id,
                                          io::TaskFormat format, std::string_view body,
                                          std::vector<store::Task>* rows) {
  ImportOutcome outcome;
  rows->clear();
  io::ParsedTaskFile file = io::ParseTaskFile(format, body);
  outcome.row_errors = std::move(file.errors);
  const int64_t now = clock_->NowMs();
  rows->reserve(file.tasks.size());
  for (io::ImportedTask& t : file.tasks) {
    store::Task row;
    row.project_id = project_id;
    row.created_at_ms = now;
    row.data_json = t.data.dump();
    if (!t.gold.is_null()) {
      auto value = quality::ParseAnswerValue(spec, NormalizeGold(spec, t.gold), "gold");
      if (!value.ok()) {
        if (outcome.row_errors.size() < io::kMaxImportErrors) {
          outcome.row_errors.push_back({t.line, "gold", value.status().message()});
        }
        continue;
      }
      row.gold_json = quality::AnswerValueToJson(spec, *value).dump();
      row.gold_source = t.training ? store::GoldSource::kTraining : store::GoldSource::kImported;
      row.explanation = std::move(t.explanation);
      ++outcome.summary.gold;
      if (t.training) ++outcome.summary.training;
    }
    rows->push_back(std::move(row));
  }
  if (!outcome.row_errors.empty()) {
    const io::ImportRowError& first = outcome.row_errors.front();
    outcome.status = Status::InvalidArgument(
        std::to_string(outcome.row_errors.size()) + " row error(s); first at line " +
            std::to_string(first.line) + ": " + first.message + "; nothing was imported",
        first.field);
    outcome.summary = {};
    rows->clear();
    return outcome;
  }
  // Ids are taken only now, so a rejected file leaves no holes, and in file order.
  for (store::Task& row : *rows) {
    Result<int64_t> id = store_->NextId(store::IdKind::kTask);
    if (!id.ok()) {
      outcome.status = id.status();
      outcome.summary = {};
      rows->clear();
      return outcome;
    }
    row.id = *id;
  }
  outcome.summary.imported = static_cast<int64_t>(rows->size());
  return outcome;
}

Result<store::Project> InMemoryImpl::CreateProject(const Principal& caller,
                                                   const nlohmann::json& input) {
  quality::QuestionSpec spec;
  TD_ASSIGN_OR_RETURN(store::Project p, InsertProject(caller, input, &spec));
  auto ps = std::make_unique<ProjectState>();
  ps->project = p;
  ps->spec = std::move(spec);
  std::unique_lock<std::shared_mutex> lock(projects_mu_);
  projects_[p.id] = std::move(ps);
  return p;
}

Result<store::Project> InMemoryImpl::UpdateProject(const Principal& caller, int64_t project_id,
                                                     const nlohmann::json& patch) {
  std::unique_lock<std::mutex> lock;
  TD_ASSIGN_OR_RETURN(ProjectState * ps, OwnedProject(caller, project_id, lock));
  store::Project p = ps->project;
  quality::QuestionSpec spec;
  TD_RETURN_IF_ERROR(ApplyProjectInput(patch, /*partial=*/true, p, spec));
  if (p.question_json != ps->project.question_json && !ps->tasks.empty()) {
    return Status::FailedPrecondition("the question cannot change once tasks are imported",
                                      "question");
  }
  store::WriteBatch batch;
  batch.upsert_projects.push_back(p);
  TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
  ps->project = p;
  ps->spec = std::move(spec);
  RebuildSkillModel(*ps);
  return p;
}

Result<store::Project> InMemoryImpl::SetStatus(const Principal& caller, int64_t project_id,
                                                 const char* status) {
  std::unique_lock<std::mutex> lock;
  TD_ASSIGN_OR_RETURN(ProjectState * ps, OwnedProject(caller, project_id, lock));
  if (ps->project.status == status) return ps->project;
  store::Project p = ps->project;
  p.status = status;
  store::WriteBatch batch;
  batch.upsert_projects.push_back(p);
  TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
  ps->project = p;
  return p;
}

Result<store::Project> InMemoryImpl::GetProject(const Principal& caller, int64_t project_id) {
  std::unique_lock<std::mutex> lock;
  TD_ASSIGN_OR_RETURN(ProjectState * ps, OwnedProject(caller, project_id, lock));
  return ps->project;
}

Result<std::vector<store::Project>> InMemoryImpl::ListProjects(const Principal& caller) {
  std::vector<ProjectState*> states;
  {
    std::shared_lock<std::shared_mutex> lock(projects_mu_);
    for (const auto& [id, ps] : projects_) states.push_back(ps.get());
  }
  std::vector<store::Project> out;
  for (ProjectState* ps : states) {
    std::lock_guard<std::mutex> lock(ps->mu);
    if (ps->project.owner_id == caller.user_id || caller.is_admin()) out.push_back(ps->project);
  }
  std::sort(out.begin(), out.end(),
            [](const store::Project& a, const store::Project& b) { return a.id < b.id; });
  return out;
}

ImportOutcome InMemoryImpl::ImportTasks(const Principal& caller, int64_t project_id,
                                        io::TaskFormat format, std::string_view body) {
  std::unique_lock<std::mutex> lock;
  auto owned = OwnedProject(caller, project_id, lock);
  if (!owned.ok()) {
    ImportOutcome outcome;
    outcome.status = owned.status();
    return outcome;
  }
  ProjectState& ps = **owned;
  std::vector<store::Task> rows;
  ImportOutcome outcome = ParseImport(ps.spec, project_id, format, body, &rows);
  if (!outcome.status.ok()) return outcome;
  store::WriteBatch batch;
  batch.insert_tasks = rows;
  outcome.status = store_->WriteSync(std::move(batch));
  if (!outcome.status.ok()) {
    outcome.summary = {};
    return outcome;
  }
  for (store::Task& row : rows) {
    // Gold values were validated above, so adding cannot fail.
    (void)AddTaskState(ps, std::move(row));
  }
  return outcome;
}

Result<std::vector<store::Task>> InMemoryImpl::ListTasks(const Principal& caller,
                                                           int64_t project_id,
                                                           std::string_view state, int limit,
                                                           int64_t after_task_id) {
  std::unique_lock<std::mutex> lock;
  TD_ASSIGN_OR_RETURN(ProjectState * ps, OwnedProject(caller, project_id, lock));
  auto it = std::upper_bound(ps->tasks.begin(), ps->tasks.end(), after_task_id,
                             [](int64_t id, const TaskState& t) { return id < t.row.id; });
  std::vector<store::Task> out;
  for (; it != ps->tasks.end() && static_cast<int>(out.size()) < limit; ++it) {
    if (state.empty() || it->row.state == state) out.push_back(it->row);
  }
  return out;
}

}  // namespace tinydata::service
