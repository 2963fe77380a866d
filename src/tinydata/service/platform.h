// Platform: the use cases of the annotation server (accounts, projects, task import, leasing,
// answering with live quality control, stats, export, re-inference). http/ and cli/ are thin
// faces over this class; it talks to storage only through store::Store.
//
// State. At Open the platform loads every project with its tasks, assignments, answers and
// worker skills into memory; afterwards reads are served from memory and every change is queued
// to the store as one WriteBatch per use case (write-behind, group commit). A use case updates
// the in-memory state first and reports success only once its batch is durable, so nothing
// acknowledged is lost on a restart. If a batch fails, the affected project is reloaded from the
// store and the caller gets the error.
//
// Cost. SubmitAnswer is O(answers of that task) plus O(1) hash lookups; NextTask scans tasks
// that are started (have answers or live leases) and a bounded window of fresh ones.
//
// Access control is enforced here, not in http/: a requester sees only projects they own,
// admins see all; objects a caller may not see are NotFound (docs/api.md), so their existence
// is not revealed. Annotators never receive gold values except as feedback on their own answer.
//
// Completion. Methods that write take a callback (`Done<T>`). It runs exactly once: on the
// caller's thread when the request fails before anything is queued, otherwise on the store's
// writer thread once the batch is durable. Callbacks must be quick and must not block on the
// store (no WriteSync, no Flush) nor call back into the Platform: hand further work to another
// thread (e.g. post it to the I/O executor). Methods without a callback are synchronous; those
// that write (register, projects, import) wait for their commit.
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/io/task_export.h"
#include "tinydata/io/task_import.h"
#include "tinydata/quality/holds.h"
#include "tinydata/service/clock.h"
#include "tinydata/store/store.h"
#include "tinydata/store/types.h"

namespace tinydata::service {

template <typename T>
using Done = std::function<void(Result<T>)>;

struct PlatformOptions {
  // How long a leased assignment stays valid (docs/api.md: default 300).
  int64_t lease_seconds = 300;
  // Key of the annotator pseudonyms in exports. Empty: the secret stored in the database
  // (setting "pseudonym_secret") is used, created at the first Open.
  std::string pseudonym_secret;
  // Seed of the draw that mixes gold items in at the project's gold rate.
  uint64_t seed = 0x7a1e5eedULL;
  // Argon2id cost: libsodium's INTERACTIVE limits by default; tests may lower them (the
  // minimums of crypto_pwhash) to run fast. 0 = the INTERACTIVE value.
  uint64_t pwhash_opslimit = 0;
  size_t pwhash_memlimit = 0;
  // Shared database (several servers, store::Store::shared()): threads that run the lease and
  // answer transactions; as many as the store has transaction connections.
  int shared_workers = 8;
  // Sign-in throttling: failed sign-ins an account, and a client address, may make at once, and
  // the seconds after which one more is allowed (a token bucket each; 0 failures = no limit).
  // Counted per server process.
  int login_failures_per_account = 5;
  int64_t login_account_refill_seconds = 60;
  int login_failures_per_address = 20;
  int64_t login_address_refill_seconds = 6;
  // A session (the token of a sign-in) ends when unused for session_idle_ms or older than
  // session_max_age_ms, whichever comes first.
  int64_t session_idle_ms = int64_t{7} * 24 * 3600 * 1000;
  int64_t session_max_age_ms = int64_t{30} * 24 * 3600 * 1000;
  // When answers are held for review (far too fast, a spam score): quality/holds.h.
  quality::HoldRules hold_rules;
};

// What a bearer token may do. A session may do everything; a personal API token only what its
// scopes name. kScopeAccount - managing tokens, signing out everywhere, the game's daily actions
// (check-in, level-up, referrals) and administration - belongs to sessions alone.
enum Scope : uint32_t {
  kScopeRead = 1u << 0,      // "read": the caller's profile, projects, tasks, stats, exports
  kScopeAnnotate = 1u << 1,  // "annotate": lease tasks and answer them
  kScopeProjects = 1u << 2,  // "projects": create and change projects, import tasks, fund them
  kScopeAccount = 1u << 31,
};
inline constexpr uint32_t kApiTokenScopes = kScopeRead | kScopeAnnotate | kScopeProjects;
inline constexpr uint32_t kSessionScopes = kApiTokenScopes | kScopeAccount;

// "read", "annotate", "projects" -> their bits; InvalidArgument naming `field` ("scopes[1]")
// for any other name or an empty list.
Result<uint32_t> ParseScopes(const std::vector<std::string>& names, std::string_view field);
// The names of the API scopes in `scopes`, in the order above.
std::vector<std::string> ScopeNames(uint32_t scopes);

// The authenticated caller of a use case.
struct Principal {
  int64_t user_id = 0;
  uint32_t roles = store::kRoleAnnotator;  // store::Role bits
  int32_t level = 1;
  uint32_t scopes = kSessionScopes;  // of the token the request came with
  std::string token_id = {};         // that token's public id; empty outside a request

