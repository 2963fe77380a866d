#include "tinydata/service/platform.h"

#include <algorithm>
#include <ctime>

#include "tinydata/service/credentials.h"
#include "tinydata/service/platform_impl.h"

namespace tinydata::service {

Platform::Impl::Impl(store::Store* store, const Clock* clock, PlatformOptions options)
    : store_(store), clock_(clock), options_(std::move(options)), rng_(options_.seed) {}

Status Platform::Impl::Load() {
  pseudonym_secret_ = options_.pseudonym_secret;
  if (pseudonym_secret_.empty()) {
    TD_ASSIGN_OR_RETURN(auto stored, store_->GetSetting("pseudonym_secret"));
    if (stored) {
      pseudonym_secret_ = *stored;
    } else {
      pseudonym_secret_ = NewSecret();
      store::WriteBatch batch;
      batch.upsert_settings.emplace_back("pseudonym_secret", pseudonym_secret_);
      TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
    }
  }
  TD_ASSIGN_OR_RETURN(std::vector<store::Project> projects, store_->LoadProjects());
  for (const store::Project& project : projects) {
    auto ps = std::make_unique<ProjectState>();
    TD_RETURN_IF_ERROR(LoadProjectState(*ps, project));
    for (const auto& [id, a] : ps->assignments) assignment_project_[id] = project.id;
    for (const AnswerState& a : ps->answers) {
      if (!a.row.idempotency_key.empty()) {
        idempotency_[std::to_string(a.row.user_id) + '\x1f' + a.row.idempotency_key] = {project.id,
                                                                                        a.row.id};
      }
    }
    projects_[project.id] = std::move(ps);
  }
  return Status::Ok();
}

Status Platform::Impl::AddTaskState(ProjectState& ps, store::Task row) {
  TaskState t;
  if (row.gold_json) {
    auto gold = nlohmann::json::parse(*row.gold_json, nullptr, /*allow_exceptions=*/false);
    TD_ASSIGN_OR_RETURN(t.gold_value, quality::ParseAnswerValue(ps.spec, gold, "gold"));
    t.gold = true;
    ++ps.gold_tasks;
  }
  t.open = row.state == "open";
  if (t.open) ++ps.open_tasks;
  if (!row.consensus_json.empty()) {
    auto consensus = nlohmann::json::parse(row.consensus_json, nullptr, false);
    auto value = quality::ParseAnswerValue(ps.spec, consensus, "consensus");
    if (value.ok()) {
      t.consensus = std::move(value).value();
      t.has_consensus = true;
    }
  }
  t.row = std::move(row);
  ps.task_index[t.row.id] = static_cast<int32_t>(ps.tasks.size());
  ps.tasks.push_back(std::move(t));
  return Status::Ok();
}

Status Platform::Impl::LoadProjectState(ProjectState& ps, const store::Project& project) {
  const int64_t id = project.id;
  ps.project = project;
  ps.tasks.clear();
  ps.task_index.clear();
  ps.answers.clear();
  ps.assignments.clear();
  ps.had.clear();
  ps.started.clear();
  ps.fresh_cursor = 0;
  ps.fresh_gold_cursor = 0;
  ps.open_tasks = 0;
  ps.gold_tasks = 0;
  ps.skill_rows.clear();
  ps.skill_worker.clear();
  ps.has_skills = false;
  ps.answers_since_inference = 0;
  auto question = nlohmann::json::parse(project.question_json, nullptr, false);
  TD_ASSIGN_OR_RETURN(ps.spec, quality::ParseQuestionSpec(question, "question"));

  TD_ASSIGN_OR_RETURN(std::vector<store::Task> tasks, store_->LoadTasks(id));
  ps.tasks.reserve(tasks.size());
  for (store::Task& t : tasks) {
    const int64_t task_id = t.id;
    Status s = AddTaskState(ps, std::move(t));
    if (!s.ok()) {
      return Status::DataLoss("task " + std::to_string(task_id) + " of project " +
                              std::to_string(id) + ": " + s.message());
    }
  }
  TD_ASSIGN_OR_RETURN(std::vector<store::Assignment> assignments, store_->LoadAssignments(id));
  for (store::Assignment& a : assignments) {
    auto it = ps.task_index.find(a.task_id);
    if (it == ps.task_index.end()) continue;
    AssignmentState as;
    as.task_index = it->second;
    TaskState& task = ps.tasks[as.task_index];
    if (a.state == "leased") task.leases.push_back({a.id, a.expires_at_ms});
    if (!task.started && task.open) {
      task.started = true;
      ps.started.push_back(as.task_index);
    }
    ps.had.insert(ProjectState::HadKey(a.user_id, as.task_index));
    as.row = std::move(a);
    ps.assignments.emplace(as.row.id, std::move(as));
  }
  TD_ASSIGN_OR_RETURN(std::vector<store::Answer> answers, store_->LoadAnswers(id));
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
    auto assignment = ps.assignments.find(a.assignment_id);
    if (assignment != ps.assignments.end()) assignment->second.answer_index = index;
    as.row = std::move(a);
    ps.answers.push_back(std::move(as));
  }
  TD_ASSIGN_OR_RETURN(std::vector<store::WorkerSkill> skills, store_->LoadSkills(id));
  for (store::WorkerSkill& w : skills) ps.skill_rows[w.user_id] = std::move(w);
  RebuildSkillModel(ps);
  ps.committed_answer_id = ps.answers.empty() ? 0 : ps.answers.back().row.id;
  ps.needs_reload = false;
  return Status::Ok();
}

