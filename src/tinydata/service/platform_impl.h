// Private to service/: what Platform forwards to. Two engines implement it, chosen by the store:
//   - InMemoryImpl (memory_impl.h) when this server is the database's only writer (SQLite):
//     every project's state lives in memory, use cases decide from it and write behind through
//     the store's group commit.
//   - SharedDatabaseImpl (shared_database_impl.h) when several servers share the database
//     (PostgreSQL, store::Store::shared()): no project state in memory; every use case that
//     changes what other servers see decides in a database transaction under row locks.
// Accounts, pseudonyms, task import parsing and the export stream are the same for both and
// live here.
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tinydata/core/token_buckets.h"
#include "tinydata/quality/question.h"
#include "tinydata/service/platform.h"

namespace tinydata::service {

class Platform::Impl {
 public:
  Impl(store::Store* store, const Clock* clock, PlatformOptions options);
  virtual ~Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Loads the pseudonym secret (created at the first Open), then the engine's state.
  Status Load();

  // --- Accounts (accounts.cc) ---------------------------------------------------------------
  Result<store::User> CreateUser(std::string_view email, std::string_view password,
                                 std::string_view display_name, uint32_t roles);
  Result<Session> Register(const RegisterRequest& request);
  Result<Session> Login(std::string_view email, std::string_view password,
                        std::string_view client_address, int64_t* retry_after_seconds);
  // --- Tokens (sessions.cc) -------------------------------------------------------------------
  Status Logout(std::string_view token);
  Status LogoutEverywhere(const Principal& caller);
  // Served from memory after the first look-up of a token, unless the database is shared: then
  // a token revoked or a level changed on another server must count at once, so every call
  // reads the store.
  Result<Principal> AuthenticateToken(std::string_view token);
  Result<ApiToken> CreateApiToken(const Principal& caller, const ApiTokenRequest& request);
  Result<std::vector<store::Token>> ListTokens(const Principal& caller);
  Status RevokeToken(const Principal& caller, std::string_view token_id);
  Result<store::User> GetUser(int64_t user_id);
  Result<store::User> FindUserByEmail(std::string_view email);
  void InvalidateUser(int64_t user_id);

  // --- Per engine ---------------------------------------------------------------------------
  virtual Result<store::Project> CreateProject(const Principal& caller,
                                               const nlohmann::json& input) = 0;
  virtual Result<store::Project> UpdateProject(const Principal& caller, int64_t project_id,
                                               const nlohmann::json& patch) = 0;
  virtual Result<store::Project> SetStatus(const Principal& caller, int64_t project_id,
                                           const char* status) = 0;
  virtual Result<store::Project> GetProject(const Principal& caller, int64_t project_id) = 0;
  virtual Result<std::vector<store::Project>> ListProjects(const Principal& caller) = 0;
  virtual ImportOutcome ImportTasks(const Principal& caller, int64_t project_id,
                                    io::TaskFormat format, std::string_view body) = 0;
  virtual Result<std::vector<store::Task>> ListTasks(const Principal& caller, int64_t project_id,
                                                     std::string_view state, int limit,
                                                     int64_t after_task_id) = 0;
  virtual void NextTask(const Principal& caller, std::optional<int64_t> project_id,
                        Done<std::optional<LeasedTask>> done) = 0;
  virtual void SubmitAnswer(const Principal& caller, int64_t assignment_id,
                            const nlohmann::json& value, int64_t duration_ms,
                            std::string idempotency_key, Done<SubmittedAnswer> done) = 0;
  virtual Result<ProjectStats> GetProjectStats(const Principal& caller, int64_t project_id) = 0;
  virtual Result<std::vector<ReviewView>> ListReviews(const Principal& caller,
                                                      int64_t project_id) = 0;
  virtual Result<ReviewView> DecideReview(const Principal& caller, int64_t project_id,
                                          std::string_view annotator,
                                          ReviewDecision decision) = 0;
  virtual Status ReinferProject(int64_t project_id) = 0;
  virtual Status RunMaintenance() = 0;

  // --- Shared by both (results.cc) ----------------------------------------------------------
  // The export of a project the caller may see (GetProject), read page by page from the store.
  Result<std::unique_ptr<ExportStream>> ExportProject(const Principal& caller, int64_t project_id,
                                                      io::ExportFormat format);
  std::string Pseudonym(int64_t project_id, int64_t user_id) const;

  store::Store* store() const { return store_; }
  void SetRetirementHook(RetirementHook hook) { retirement_hook_ = std::move(hook); }
  void SetLeaseGate(LeaseGate gate) { lease_gate_ = std::move(gate); }

 protected:
  // Loads what the engine keeps (called by Load once the secret is there).
  virtual Status LoadEngine() = 0;

  // A project from project_input, stored (projects.cc). `spec` receives its parsed question.
  Result<store::Project> InsertProject(const Principal& caller, const nlohmann::json& input,
                                       quality::QuestionSpec* spec);
  // Parses an import for a project with question `spec`: every row valid, with a fresh id, in
  // `rows`; or the row errors in the outcome and nothing in `rows` (projects.cc).
  ImportOutcome ParseImport(const quality::QuestionSpec& spec, int64_t project_id,
                            io::TaskFormat format, std::string_view body,
                            std::vector<store::Task>* rows);
  // The principal of `caller` as the lease gate sees it now: FailedPrecondition for a paused
  // user, the current level otherwise.
  Result<Principal> GatedCaller(const Principal& caller);
  // A uniform draw in [0, 1) for the gold mix.
  double Draw();
  // Ok when the caller may review the project's workers: its owner, a verifier or an admin;
  // NotFound naming "project_id" otherwise.
  static Status MayReview(const Principal& caller, const store::Project& project);
  // The user of `reviews` whose pseudonym in the project is `annotator`; NotFound naming it.
  Result<int64_t> ReviewedUser(int64_t project_id,
                               const std::vector<store::WorkerReview>& reviews,
                               std::string_view annotator) const;
  // The view of a review (its held answers counted by the caller).
  ReviewView ViewOf(const store::WorkerReview& review, int64_t held_answers) const;

  store::Store* const store_;
  const Clock* const clock_;
  const PlatformOptions options_;
  std::string pseudonym_secret_;
  RetirementHook retirement_hook_;
  LeaseGate lease_gate_;

 private:
  Result<Session> StartSession(store::User user);
  // Stores a new token of `user` (kind, name, scopes, expiry set by the caller) and caches it.
  Result<std::string> IssueToken(const store::User& user, store::Token token);
  // Why `token` no longer works at `now_ms` ("" while it does).
  std::string ExpiryOf(const store::Token& token, int64_t now_ms) const;
  // Records that the token was used at `now_ms` when the stored time is a minute old or more.
  void Touch(const std::string& hash, int64_t stored_last_used_ms, int64_t now_ms);
  // Forgets cached tokens: one, or all of a user.
  void ForgetToken(const std::string& hash);
  void ForgetUserTokens(int64_t user_id);

  // Not used when the store is shared (AuthenticateToken).
  std::shared_mutex auth_mu_;
  std::unordered_map<std::string, store::Token> tokens_;  // token hash -> token
  std::unordered_map<int64_t, Principal> principals_;     // user id -> roles and level

  std::mutex rng_mu_;
  std::mt19937_64 rng_;

  // Sign-in throttling (PlatformOptions::login_*), and the hash an unknown email is checked
  // against so that it costs what a known one does.
  TokenBuckets login_accounts_;
  TokenBuckets login_addresses_;
  std::string dummy_password_hash_;
};

}  // namespace tinydata::service