  bool Has(store::Role role) const { return (roles & role) != 0; }
  bool is_admin() const { return Has(store::kRoleAdmin); }
  bool Allows(Scope scope) const { return (scopes & scope) != 0; }
};

// "annotator", "requester", "verifier", "admin" -> the role bit; InvalidArgument naming `field`.
Result<store::Role> ParseRole(std::string_view name, std::string_view field = "role");
// The role names of a role mask, in the order above.
std::vector<std::string> RoleNames(uint32_t roles);

struct RegisterRequest {
  std::string email;
  std::string password;            // at least 8 characters
  std::string display_name;        // defaults to the part of the email before '@'
  std::string role = "annotator";  // self-registration: "annotator" or "requester"
};

struct Session {
  store::User user;
  std::string token;  // the bearer token; shown once, stored only as its SHA-256
};

struct ApiTokenRequest {
  std::string name;               // 1..100 characters, the owner's label
  uint32_t scopes = kScopeRead;   // a non-empty subset of kApiTokenScopes
  int64_t expires_in_days = 90;   // 1..365
};

// A personal API token just created: `secret` is the bearer token, shown once.
struct ApiToken {
  store::Token token;
  std::string secret;
};

// One leased assignment with what the annotator needs to answer it.
struct LeasedTask {
  store::Assignment assignment;
  int64_t task_id = 0;
  std::string task_data_json;
  store::Project project;
};

// The instant feedback on a gold item. A control question tells only whether the answer was
// right, so the pool cannot be harvested; a training item also shows the expected answer and why.
struct GoldFeedback {
  bool correct = false;
  bool training = false;
  nlohmann::json expected;  // training items only
  std::string explanation;  // training items only
};

struct SubmittedAnswer {
  int64_t answer_id = 0;
  std::optional<GoldFeedback> gold;  // only for gold tasks
  bool task_retired = false;
  int64_t reward_pending_aia = 0;
  bool replayed = false;      // true when this is the stored response of an earlier request
  std::string response_json;  // the response body, byte-identical on every replay
};

struct ImportSummary {
  int64_t imported = 0;
  int64_t gold = 0;      // control questions and training items
  int64_t training = 0;  // of them, training items
};

// One worker under review in a project, as a reviewer sees them.
struct ReviewView {
  std::string annotator;  // the project's pseudonym of the worker
  store::ReviewState state = store::ReviewState::kHeld;
  std::string reason;
  int64_t fast_answers = 0;
  double spam_score = 0.0;
  int64_t held_answers = 0;  // awaiting the decision
  int64_t created_at_ms = 0;
  int64_t decided_at_ms = 0;
};

enum class ReviewDecision { kRelease, kReject };

// Thrown-free outcome of an import: either a summary, or the row errors (and nothing imported).
struct ImportOutcome {
  Status status;  // ok, or the first error (row errors: InvalidArgument)
  ImportSummary summary;
  std::vector<io::ImportRowError> row_errors;
};

struct AnnotatorAccuracy {
  std::string annotator;  // pseudonym
  double accuracy = 0.0;  // share of this annotator's judged answers that were accepted
  int64_t answers = 0;
};

struct ProjectStats {
  int64_t tasks_total = 0;
  int64_t tasks_open = 0;
  int64_t tasks_retired = 0;
  int64_t tasks_gold = 0;
  int64_t answers = 0;
  double completion = 0.0;  // retired / total (0 for an empty project)
  std::vector<std::pair<std::string, int64_t>> label_distribution;  // consensus value -> tasks
  std::vector<std::pair<int64_t, int64_t>> answers_per_task;        // n answers -> tasks
  std::vector<AnnotatorAccuracy> annotator_accuracy;
  // Single-choice questions: labels = option values; matrix[i][j] = answers with value j on
  // retired non-gold tasks whose consensus is i. Empty for the other question types.
  std::vector<std::string> confusion_labels;
  std::vector<std::vector<int64_t>> confusion_matrix;
  // The median time a counted answer took (what the fast rule of quality/holds.h compares with),
  // over how many answers, as of the last re-inference.
  int64_t typical_answer_ms = 0;
  int64_t timed_answers = 0;
  // Answers held for review, and workers whose review is open.
  int64_t held_answers = 0;
  int64_t workers_under_review = 0;
};

// Pulls an export one chunk at a time (the shape of http::BodyProducer). Reads pages of tasks
// from the store, so it sees what was durable when each page was read.
class ExportStream {
 public:
  virtual ~ExportStream() = default;
  // Appends the next piece to `chunk`; sets `done` with the last one.
  virtual Status Next(std::string& chunk, bool& done) = 0;
  virtual const char* content_type() const = 0;
};

// Called inside the batch that retires a task, after verdicts were decided, and again for each
// answer that arrives after its task retired (its lease was still valid; `answers` then holds
// that answer alone): the hook may append further changes (rewards, XP, ledger postings) to
// `batch`, which commits atomically with the retirement or the late answer. Keep it quick and do not call the Platform: it runs under the project's lock, or
// inside the database transaction of the answer (`txn`, when the database is shared by several
// servers: the hook must then read the state it decides on through `txn` and lock it there).
struct RetiredTask {
  const store::Project* project = nullptr;
  const store::Task* task = nullptr;  // state "retired", consensus and confidence set
  // Every answer of the task with its final verdict (gold tasks: judged against the gold).
  const std::vector<store::Answer>* answers = nullptr;
  store::Transaction* txn = nullptr;  // set when the database is shared
  // Whether a user has or had an assignment of the task: a gold pass counts towards referral
  // bonuses only on an item the referee's referrer never had. Unset: nobody had it.
  std::function<bool(int64_t user_id)> had_task = {};
};
// An error of the hook fails the answer when the database is shared (its transaction is rolled
// back, and run again when the database aborted it); a single server logs it and leaves the task
// unsettled, since its answer was already decided in memory.
using RetirementHook = std::function<Status(const RetiredTask&, store::WriteBatch& batch)>;

// Asked before every lease: the level the caller's tasks are gated by now (the game rules may
// have demoted them since their principal was cached), or an error that refuses the lease
// (FailedPrecondition for a user paused after failing gold questions). Called without any
// Platform lock held; must not call the Platform.
using LeaseGate = std::function<Result<int32_t>(const Principal& caller)>;

class Platform {
 public:
  // Loads the state from `store` (which must outlive the Platform), creating the pseudonym
  // secret on first use. `clock` must outlive the Platform too.
  static Result<std::unique_ptr<Platform>> Open(store::Store* store, const Clock* clock,
                                                PlatformOptions options = {});
  ~Platform();