void Platform::Impl::RebuildSkillModel(ProjectState& ps) {
  ps.skill_worker.clear();
  ps.has_skills = false;
  if (ps.spec.type != quality::QuestionType::kSingleChoice) return;
  const int32_t k = static_cast<int32_t>(ps.spec.options.size());
  infer::CategoricalResult result;
  result.num_classes = k;
  for (const auto& [user_id, row] : ps.skill_rows) {
    auto model = nlohmann::json::parse(row.model_json, nullptr, false);
    if (!model.is_object() || !model.contains("confusion") || !model["confusion"].is_array() ||
        model["confusion"].size() != static_cast<size_t>(k) * k) {
      continue;
    }
    if (result.class_prior.empty() && model.contains("prior") && model["prior"].is_array() &&
        model["prior"].size() == static_cast<size_t>(k)) {
      for (const auto& p : model["prior"]) result.class_prior.push_back(p.get<double>());
    }
    for (const auto& c : model["confusion"]) result.worker_confusion.push_back(c.get<double>());
    result.worker_accuracy.push_back(row.accuracy);
    ps.skill_worker[user_id] = result.num_workers++;
  }
  if (result.num_workers == 0) return;
  ps.skills = infer::SkillModel::FromResult(result, quality::kDefaultWorkerAccuracy);
  ps.has_skills = true;
}

ProjectState* Platform::Impl::FindProject(int64_t project_id) {
  std::shared_lock<std::shared_mutex> lock(projects_mu_);
  auto it = projects_.find(project_id);
  return it == projects_.end() ? nullptr : it->second.get();
}

Status Platform::Impl::ReloadProject(ProjectState& ps) {
  // Batches of this project queued before the failure must land before we read.
  store_->Flush();
  auto projects = store_->LoadProjects();
  if (!projects.ok()) return projects.status();
  for (const store::Project& p : *projects) {
    if (p.id == ps.project.id) return LoadProjectState(ps, p);
  }
  return Status::NotFound("project " + std::to_string(ps.project.id) + " vanished");
}

Result<ProjectState*> Platform::Impl::OwnedProject(const Principal& caller, int64_t project_id,
                                                   std::unique_lock<std::mutex>& lock) {
  ProjectState* ps = FindProject(project_id);
  if (ps == nullptr) return Status::NotFound("no such project", "project_id");
  lock = std::unique_lock<std::mutex>(ps->mu);
  if (ps->project.owner_id != caller.user_id && !caller.is_admin()) {
    return Status::NotFound("no such project", "project_id");
  }
  if (ps->needs_reload) TD_RETURN_IF_ERROR(ReloadProject(*ps));
  return ps;
}

void Platform::Impl::WriteForProject(ProjectState& ps, store::WriteBatch batch,
                                     std::function<void(const Status&)> done) {
  ProjectState* p = &ps;
  store_->Write(std::move(batch), [p, done = std::move(done)](const Status& status) {
    // The in-memory state ran ahead of the store; the next use case reloads it.
    if (!status.ok()) p->needs_reload = true;
    done(status);
  });
}

std::string Platform::Impl::Pseudonym(int64_t project_id, int64_t user_id) const {
  const std::string mac =
      HmacSha256Hex(pseudonym_secret_, std::to_string(project_id) + ":" + std::to_string(user_id));
  return "a-" + mac.substr(0, 12);
}

// --- Platform: thin forwarding to Impl -------------------------------------------------------

