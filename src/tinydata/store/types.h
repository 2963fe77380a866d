// The rows the platform stores. Plain values: the store knows their shape but no policy (what a
// valid question is, when a task retires) - that lives in quality/, sched/ and service/.
//
// Times are Unix milliseconds (UTC). JSON-valued columns (task data, answer values, the question
// spec) are kept as serialized JSON text, so the store never parses them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tinydata::store {

// Role bits of User::roles.
enum Role : uint32_t {
  kRoleAnnotator = 1u << 0,
  kRoleRequester = 1u << 1,
  kRoleVerifier = 1u << 2,
  kRoleAdmin = 1u << 3,
};

struct User {
  int64_t id = 0;
  std::string email;          // lower-cased, unique
  std::string password_hash;  // libsodium crypto_pwhash_str (Argon2id) string
  std::string display_name;
  uint32_t roles = kRoleAnnotator;
  int32_t level = 1;
  int64_t xp = 0;
  std::string referral_code;  // unique
  int64_t created_at_ms = 0;
};

enum class TokenKind : uint8_t {
  kSession,  // from signing in; expires when idle or old (service decides how long)
  kApi,      // a personal API token for scripts: limited scopes, its own expiry
};

// A bearer token, stored only as the SHA-256 of the token the client holds.
struct Token {
  std::string token_hash;  // 32 raw bytes
  int64_t user_id = 0;
  int64_t created_at_ms = 0;
  TokenKind kind = TokenKind::kSession;
  std::string public_id = {};  // names the token to its owner (listing, revoking); no secret
  std::string name = {};       // the owner's label of an API token
  uint32_t scopes = 0;    // what an API token may do (service decides the bits)
  int64_t last_used_at_ms = 0;
  int64_t expires_at_ms = 0;  // API tokens: when they stop working; 0 for sessions
};

// A token with its owner, as an authentication reads them.
struct TokenOwner {
  Token token;
  User user;
};

struct Project {
  int64_t id = 0;
  int64_t owner_id = 0;
  std::string title;
  std::string instructions;
  std::string question_json;  // the validated question spec
  std::string domain = "general";
  int32_t tier = 1;
  int32_t min_level = 1;
  int32_t min_answers = 3;
  int32_t max_answers = 5;
  double target_confidence = 0.9;
  int64_t reward_aia = 0;
  double gold_rate = 0.0;
  // A retired item whose consensus is at least this confident joins the gold pool (0: never).
  double gold_promotion_confidence = 0.98;
  std::string status = "active";  // "active" | "paused"
  int64_t created_at_ms = 0;
};

// Where a task's gold answer comes from. Gold items of every source but training form the
// project's gold pool, the control questions that score annotators.
enum class GoldSource : uint8_t {
  kNone,       // a data item without gold
  kImported,   // the requester's control question
  kTraining,   // a training item: its answer and explanation are shown after answering, and it
               // scores nobody
  kConsensus,  // a retired data item promoted into the gold pool for its confident consensus
};

struct Task {
  int64_t id = 0;
  int64_t project_id = 0;
  std::string data_json;
  std::optional<std::string> gold_json;  // set for gold items; never shown to annotators
  GoldSource gold_source = GoldSource::kNone;
  std::string explanation = {};          // training items: why the gold answer is right
  std::string state = "open";            // "open" | "retired"
  std::string consensus_json;            // empty until there is a consensus
  double confidence = 0.0;
  int64_t created_at_ms = 0;
  int64_t retired_at_ms = 0;             // 0 while open
};

struct Assignment {
  int64_t id = 0;
  int64_t task_id = 0;
  int64_t user_id = 0;
  int64_t project_id = 0;
  int64_t issued_at_ms = 0;
  int64_t expires_at_ms = 0;
  std::string state = "leased";  // "leased" | "answered" | "expired"
};

// Whether an answer counts. A worker whose answers look like spam (far faster than the project's
// typical time, a high spam score) has them held for review: held answers count towards no
// consensus and are paid nothing until a reviewer releases them (then they are judged and paid
// like late answers, still counting towards no consensus) or rejects them.
enum class AnswerReview : uint8_t { kCounted, kHeld, kReleased, kRejected };

struct Answer {
  int64_t id = 0;
  int64_t assignment_id = 0;
  int64_t task_id = 0;
  int64_t user_id = 0;
  int64_t project_id = 0;
  std::string value_json;
  int64_t duration_ms = 0;
  std::string idempotency_key;    // empty when the client sent none
  std::string verdict = "pending";  // "pending" | "accepted" | "rejected"
  std::string response_json;      // the body acknowledged to the client, replayed on retries
  int64_t created_at_ms = 0;
  AnswerReview review = AnswerReview::kCounted;
};

enum class ReviewState : uint8_t { kHeld, kReleased, kRejected };

// A worker's answers in one project under review (AnswerReview).
struct WorkerReview {
  int64_t project_id = 0;
  int64_t user_id = 0;
  ReviewState state = ReviewState::kHeld;
  std::string reason = {};  // why it was held, for the reviewer
  int64_t fast_answers = 0;  // answers far faster than the project's typical time
  double spam_score = 0.0;   // of the last re-inference that held it (0: none)
  int64_t created_at_ms = 0;
  int64_t decided_at_ms = 0;  // 0 while held
  int64_t decided_by = 0;     // the reviewer's user id
};

// A worker's skill in one project, refreshed by the periodic re-inference and by gold checks.
struct WorkerSkill {
  int64_t user_id = 0;
  int64_t project_id = 0;
  double accuracy = 0.0;
  int64_t gold_seen = 0;
  int64_t gold_correct = 0;
  std::string model_json;  // method-specific detail (confusion matrix, reliability)
  int64_t updated_at_ms = 0;
};

// The column text of each enum value ("" for the defaults kNone and kCounted) and back; an
// unknown text reads as the default (the CHECK constraints admit no other).
const char* GoldSourceName(GoldSource source);
GoldSource GoldSourceFromName(std::string_view name);
const char* AnswerReviewName(AnswerReview review);
AnswerReview AnswerReviewFromName(std::string_view name);
const char* ReviewStateName(ReviewState state);
ReviewState ReviewStateFromName(std::string_view name);

}  // namespace tinydata::store