  // Installs the settlement hook for retired tasks (see RetirementHook). Call before serving.
  void SetRetirementHook(RetirementHook hook);
  // Installs the lease gate (see LeaseGate). Call before serving.
  void SetLeaseGate(LeaseGate gate);

  // --- Accounts -------------------------------------------------------------------------------
  // Self-registration. Errors: InvalidArgument naming "email" / "password" / "role"
  // (verifier/admin cannot be self-chosen), AlreadyExists naming "email".
  Result<Session> Register(const RegisterRequest& request);
  // Errors: Unauthenticated for an unknown email or a wrong password: the same message and the
  // same cost (an unknown email is checked against a dummy hash), so neither the answer nor its
  // time tells whether an account exists. ResourceExhausted once the account (by email, known
  // or not) or `client_address` made too many failed sign-ins (PlatformOptions); the password
  // is then not checked at all, and `*retry_after_seconds` (when given) says when to try again.
  Result<Session> Login(std::string_view email, std::string_view password,
                        std::string_view client_address = {},
                        int64_t* retry_after_seconds = nullptr);
  // Revokes the token. Unauthenticated when it is not a live token.
  Status Logout(std::string_view token);
  // Revokes every token of the caller: all sessions and all API tokens ("log out everywhere").
  // PermissionDenied for an API token (kScopeAccount).
  Status LogoutEverywhere(const Principal& caller);
  // The principal holding `token`, with the token's scopes. Unauthenticated when the token is
  // unknown, revoked or expired: a session idle for session_idle_ms or older than
  // session_max_age_ms, an API token past its expiry (the message says which). Using a token
  // records when it was last used (at most once a minute, without waiting for the write).
  // Served from memory after the first look-up of a token, unless the database is shared.
  Result<Principal> AuthenticateToken(std::string_view token);