Platform::Platform(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Platform::~Platform() = default;

Result<std::unique_ptr<Platform>> Platform::Open(store::Store* store, const Clock* clock,
                                                 PlatformOptions options) {
  if (store == nullptr || clock == nullptr) {
    return Status::InvalidArgument("a store and a clock are required");
  }
  if (options.lease_seconds < 1) {
    return Status::InvalidArgument("must be at least 1", "lease_seconds");
  }
  auto impl = std::make_unique<Impl>(store, clock, std::move(options));
  TD_RETURN_IF_ERROR(impl->Load());
  return std::unique_ptr<Platform>(new Platform(std::move(impl)));
}

void Platform::SetRetirementHook(RetirementHook hook) { impl_->SetRetirementHook(std::move(hook)); }
void Platform::SetLeaseGate(LeaseGate gate) { impl_->SetLeaseGate(std::move(gate)); }

Result<Session> Platform::Register(const RegisterRequest& request) {
  return impl_->Register(request);
}
Result<Session> Platform::Login(std::string_view email, std::string_view password) {
  return impl_->Login(email, password);
}
Status Platform::Logout(std::string_view token) { return impl_->Logout(token); }
Result<Principal> Platform::AuthenticateToken(std::string_view token) {
  return impl_->AuthenticateToken(token);
}
Result<store::User> Platform::AddUser(std::string_view email, std::string_view password,
                                      std::string_view display_name, uint32_t roles) {
  if (roles == 0) return Status::InvalidArgument("at least one role is required", "role");
  return impl_->CreateUser(email, password, display_name, roles);
}
Result<store::User> Platform::GetUser(int64_t user_id) { return impl_->GetUser(user_id); }
void Platform::InvalidateUser(int64_t user_id) { impl_->InvalidateUser(user_id); }

Result<store::Project> Platform::CreateProject(const Principal& caller,
                                               const nlohmann::json& input) {
  return impl_->CreateProject(caller, input);
}
Result<store::Project> Platform::UpdateProject(const Principal& caller, int64_t project_id,
                                               const nlohmann::json& patch) {
  return impl_->UpdateProject(caller, project_id, patch);
}
Result<store::Project> Platform::PauseProject(const Principal& caller, int64_t project_id) {
  return impl_->SetStatus(caller, project_id, "paused");
}
Result<store::Project> Platform::ResumeProject(const Principal& caller, int64_t project_id) {
  return impl_->SetStatus(caller, project_id, "active");
}
Result<store::Project> Platform::GetProject(const Principal& caller, int64_t project_id) {
  return impl_->GetProject(caller, project_id);
}
Result<std::vector<store::Project>> Platform::ListProjects(const Principal& caller) {
  return impl_->ListProjects(caller);
}
ImportOutcome Platform::ImportTasks(const Principal& caller, int64_t project_id,
                                    io::TaskFormat format, std::string_view body) {
  return impl_->ImportTasks(caller, project_id, format, body);
}
Result<std::vector<store::Task>> Platform::ListTasks(const Principal& caller, int64_t project_id,
                                                     std::string_view state, int limit,
                                                     int64_t after_task_id) {
  return impl_->ListTasks(caller, project_id, state, limit, after_task_id);
}
void Platform::NextTask(const Principal& caller, std::optional<int64_t> project_id,
                        Done<std::optional<LeasedTask>> done) {
  impl_->NextTask(caller, project_id, std::move(done));
}
void Platform::SubmitAnswer(const Principal& caller, int64_t assignment_id,
                            const nlohmann::json& value, int64_t duration_ms,
                            std::string idempotency_key, Done<SubmittedAnswer> done) {
  impl_->SubmitAnswer(caller, assignment_id, value, duration_ms, std::move(idempotency_key),
                      std::move(done));
}
Result<ProjectStats> Platform::GetProjectStats(const Principal& caller, int64_t project_id) {
  return impl_->GetProjectStats(caller, project_id);
}
Result<std::unique_ptr<ExportStream>> Platform::ExportProject(const Principal& caller,
                                                              int64_t project_id,
                                                              io::ExportFormat format) {
  return impl_->ExportProject(caller, project_id, format);
}
std::string Platform::Pseudonym(int64_t project_id, int64_t user_id) const {
  return impl_->Pseudonym(project_id, user_id);
}
Status Platform::ReinferProject(int64_t project_id) { return impl_->ReinferProject(project_id); }
Status Platform::RunMaintenance() { return impl_->RunMaintenance(); }
store::WriteStats Platform::write_stats() const { return impl_->store()->write_stats(); }

}  // namespace tinydata::service
