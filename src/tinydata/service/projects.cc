// Projects and task import.
#include <algorithm>

#include "tinydata/service/platform_impl.h"
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

Result<store::Project> Platform::Impl::CreateProject(const Principal& caller,
                                                     const nlohmann::json& input) {
  if (!caller.Has(store::kRoleRequester) && !caller.is_admin()) {
    return Status::PermissionDenied("only requesters and admins create projects");
  }
  store::Project p;
  quality::QuestionSpec spec;
  TD_RETURN_IF_ERROR(ApplyProjectInput(input, /*partial=*/false, p, spec));
  p.owner_id = caller.user_id;
  p.status = "active";
  p.created_at_ms = clock_->NowMs();
  p.id = store_->NextId(store::IdKind::kProject);
  store::WriteBatch batch;
  batch.upsert_projects.push_back(p);
  TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
  auto ps = std::make_unique<ProjectState>();
  ps->project = p;
  ps->spec = std::move(spec);
  std::unique_lock<std::shared_mutex> lock(projects_mu_);
  projects_[p.id] = std::move(ps);
  return p;
}

Result<store::Project> Platform::Impl::UpdateProject(const Principal& caller, int64_t project_id,
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

Result<store::Project> Platform::Impl::SetStatus(const Principal& caller, int64_t project_id,
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

Result<store::Project> Platform::Impl::GetProject(const Principal& caller, int64_t project_id) {
  std::unique_lock<std::mutex> lock;
  TD_ASSIGN_OR_RETURN(ProjectState * ps, OwnedProject(caller, project_id, lock));
  return ps->project;
}

Result<std::vector<store::Project>> Platform::Impl::ListProjects(const Principal& caller) {
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

ImportOutcome Platform::Impl::ImportTasks(const Principal& caller, int64_t project_id,
                                          io::TaskFormat format, std::string_view body) {
  ImportOutcome outcome;
  std::unique_lock<std::mutex> lock;
  auto owned = OwnedProject(caller, project_id, lock);
  if (!owned.ok()) {
    outcome.status = owned.status();
    return outcome;
  }
  ProjectState& ps = **owned;
  io::ParsedTaskFile file = io::ParseTaskFile(format, body);
  outcome.row_errors = std::move(file.errors);
  const int64_t now = clock_->NowMs();
  store::WriteBatch batch;
  batch.insert_tasks.reserve(file.tasks.size());
  for (io::ImportedTask& t : file.tasks) {
    store::Task row;
    row.project_id = project_id;
    row.created_at_ms = now;
    row.data_json = t.data.dump();
    if (!t.gold.is_null()) {
      auto value = quality::ParseAnswerValue(ps.spec, NormalizeGold(ps.spec, t.gold), "gold");
      if (!value.ok()) {
        if (outcome.row_errors.size() < io::kMaxImportErrors) {
          outcome.row_errors.push_back({t.line, "gold", value.status().message()});
        }
        continue;
      }
      row.gold_json = quality::AnswerValueToJson(ps.spec, *value).dump();
      ++outcome.summary.gold;
    }
    batch.insert_tasks.push_back(std::move(row));
  }
  if (!outcome.row_errors.empty()) {
    const io::ImportRowError& first = outcome.row_errors.front();
    outcome.status = Status::InvalidArgument(
        std::to_string(outcome.row_errors.size()) + " row error(s); first at line " +
            std::to_string(first.line) + ": " + first.message + "; nothing was imported",
        first.field);
    outcome.summary = {};
    return outcome;
  }
  // Ids are taken only now, so a rejected file leaves no holes, and in file order.
  for (store::Task& row : batch.insert_tasks) row.id = store_->NextId(store::IdKind::kTask);
  std::vector<store::Task> rows = batch.insert_tasks;
  outcome.status = store_->WriteSync(std::move(batch));
  if (!outcome.status.ok()) {
    outcome.summary = {};
    return outcome;
  }
  for (store::Task& row : rows) {
    // Gold values were validated above, so adding cannot fail.
    (void)AddTaskState(ps, std::move(row));
  }
  outcome.summary.imported = static_cast<int64_t>(rows.size());
  return outcome;
}

Result<std::vector<store::Task>> Platform::Impl::ListTasks(const Principal& caller,
                                                           int64_t project_id,
                                                           std::string_view state, int limit,
                                                           int64_t after_task_id) {
  if (state != "" && state != "open" && state != "retired") {
    return Status::InvalidArgument("must be open or retired", "state");
  }
  if (limit < 1 || limit > 1000) return Status::InvalidArgument("must be 1..1000", "limit");
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
