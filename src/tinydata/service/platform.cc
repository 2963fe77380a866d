#include "tinydata/service/platform.h"

#include <algorithm>
#include <ctime>

#include "tinydata/service/credentials.h"
#include "tinydata/service/memory_impl.h"
#include "tinydata/service/shared_database_impl.h"

namespace tinydata::service {
namespace {

constexpr size_t kMaxIdempotencyKeyBytes = 200;

}  // namespace

namespace {

TokenBucketOptions LoginBuckets(int failures, int64_t refill_seconds) {
  if (failures <= 0 || refill_seconds <= 0) return {.per_second = 0, .burst = 0};
  return {.per_second = 1.0 / static_cast<double>(refill_seconds),
          .burst = static_cast<double>(failures)};
}

}  // namespace

Platform::Impl::Impl(store::Store* store, const Clock* clock, PlatformOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      rng_(options_.seed),
      login_accounts_(
          LoginBuckets(options_.login_failures_per_account, options_.login_account_refill_seconds)),
      login_addresses_(LoginBuckets(options_.login_failures_per_address,
                                    options_.login_address_refill_seconds)) {}

Status Platform::Impl::Load() {
  TD_ASSIGN_OR_RETURN(dummy_password_hash_,
                      HashPassword(NewSecret(), options_.pwhash_opslimit, options_.pwhash_memlimit));
  pseudonym_secret_ = options_.pseudonym_secret;
  if (pseudonym_secret_.empty()) {
    TD_ASSIGN_OR_RETURN(auto stored, store_->GetSetting("pseudonym_secret"));
    if (stored) {
      pseudonym_secret_ = *stored;
    } else {
      store::WriteBatch batch;
      batch.insert_settings.emplace_back("pseudonym_secret", NewSecret());
      TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
      // Another server sharing the database may have stored its secret first: the first one
      // written is the one every server uses.
      TD_ASSIGN_OR_RETURN(stored, store_->GetSetting("pseudonym_secret"));
      if (!stored) return Status::DataLoss("the pseudonym secret was not stored");
      pseudonym_secret_ = *stored;
    }
  }
  return LoadEngine();
}

std::string Platform::Impl::Pseudonym(int64_t project_id, int64_t user_id) const {
  const std::string mac =
      HmacSha256Hex(pseudonym_secret_, std::to_string(project_id) + ":" + std::to_string(user_id));
  return "a-" + mac.substr(0, 12);
}

Result<Principal> Platform::Impl::GatedCaller(const Principal& caller) {
  Principal gated = caller;
  if (lease_gate_) {
    TD_ASSIGN_OR_RETURN(gated.level, lease_gate_(caller));
  }
  return gated;
}

double Platform::Impl::Draw() {
  std::lock_guard<std::mutex> lock(rng_mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

// --- InMemoryImpl: the project map -----------------------------------------------------------

Status InMemoryImpl::LoadEngine() {
  TD_ASSIGN_OR_RETURN(std::vector<store::Project> projects, store_->LoadProjects());
  for (const store::Project& project : projects) {
    auto ps = std::make_unique<ProjectState>();
    TD_RETURN_IF_ERROR(LoadProjectState(*store_, *ps, project));
    for (const auto& [id, a] : ps->assignments) assignment_project_[id] = project.id;
    for (const AnswerState& a : ps->answers) {
      if (!a.row.idempotency_key.empty()) {
        idempotency_[std::to_string(a.row.user_id) + '\x1f' + a.row.idempotency_key] = {
            project.id, a.row.id};
      }
    }
    projects_[project.id] = std::move(ps);
  }
  return Status::Ok();
}

ProjectState* InMemoryImpl::FindProject(int64_t project_id) {
  std::shared_lock<std::shared_mutex> lock(projects_mu_);
  auto it = projects_.find(project_id);
  return it == projects_.end() ? nullptr : it->second.get();
}

Status InMemoryImpl::ReloadProject(ProjectState& ps) {
  // Batches of this project queued before the failure must land before we read.
  store_->Flush();
  auto projects = store_->LoadProjects();
  if (!projects.ok()) return projects.status();
  for (const store::Project& p : *projects) {
    if (p.id == ps.project.id) return LoadProjectState(*store_, ps, p);
  }
  return Status::NotFound("project " + std::to_string(ps.project.id) + " vanished");
}

Result<ProjectState*> InMemoryImpl::OwnedProject(const Principal& caller, int64_t project_id,
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

void InMemoryImpl::WriteForProject(ProjectState& ps, store::WriteBatch batch,
                                   std::function<void(const Status&)> done) {
  ProjectState* p = &ps;
  store_->Write(std::move(batch), [p, done = std::move(done)](const Status& status) {
    // The in-memory state ran ahead of the store; the next use case reloads it.
    if (!status.ok()) p->needs_reload = true;
    done(status);
  });
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
  std::unique_ptr<Impl> impl;
  if (store->shared()) {
    impl = std::make_unique<SharedDatabaseImpl>(store, clock, std::move(options));
  } else {
    impl = std::make_unique<InMemoryImpl>(store, clock, std::move(options));
  }
  TD_RETURN_IF_ERROR(impl->Load());
  return std::unique_ptr<Platform>(new Platform(std::move(impl)));
}

void Platform::SetRetirementHook(RetirementHook hook) { impl_->SetRetirementHook(std::move(hook)); }
void Platform::SetLeaseGate(LeaseGate gate) { impl_->SetLeaseGate(std::move(gate)); }

Result<Session> Platform::Register(const RegisterRequest& request) {
  return impl_->Register(request);
}
Result<Session> Platform::Login(std::string_view email, std::string_view password,
                                std::string_view client_address, int64_t* retry_after_seconds) {
  return impl_->Login(email, password, client_address, retry_after_seconds);
}
Status Platform::Logout(std::string_view token) { return impl_->Logout(token); }
Status Platform::LogoutEverywhere(const Principal& caller) {
  return impl_->LogoutEverywhere(caller);
}
Result<ApiToken> Platform::CreateApiToken(const Principal& caller,
                                          const ApiTokenRequest& request) {
  return impl_->CreateApiToken(caller, request);
}
Result<std::vector<store::Token>> Platform::ListTokens(const Principal& caller) {
  return impl_->ListTokens(caller);
}
Status Platform::RevokeToken(const Principal& caller, std::string_view token_id) {
  return impl_->RevokeToken(caller, token_id);
}
Result<Principal> Platform::AuthenticateToken(std::string_view token) {
  return impl_->AuthenticateToken(token);
}
Result<store::User> Platform::AddUser(std::string_view email, std::string_view password,
                                      std::string_view display_name, uint32_t roles) {
  if (roles == 0) return Status::InvalidArgument("at least one role is required", "role");
  return impl_->CreateUser(email, password, display_name, roles);
}
Result<store::User> Platform::GetUser(int64_t user_id) { return impl_->GetUser(user_id); }
Result<store::User> Platform::FindUserByEmail(std::string_view email) {
  return impl_->FindUserByEmail(email);
}
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
  if (state != "" && state != "open" && state != "retired") {
    return Status::InvalidArgument("must be open or retired", "state");
  }
  if (limit < 1 || limit > 1000) return Status::InvalidArgument("must be 1..1000", "limit");
  return impl_->ListTasks(caller, project_id, state, limit, after_task_id);
}
void Platform::NextTask(const Principal& caller, std::optional<int64_t> project_id,
                        Done<std::optional<LeasedTask>> done) {
  impl_->NextTask(caller, project_id, std::move(done));
}
void Platform::SubmitAnswer(const Principal& caller, int64_t assignment_id,
                            const nlohmann::json& value, int64_t duration_ms,
                            std::string idempotency_key, Done<SubmittedAnswer> done) {
  if (idempotency_key.size() > kMaxIdempotencyKeyBytes) {
    done(Status::InvalidArgument("must be at most 200 bytes", "idempotency_key"));
    return;
  }
  if (duration_ms < 0) {
    done(Status::InvalidArgument("must be >= 0", "duration_ms"));
    return;
  }
  impl_->SubmitAnswer(caller, assignment_id, value, duration_ms, std::move(idempotency_key),
                      std::move(done));
}
Result<ProjectStats> Platform::GetProjectStats(const Principal& caller, int64_t project_id) {
  return impl_->GetProjectStats(caller, project_id);
}
Result<std::vector<ReviewView>> Platform::ListReviews(const Principal& caller,
                                                      int64_t project_id) {
  return impl_->ListReviews(caller, project_id);
}
Result<ReviewView> Platform::DecideReview(const Principal& caller, int64_t project_id,
                                          std::string_view annotator, ReviewDecision decision) {
  return impl_->DecideReview(caller, project_id, annotator, decision);
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