  // --- Personal API tokens and sessions (a session's caller, kScopeAccount) ---------------------
  // InvalidArgument naming "name", "scopes" or "expires_in_days"; at most 50 tokens per user
  // (ResourceExhausted).
  Result<ApiToken> CreateApiToken(const Principal& caller, const ApiTokenRequest& request);
  // The caller's sessions and API tokens, oldest first (no secrets).
  Result<std::vector<store::Token>> ListTokens(const Principal& caller);
  // Revokes one of the caller's tokens by its public id; NotFound naming "token_id" otherwise.
  Status RevokeToken(const Principal& caller, std::string_view token_id);
  // For `tinydata user add`: creates a user with any roles (a store::Role mask, non-zero).
  // Errors as Register.
  Result<store::User> AddUser(std::string_view email, std::string_view password,
                              std::string_view display_name, uint32_t roles);
  // NotFound when there is no such user.
  Result<store::User> GetUser(int64_t user_id);
  // NotFound naming "email" when no account has this email (matched as registration
  // normalises it).
  Result<store::User> FindUserByEmail(std::string_view email);
  // Drops the cached principal data of a user (call after their level or roles changed).
  void InvalidateUser(int64_t user_id);

  // --- Projects (requester or admin) ----------------------------------------------------------
  // `input` is docs/api.md `project_input`; every member is validated and errors name it
  // ("title", "question.options[1].value", "overlap.max_answers", ...). PermissionDenied for a
  // caller that is neither requester nor admin.
  Result<store::Project> CreateProject(const Principal& caller, const nlohmann::json& input);
  // Applies the members present in `patch` (any of project_input). The question may change only
  // while the project has no tasks (FailedPrecondition naming "question").
  Result<store::Project> UpdateProject(const Principal& caller, int64_t project_id,
                                       const nlohmann::json& patch);
  Result<store::Project> PauseProject(const Principal& caller, int64_t project_id);
  Result<store::Project> ResumeProject(const Principal& caller, int64_t project_id);
  // NotFound unless the caller owns the project or is an admin.
  Result<store::Project> GetProject(const Principal& caller, int64_t project_id);
  // The caller's projects (all for admins), in id order.
  Result<std::vector<store::Project>> ListProjects(const Principal& caller);

  // --- Tasks ----------------------------------------------------------------------------------
  // Parses `body` and inserts every task in one batch, or nothing: row errors (parse errors and
  // gold values that do not fit the question, field "gold") come back in row_errors.
  ImportOutcome ImportTasks(const Principal& caller, int64_t project_id, io::TaskFormat format,
                            std::string_view body);
  // Tasks of a project for its owner/admin (with gold), id > after_task_id, in id order.
  // `state`: "", "open" or "retired" (InvalidArgument naming "state" otherwise); `limit` 1..1000.
  Result<std::vector<store::Task>> ListTasks(const Principal& caller, int64_t project_id,
                                             std::string_view state, int limit,
                                             int64_t after_task_id);

  // --- Annotating -----------------------------------------------------------------------------
  // Leases the most valuable task for the caller (sched/ policy) in the given project or, when
  // project_id is nullopt, in any active project the caller's level admits. Delivers nullopt
  // when nothing is available (HTTP 204). A user never gets a task twice; leases expire after
  // lease_seconds and the task returns to the pool. Errors: NotFound for an unknown project,
  // FailedPrecondition for a paused one or one above the caller's level (field "project_id").
  void NextTask(const Principal& caller, std::optional<int64_t> project_id,
                Done<std::optional<LeasedTask>> done);
  // Answers a leased assignment. `value` is validated against the question (InvalidArgument
  // naming "value"); gold tasks are scored at once; the task's consensus is updated with the
  // current worker skills and the task retires per the overlap policy, settling every answer's
  // verdict. A request with the idempotency key of an earlier answer by the same user delivers
  // that answer's stored response (replayed = true). Errors: NotFound for an unknown or foreign
  // assignment, FailedPrecondition for an expired one, AlreadyExists for one answered with a
  // different (or no) key.
  void SubmitAnswer(const Principal& caller, int64_t assignment_id, const nlohmann::json& value,
                    int64_t duration_ms, std::string idempotency_key, Done<SubmittedAnswer> done);

  // --- Results --------------------------------------------------------------------------------
  Result<ProjectStats> GetProjectStats(const Principal& caller, int64_t project_id);

  // --- Reviews (the project's owner, verifiers, admins) ----------------------------------------
  // The project's workers whose answers are or were held, held ones first. NotFound for a
  // project the caller may not see (owner, verifier or admin).
  Result<std::vector<ReviewView>> ListReviews(const Principal& caller, int64_t project_id);
  // Decides a held worker (by the pseudonym ListReviews shows): release judges their held answers
  // and pays the accepted ones like late answers (they count towards no consensus); reject
  // rejects them, pays nothing, and gives the worker no more of the project's tasks. NotFound
  // naming "annotator" for a worker with no review; FailedPrecondition naming it for one
  // already rejected. Returns the worker's review after the decision.
  Result<ReviewView> DecideReview(const Principal& caller, int64_t project_id,
                                  std::string_view annotator, ReviewDecision decision);
  // An export stream of the project (owner/admin): every task with consensus, confidence and
  // answers under pseudonymous annotator ids.
  Result<std::unique_ptr<ExportStream>> ExportProject(const Principal& caller, int64_t project_id,
                                                      io::ExportFormat format);
  // The pseudonym of a user in a project: "a-" + first 12 hex of
  // HMAC-SHA256(secret, "<project_id>:<user_id>").
  std::string Pseudonym(int64_t project_id, int64_t user_id) const;

  // --- Background jobs (call periodically, e.g. every minute, from one thread) ----------------
  // Full re-inference of one project: Dawid-Skene over all answers (gold clamped) for single
  // choice, robust aggregation for numeric; refreshes the WorkerSkill rows and the consensus of
  // open tasks. Synchronous (waits for its commit).
  Status ReinferProject(int64_t project_id);
  // Re-infers every project that got answers since its last run; marks expired leases
  // "expired" in the store. Returns the first error but keeps going.
  Status RunMaintenance();

  // Store write statistics (answers per commit), for logs and benchmarks.
  store::WriteStats write_stats() const;

  class Impl;

 private:
  explicit Platform(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// --- JSON forms of docs/api.md (times as RFC 3339 UTC) ----------------------------------------
std::string FormatRfc3339(int64_t unix_ms);
// `user`: {id, email, display_name, roles, level, xp, referral_code, created_at}.
nlohmann::json UserJson(const store::User& user);
// `token`: {id, kind, name?, scopes?, created_at, last_used_at, expires_at?, current}, where
// `current` marks the token of `caller`'s request.
nlohmann::json TokenJson(const store::Token& token, const Principal& caller);
// `project`: project_input + {id, owner_id, status, created_at}.
nlohmann::json ProjectJson(const store::Project& project);
// `task_admin`: {id, data, gold?, state, consensus, confidence, created_at, retired_at?}.
nlohmann::json TaskAdminJson(const store::Task& task);
// {assignment: {id, expires_at}, task: {id, data}, project: {id, title, instructions, question}}.
nlohmann::json LeasedTaskJson(const LeasedTask& leased);
// `stats` of docs/api.md.
nlohmann::json ProjectStatsJson(const ProjectStats& stats);
// `review`: {annotator, state, reason, fast_answers, spam_score, held_answers, created_at,
// decided_at?}.
nlohmann::json ReviewJson(const ReviewView& review);

}  // namespace tinydata::service
