#include "tinydata/store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string_view>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tinydata/store/group_commit.h"
#include "tinydata/store/migrations.h"
#include "tinydata/store/sqlite_ledger.h"
#include "tinydata/store/sqlite_status.h"

namespace tinydata::store {
namespace {

// A prepared statement owned by a Connection's cache; Reset() returns it to a clean state.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void Bind(int i, int v) { sqlite3_bind_int64(stmt_, i, v); }
  void Bind(int i, uint32_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void Bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }

  // True while rows remain; an error ends the iteration and is kept in status().
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) status_ = SqliteError(db_, "sqlite step");
    return false;
  }
  // Runs a statement that returns no rows.
  Status Exec() {
    while (Step()) {
    }
    return status_;
  }
  const Status& status() const { return status_; }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }

  std::string Blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }

  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    status_ = Status::Ok();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status status_;
};

// One sqlite3 connection and its prepared statements, used by one thread at a time.
class Connection {
 public:
  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close_v2(db_);
  }

  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only) {
    auto conn = std::unique_ptr<Connection>(new Connection());
    const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &conn->db_, flags, nullptr) != SQLITE_OK) {
      std::string message = "cannot open database " + path + ": " +
                            (conn->db_ ? sqlite3_errmsg(conn->db_) : "out of memory");
      return Status::Unavailable(std::move(message));
    }
    sqlite3_busy_timeout(conn->db_, 5000);
    sqlite3_extended_result_codes(conn->db_, 1);
    return conn;
  }

  sqlite3* db() const { return db_; }

  Status ExecScript(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      Status status = SqliteError(db_, "sqlite exec");
      if (err) {
        status = Status(status.code(), std::string("sqlite exec: ") + err);
        sqlite3_free(err);
      }
      return status;
    }
    return Status::Ok();
  }

  // The cached statement for `sql` (a string literal: the cache keys on its address), reset.
  Result<Stmt> Prepare(const char* sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
          SQLITE_OK) {
        return SqliteError(db_, std::string("sqlite prepare: ") + sql);
      }
      it = cache_.emplace(sql, stmt).first;
    }
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return Stmt(db_, it->second);
  }

 private:
  Connection() = default;
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// Reads a row of id, email, password_hash, display_name, roles, level, xp, referral_code,
// created_at_ms.
User ReadUser(const Stmt& s) {
  User u;
  u.id = s.Int(0);
  u.email = s.Text(1);
  u.password_hash = s.Text(2);
  u.display_name = s.Text(3);
  u.roles = static_cast<uint32_t>(s.Int(4));
  u.level = static_cast<int32_t>(s.Int(5));
  u.xp = s.Int(6);
  u.referral_code = s.Text(7);
  u.created_at_ms = s.Int(8);
  return u;
}

TokenKind TokenKindOf(std::string_view text) {
  return text == "api" ? TokenKind::kApi : TokenKind::kSession;
}
const char* TokenKindName(TokenKind kind) { return kind == TokenKind::kApi ? "api" : "session"; }

// The token columns of kTokenColumns, from column `c` on.
Token ReadToken(const Stmt& s, int c = 0) {
  Token t;
  t.token_hash = s.Blob(c + 0);
  t.user_id = s.Int(c + 1);
  t.created_at_ms = s.Int(c + 2);
  t.kind = TokenKindOf(s.Text(c + 3));
  t.public_id = s.Text(c + 4);
  t.name = s.Text(c + 5);
  t.scopes = static_cast<uint32_t>(s.Int(c + 6));
  t.last_used_at_ms = s.Int(c + 7);
  t.expires_at_ms = s.Int(c + 8);
  return t;
}

Project ReadProject(const Stmt& s) {
  Project p;
  p.id = s.Int(0);
  p.owner_id = s.Int(1);
  p.title = s.Text(2);
  p.instructions = s.Text(3);
  p.question_json = s.Text(4);
  p.domain = s.Text(5);
  p.tier = static_cast<int32_t>(s.Int(6));
  p.min_level = static_cast<int32_t>(s.Int(7));
  p.min_answers = static_cast<int32_t>(s.Int(8));
  p.max_answers = static_cast<int32_t>(s.Int(9));
  p.target_confidence = s.Double(10);
  p.reward_aia = s.Int(11);
  p.gold_rate = s.Double(12);
  p.status = s.Text(13);
  p.created_at_ms = s.Int(14);
  p.gold_promotion_confidence = s.Double(15);
  return p;
}

Task ReadTask(const Stmt& s) {
  Task t;
  t.id = s.Int(0);
  t.project_id = s.Int(1);
  t.data_json = s.Text(2);
  if (!s.IsNull(3)) t.gold_json = s.Text(3);
  t.state = s.Text(4);
  t.consensus_json = s.Text(5);
  t.confidence = s.Double(6);
  t.created_at_ms = s.Int(7);
  t.retired_at_ms = s.Int(8);
  t.gold_source = GoldSourceFromName(s.Text(9));
  t.explanation = s.Text(10);
  return t;
}

Answer ReadAnswer(const Stmt& s) {
  Answer a;
  a.id = s.Int(0);
  a.assignment_id = s.Int(1);
  a.task_id = s.Int(2);
  a.user_id = s.Int(3);
  a.project_id = s.Int(4);
  a.value_json = s.Text(5);
  a.duration_ms = s.Int(6);
  a.idempotency_key = s.Text(7);
  a.verdict = s.Text(8);
  a.response_json = s.Text(9);
  a.created_at_ms = s.Int(10);
  a.review = AnswerReviewFromName(s.Text(11));
  return a;
}

WorkerReview ReadWorkerReview(const Stmt& s) {
  WorkerReview r;
  r.project_id = s.Int(0);
  r.user_id = s.Int(1);
  r.state = ReviewStateFromName(s.Text(2));
  r.reason = s.Text(3);
  r.fast_answers = s.Int(4);
  r.spam_score = s.Double(5);
  r.created_at_ms = s.Int(6);
  r.decided_at_ms = s.Int(7);
  r.decided_by = s.Int(8);
  return r;
}

constexpr const char* kSelectUserById =
    "SELECT id, email, password_hash, display_name, roles, level, xp, referral_code, "
    "created_at_ms FROM users WHERE id = ?1";
constexpr const char* kSelectUserByEmail =
    "SELECT id, email, password_hash, display_name, roles, level, xp, referral_code, "
    "created_at_ms FROM users WHERE email = ?1";
constexpr const char* kSelectToken =
    "SELECT u.id, u.email, u.password_hash, u.display_name, u.roles, u.level, u.xp, "
    "u.referral_code, u.created_at_ms, t.token_hash, t.user_id, t.created_at_ms, t.kind, "
    "t.public_id, t.name, t.scopes, t.last_used_at_ms, t.expires_at_ms "
    "FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?1";
constexpr const char* kSelectTokensOfUser =
    "SELECT token_hash, user_id, created_at_ms, kind, public_id, name, scopes, last_used_at_ms, "
    "expires_at_ms FROM tokens WHERE user_id = ?1 ORDER BY created_at_ms, public_id";
constexpr const char* kProjectColumns =
    "SELECT id, owner_id, title, instructions, question_json, domain, tier, min_level, "
    "min_answers, max_answers, target_confidence, reward_aia, gold_rate, status, created_at_ms, "
    "gold_promotion_confidence FROM projects ORDER BY id";
constexpr const char* kSelectProject =
    "SELECT id, owner_id, title, instructions, question_json, domain, tier, min_level, "
    "min_answers, max_answers, target_confidence, reward_aia, gold_rate, status, created_at_ms, "
    "gold_promotion_confidence FROM projects WHERE id = ?1";
constexpr const char* kSelectTasks =
    "SELECT id, project_id, data_json, gold_json, state, consensus_json, confidence, "
    "created_at_ms, retired_at_ms, gold_source, explanation FROM tasks WHERE project_id = ?1 "
    "ORDER BY id";
constexpr const char* kSelectTaskPage =
    "SELECT id, project_id, data_json, gold_json, state, consensus_json, confidence, "
    "created_at_ms, retired_at_ms, gold_source, explanation FROM tasks WHERE project_id = ?1 "
    "AND id > ?2 AND (?3 = '' OR state = ?3) ORDER BY id LIMIT ?4";
constexpr const char* kSelectAssignments =
    "SELECT id, task_id, user_id, project_id, issued_at_ms, expires_at_ms, state "
    "FROM assignments WHERE project_id = ?1 ORDER BY id";
constexpr const char* kSelectAnswers =
    "SELECT id, assignment_id, task_id, user_id, project_id, value_json, duration_ms, "
    "idempotency_key, verdict, response_json, created_at_ms, review FROM answers "
    "WHERE project_id = ?1 ORDER BY id";
constexpr const char* kSelectAnswersOfTasks =
    "SELECT id, assignment_id, task_id, user_id, project_id, value_json, duration_ms, "
    "idempotency_key, verdict, response_json, created_at_ms, review FROM answers "
    "WHERE project_id = ?1 AND task_id BETWEEN ?2 AND ?3 ORDER BY task_id, id";
constexpr const char* kSelectWorkerReviews =
    "SELECT project_id, user_id, state, reason, fast_answers, spam_score, created_at_ms, "
    "decided_at_ms, decided_by FROM worker_reviews WHERE project_id = ?1 ORDER BY user_id";
constexpr const char* kSelectSkills =
    "SELECT user_id, project_id, accuracy, gold_seen, gold_correct, model_json, updated_at_ms "
    "FROM worker_skills WHERE project_id = ?1";

constexpr const char* kInsertUser =
    "INSERT INTO users (id, email, password_hash, display_name, roles, level, xp, "
    "referral_code, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kUpdateUserProgress = "UPDATE users SET level = ?2, xp = ?3 WHERE id = ?1";
constexpr const char* kInsertToken =
    "INSERT INTO tokens (token_hash, user_id, created_at_ms, kind, public_id, name, scopes, "
    "last_used_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kDeleteToken = "DELETE FROM tokens WHERE token_hash = ?1";
constexpr const char* kDeleteUserTokens = "DELETE FROM tokens WHERE user_id = ?1";
constexpr const char* kTouchToken =
    "UPDATE tokens SET last_used_at_ms = max(last_used_at_ms, ?2) WHERE token_hash = ?1";
constexpr const char* kUpsertProject =
    "INSERT INTO projects (id, owner_id, title, instructions, question_json, domain, tier, "
    "min_level, min_answers, max_answers, target_confidence, reward_aia, gold_rate, status, "
    "created_at_ms, gold_promotion_confidence) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
    "ON CONFLICT (id) DO UPDATE SET title = excluded.title, instructions = excluded.instructions, "
    "question_json = excluded.question_json, domain = excluded.domain, tier = excluded.tier, "
    "min_level = excluded.min_level, min_answers = excluded.min_answers, "
    "max_answers = excluded.max_answers, target_confidence = excluded.target_confidence, "
    "reward_aia = excluded.reward_aia, gold_rate = excluded.gold_rate, status = excluded.status, "
    "gold_promotion_confidence = excluded.gold_promotion_confidence";
constexpr const char* kInsertTask =
    "INSERT INTO tasks (id, project_id, data_json, gold_json, state, consensus_json, confidence, "
    "created_at_ms, retired_at_ms, gold_source, explanation) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
constexpr const char* kInsertAssignment =
    "INSERT INTO assignments (id, task_id, user_id, project_id, issued_at_ms, expires_at_ms, "
    "state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kInsertAnswer =
    "INSERT INTO answers (id, assignment_id, task_id, user_id, project_id, value_json, "
    "duration_ms, idempotency_key, verdict, response_json, created_at_ms, review) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
constexpr const char* kUpdateAnswerReview =
    "UPDATE answers SET review = ?2, verdict = ?3 WHERE id = ?1";
constexpr const char* kHoldOpenAnswers =
    "UPDATE answers SET review = 'held' WHERE project_id = ?1 AND user_id = ?2 AND review = '' "
    "AND task_id IN (SELECT id FROM tasks WHERE project_id = ?1 AND state = 'open' "
    "AND gold_json IS NULL)";
constexpr const char* kPromoteGold =
    "UPDATE tasks SET gold_json = ?2, gold_source = 'consensus' WHERE id = ?1 AND gold_json IS NULL";
constexpr const char* kUpsertWorkerReview =
    "INSERT INTO worker_reviews (project_id, user_id, state, reason, fast_answers, spam_score, "
    "created_at_ms, decided_at_ms, decided_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
    "ON CONFLICT (project_id, user_id) DO UPDATE SET "
    "state = CASE WHEN worker_reviews.state = 'rejected' THEN 'rejected' ELSE excluded.state END, "
    "reason = excluded.reason, fast_answers = worker_reviews.fast_answers + excluded.fast_answers, "
    "spam_score = excluded.spam_score, decided_at_ms = excluded.decided_at_ms, "
    "decided_by = excluded.decided_by";
constexpr const char* kUpdateTask =
    "UPDATE tasks SET state = ?2, consensus_json = ?3, confidence = ?4, retired_at_ms = ?5 "
    "WHERE id = ?1";
constexpr const char* kUpdateAssignment = "UPDATE assignments SET state = ?2 WHERE id = ?1";
constexpr const char* kUpdateVerdict = "UPDATE answers SET verdict = ?2 WHERE id = ?1";
constexpr const char* kUpsertSkill =
    "INSERT INTO worker_skills (user_id, project_id, accuracy, gold_seen, gold_correct, "
    "model_json, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (user_id, project_id) DO UPDATE SET accuracy = excluded.accuracy, "
    "gold_seen = excluded.gold_seen, gold_correct = excluded.gold_correct, "
    "model_json = excluded.model_json, updated_at_ms = excluded.updated_at_ms";
constexpr const char* kUpsertSkillModel =
    "INSERT INTO worker_skills (user_id, project_id, accuracy, gold_seen, gold_correct, "
    "model_json, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (user_id, project_id) DO UPDATE SET accuracy = excluded.accuracy, "
    "model_json = excluded.model_json, updated_at_ms = excluded.updated_at_ms";
constexpr const char* kUpsertSetting =
    "INSERT INTO settings (key, value) VALUES (?1, ?2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
constexpr const char* kSelectSetting = "SELECT value FROM settings WHERE key = ?1";
constexpr const char* kInsertSetting =
    "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING";
constexpr const char* kUpsertInference =
    "INSERT INTO project_inference (project_id, answers, skills_version, inferred_at_ms) "
    "VALUES (?1, ?2, 1, ?3) ON CONFLICT (project_id) DO UPDATE SET answers = excluded.answers, "
    "inferred_at_ms = excluded.inferred_at_ms, skills_version = skills_version + 1";
constexpr const char* kUpdateInferenceTiming =
    "UPDATE project_inference SET typical_answer_ms = ?2, timed_answers = ?3 WHERE project_id = ?1";

// Runs `stmt` once and fails unless it changed exactly one row (an update of a missing row is a
// bug in the caller's in-memory state, not something to ignore).
Status ExecOne(Connection& conn, Stmt& stmt, std::string_view what) {
  TD_RETURN_IF_ERROR(stmt.Exec());
  if (sqlite3_changes(conn.db()) != 1) {
    return Status::NotFound(std::string(what) + ": no such row");
  }
  return Status::Ok();
}

void BindSkill(Stmt& s, const WorkerSkill& w) {
  s.Bind(1, w.user_id);
  s.Bind(2, w.project_id);
  s.Bind(3, w.accuracy);
  s.Bind(4, w.gold_seen);
  s.Bind(5, w.gold_correct);
  s.Bind(6, w.model_json);
  s.Bind(7, w.updated_at_ms);
}

Status ApplyBatch(Connection& c, const WriteBatch& b) {
  for (const User& u : b.insert_users) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kInsertUser));
    s.Bind(1, u.id);
    s.Bind(2, u.email);
    s.Bind(3, u.password_hash);
    s.Bind(4, u.display_name);
    s.Bind(5, u.roles);
    s.Bind(6, u.level);
    s.Bind(7, u.xp);
    s.Bind(8, u.referral_code);
    s.Bind(9, u.created_at_ms);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const UserProgressUpdate& u : b.update_user_progress) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kUpdateUserProgress));
    s.Bind(1, u.user_id);
    s.Bind(2, u.level);
    s.Bind(3, u.xp);
    TD_RETURN_IF_ERROR(ExecOne(c, s, "update user"));
  }
  for (const Token& t : b.insert_tokens) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kInsertToken));
    s.BindBlob(1, t.token_hash);
    s.Bind(2, t.user_id);
    s.Bind(3, t.created_at_ms);
    s.Bind(4, std::string_view(TokenKindName(t.kind)));
    s.Bind(5, t.public_id);
    s.Bind(6, t.name);
    s.Bind(7, t.scopes);
    s.Bind(8, t.last_used_at_ms);
    s.Bind(9, t.expires_at_ms);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const Project& p : b.upsert_projects) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kUpsertProject));
    s.Bind(1, p.id);
    s.Bind(2, p.owner_id);
    s.Bind(3, p.title);
    s.Bind(4, p.instructions);
    s.Bind(5, p.question_json);
    s.Bind(6, p.domain);
    s.Bind(7, p.tier);
    s.Bind(8, p.min_level);
    s.Bind(9, p.min_answers);
    s.Bind(10, p.max_answers);
    s.Bind(11, p.target_confidence);
    s.Bind(12, p.reward_aia);
    s.Bind(13, p.gold_rate);
    s.Bind(14, p.status);
    s.Bind(15, p.created_at_ms);
    s.Bind(16, p.gold_promotion_confidence);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const Task& t : b.insert_tasks) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kInsertTask));
    s.Bind(1, t.id);
    s.Bind(2, t.project_id);
    s.Bind(3, t.data_json);
    if (t.gold_json) {
      s.Bind(4, *t.gold_json);
    } else {
      s.BindNull(4);
    }
    s.Bind(5, t.state);
    s.Bind(6, t.consensus_json);
    s.Bind(7, t.confidence);
    s.Bind(8, t.created_at_ms);
    s.Bind(9, t.retired_at_ms);
    s.Bind(10, std::string_view(GoldSourceName(t.gold_source)));
    s.Bind(11, t.explanation);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const Assignment& a : b.insert_assignments) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kInsertAssignment));
    s.Bind(1, a.id);
    s.Bind(2, a.task_id);
    s.Bind(3, a.user_id);
    s.Bind(4, a.project_id);
    s.Bind(5, a.issued_at_ms);
    s.Bind(6, a.expires_at_ms);
    s.Bind(7, a.state);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const Answer& a : b.insert_answers) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kInsertAnswer));
    s.Bind(1, a.id);
    s.Bind(2, a.assignment_id);
    s.Bind(3, a.task_id);
    s.Bind(4, a.user_id);
    s.Bind(5, a.project_id);
    s.Bind(6, a.value_json);
    s.Bind(7, a.duration_ms);
    s.Bind(8, a.idempotency_key);
    s.Bind(9, a.verdict);
    s.Bind(10, a.response_json);
    s.Bind(11, a.created_at_ms);
    s.Bind(12, std::string_view(AnswerReviewName(a.review)));
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const TaskUpdate& t : b.update_tasks) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kUpdateTask));
    s.Bind(1, t.task_id);
    s.Bind(2, t.state);
    s.Bind(3, t.consensus_json);
    s.Bind(4, t.confidence);
    s.Bind(5, t.retired_at_ms);
    TD_RETURN_IF_ERROR(ExecOne(c, s, "update task"));
  }
  for (const AssignmentStateUpdate& a : b.update_assignments) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kUpdateAssignment));
    s.Bind(1, a.assignment_id);
    s.Bind(2, a.state);
    TD_RETURN_IF_ERROR(ExecOne(c, s, "update assignment"));
  }
  for (const VerdictUpdate& v : b.update_verdicts) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kUpdateVerdict));
    s.Bind(1, v.answer_id);
    s.Bind(2, v.verdict);
    TD_RETURN_IF_ERROR(ExecOne(c, s, "update verdict"));
  }
  for (const AnswerReviewUpdate& r : b.update_answer_reviews) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kUpdateAnswerReview));
    s.Bind(1, r.answer_id);
    s.Bind(2, std::string_view(AnswerReviewName(r.review)));
    s.Bind(3, r.verdict);
    TD_RETURN_IF_ERROR(ExecOne(c, s, "update answer review"));
  }
  for (const GoldPromotion& g : b.promote_gold) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kPromoteGold));
    s.Bind(1, g.task_id);
    s.Bind(2, g.gold_json);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const WorkerReview& r : b.upsert_worker_reviews) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kUpsertWorkerReview));
    s.Bind(1, r.project_id);
    s.Bind(2, r.user_id);
    s.Bind(3, std::string_view(ReviewStateName(r.state)));
    s.Bind(4, r.reason);
    s.Bind(5, r.fast_answers);
    s.Bind(6, r.spam_score);
    s.Bind(7, r.created_at_ms);
    s.Bind(8, r.decided_at_ms);
    s.Bind(9, r.decided_by);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const WorkerHold& h : b.hold_open_answers) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kHoldOpenAnswers));
    s.Bind(1, h.project_id);
    s.Bind(2, h.user_id);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const WorkerSkill& w : b.upsert_skills) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kUpsertSkill));
    BindSkill(s, w);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const WorkerSkill& w : b.upsert_skill_models) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kUpsertSkillModel));
    BindSkill(s, w);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const auto& [key, value] : b.upsert_settings) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kUpsertSetting));
    s.Bind(1, key);
    s.Bind(2, value);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const auto& [key, value] : b.insert_settings) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kInsertSetting));
    s.Bind(1, key);
    s.Bind(2, value);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const std::string& hash : b.revoke_token_hashes) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kDeleteToken));
    s.BindBlob(1, hash);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (int64_t user_id : b.revoke_user_tokens) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kDeleteUserTokens));
    s.Bind(1, user_id);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const TokenTouch& t : b.touch_tokens) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kTouchToken));
    s.BindBlob(1, t.token_hash);
    s.Bind(2, t.last_used_at_ms);
    TD_RETURN_IF_ERROR(s.Exec());
  }
  for (const ProjectInferenceUpdate& u : b.upsert_inference) {
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kUpsertInference));
    s.Bind(1, u.project_id);
    s.Bind(2, u.answers);
    s.Bind(3, u.inferred_at_ms);
    TD_RETURN_IF_ERROR(s.Exec());
    TD_ASSIGN_OR_RETURN(Stmt timing, c.Prepare(kUpdateInferenceTiming));
    timing.Bind(1, u.project_id);
    timing.Bind(2, u.typical_answer_ms);
    timing.Bind(3, u.timed_answers);
    TD_RETURN_IF_ERROR(timing.Exec());
  }
  return Status::Ok();
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, StoreOptions options)
      : path_(std::move(path)), options_(std::move(options)) {}
  ~SqliteStore() override { Close(); }

  Status Open() {
    if (path_ == ":memory:" || path_.empty()) {
      return Status::InvalidArgument("an in-memory database cannot be shared by readers",
                                     "database");
    }
    if (options_.synchronous != "full" && options_.synchronous != "normal") {
      return Status::InvalidArgument("synchronous must be full or normal", "synchronous");
    }
    TD_ASSIGN_OR_RETURN(writer_, Connection::Open(path_, /*read_only=*/false));
    TD_RETURN_IF_ERROR(writer_->ExecScript("PRAGMA journal_mode = WAL"));
    TD_RETURN_IF_ERROR(writer_->ExecScript(options_.synchronous == "full"
                                               ? "PRAGMA synchronous = FULL"
                                               : "PRAGMA synchronous = NORMAL"));
    TD_RETURN_IF_ERROR(writer_->ExecScript("PRAGMA foreign_keys = ON"));
    TD_RETURN_IF_ERROR(MigrateSqlite(writer_->db()).status());
    TD_RETURN_IF_ERROR(LoadIdCounters());
    ledger_writer_ = std::make_unique<SqliteLedgerWriter>(writer_->db());
    for (int i = 0; i < std::max(1, options_.read_connections); ++i) {
      TD_ASSIGN_OR_RETURN(auto reader, Connection::Open(path_, /*read_only=*/true));
      idle_readers_.push_back(std::move(reader));
    }
    committer_ = std::make_unique<GroupCommitter>(
        [this](std::span<const WriteBatch* const> group, std::vector<Status>& outcomes) {
          CommitGroup(group, outcomes);
        },
        options_.max_batches_per_commit);
    return Status::Ok();
  }

  void Write(WriteBatch batch, WriteCallback done) override {
    if (!committer_) {
      done(Status::Unavailable("the store is closed"));
      return;
    }
    committer_->Write(std::move(batch), std::move(done));
  }

  void Flush() override {
    if (committer_) committer_->Flush();
  }

  void Close() override {
    if (committer_) committer_->Close();
    std::lock_guard<std::mutex> lock(readers_mu_);
    idle_readers_.clear();
    ledger_writer_.reset();
    writer_.reset();
  }

  WriteStats write_stats() const override { return committer_ ? committer_->stats() : WriteStats{}; }

  Result<int64_t> NextId(IdKind kind) override {
    return next_id_[static_cast<int>(kind)].fetch_add(1, std::memory_order_relaxed);
  }

  Result<std::optional<User>> FindUserById(int64_t id) override {
    return ReadOne<User>(kSelectUserById, [&](Stmt& s) { s.Bind(1, id); }, ReadUser);
  }
  Result<std::optional<User>> FindUserByEmail(std::string_view email) override {
    return ReadOne<User>(kSelectUserByEmail, [&](Stmt& s) { s.Bind(1, email); }, ReadUser);
  }
  Result<std::optional<TokenOwner>> FindToken(std::string_view hash) override {
    return ReadOne<TokenOwner>(
        kSelectToken, [&](Stmt& s) { s.BindBlob(1, hash); },
        [](const Stmt& s) { return TokenOwner{ReadToken(s, 9), ReadUser(s)}; });
  }
  Result<std::vector<Token>> ListTokens(int64_t user_id) override {
    return ReadAll<Token>(
        kSelectTokensOfUser, [&](Stmt& s) { s.Bind(1, user_id); },
        [](const Stmt& s) { return ReadToken(s); });
  }
  Result<int64_t> CountUsers() override {
    TD_ASSIGN_OR_RETURN(auto n, ReadOne<int64_t>(
                                    "SELECT COUNT(*) FROM users", [](Stmt&) {},
                                    [](const Stmt& s) { return s.Int(0); }));
    return n.value_or(0);
  }
  Result<std::optional<std::string>> GetSetting(std::string_view key) override {
    return ReadOne<std::string>(kSelectSetting, [&](Stmt& s) { s.Bind(1, key); },
                                [](const Stmt& s) { return s.Text(0); });
  }

  Result<std::optional<Project>> FindProjectById(int64_t id) override {
    return ReadOne<Project>(kSelectProject, [&](Stmt& s) { s.Bind(1, id); }, ReadProject);
  }
  Result<std::vector<Project>> LoadProjects() override {
    return ReadAll<Project>(kProjectColumns, [](Stmt&) {}, ReadProject);
  }
  Result<std::vector<Task>> LoadTasks(int64_t project_id) override {
    return ReadAll<Task>(kSelectTasks, [&](Stmt& s) { s.Bind(1, project_id); }, ReadTask);
  }
  Result<std::vector<Assignment>> LoadAssignments(int64_t project_id) override {
    return ReadAll<Assignment>(
        kSelectAssignments, [&](Stmt& s) { s.Bind(1, project_id); }, [](const Stmt& s) {
          Assignment a;
          a.id = s.Int(0);
          a.task_id = s.Int(1);
          a.user_id = s.Int(2);
          a.project_id = s.Int(3);
          a.issued_at_ms = s.Int(4);
          a.expires_at_ms = s.Int(5);
          a.state = s.Text(6);
          return a;
        });
  }
  Result<std::vector<Answer>> LoadAnswers(int64_t project_id) override {
    return ReadAll<Answer>(kSelectAnswers, [&](Stmt& s) { s.Bind(1, project_id); }, ReadAnswer);
  }
  Result<std::vector<std::pair<int64_t, int64_t>>> HeldAnswerCounts(int64_t project_id) override {
    return ReadAll<std::pair<int64_t, int64_t>>(
        "SELECT user_id, count(*) FROM answers WHERE project_id = ?1 AND review = 'held' "
        "GROUP BY user_id ORDER BY user_id",
        [&](Stmt& s) { s.Bind(1, project_id); },
        [](const Stmt& s) { return std::pair<int64_t, int64_t>(s.Int(0), s.Int(1)); });
  }
  Result<std::vector<WorkerReview>> LoadWorkerReviews(int64_t project_id) override {
    return ReadAll<WorkerReview>(
        kSelectWorkerReviews, [&](Stmt& s) { s.Bind(1, project_id); }, ReadWorkerReview);
  }
  Result<std::vector<WorkerSkill>> LoadSkills(int64_t project_id) override {
    return ReadAll<WorkerSkill>(
        kSelectSkills, [&](Stmt& s) { s.Bind(1, project_id); }, [](const Stmt& s) {
          WorkerSkill w;
          w.user_id = s.Int(0);
          w.project_id = s.Int(1);
          w.accuracy = s.Double(2);
          w.gold_seen = s.Int(3);
          w.gold_correct = s.Int(4);
          w.model_json = s.Text(5);
          w.updated_at_ms = s.Int(6);
          return w;
        });
  }
  Result<std::vector<User>> LoadUsers(const std::vector<int64_t>& ids) override {
    std::vector<User> users;
    Lease lease(*this);
    for (int64_t id : ids) {
      TD_ASSIGN_OR_RETURN(Stmt s, lease->Prepare(kSelectUserById));
      s.Bind(1, id);
      if (s.Step()) users.push_back(ReadUser(s));
      TD_RETURN_IF_ERROR(s.status());
      s.Reset();
    }
    return users;
  }

  LedgerReader& ledger() override { return ledger_reader_; }

  Result<std::unique_ptr<LedgerReader>> SnapshotLedger() override {
    // A read transaction on a connection of its own: in WAL mode it sees one snapshot, taken at
    // its first read, until the connection closes with the reader.
    TD_ASSIGN_OR_RETURN(std::unique_ptr<Connection> owned, Connection::Open(path_, true));
    TD_RETURN_IF_ERROR(owned->ExecScript("BEGIN"));
    std::shared_ptr<Connection> conn = std::move(owned);
    return std::unique_ptr<LedgerReader>(
        new SqliteLedgerReader([conn](const std::function<Status(sqlite3*)>& read) {
          return read(conn->db());
        }));
  }

  bool shared() const override { return false; }
  Result<std::unique_ptr<Transaction>> Begin() override {
    return Status::FailedPrecondition(
        "a SQLite database has one server, which decides from memory and writes through Write");
  }
  Result<bool> HoldJobLease(std::string_view) override { return true; }

  Result<std::vector<ExportTask>> ReadTaskPage(int64_t project_id, int64_t after_task_id,
                                               int limit, std::string_view state) override {
    Lease lease(*this);
    // One read transaction, so the tasks and their answers are a consistent snapshot.
    TD_RETURN_IF_ERROR(lease->ExecScript("BEGIN"));
    auto page = ReadTaskPageLocked(*lease, project_id, after_task_id, limit, state);
    (void)lease->ExecScript("COMMIT");
    return page;
  }

 private:
  // Borrows an idle read connection for the lifetime of the object.
  class Lease {
   public:
    explicit Lease(SqliteStore& store) : store_(store) {
      std::unique_lock<std::mutex> lock(store_.readers_mu_);
      store_.readers_cv_.wait(lock, [&] { return !store_.idle_readers_.empty(); });
      conn_ = std::move(store_.idle_readers_.back());
      store_.idle_readers_.pop_back();
    }
    ~Lease() {
      std::lock_guard<std::mutex> lock(store_.readers_mu_);
      store_.idle_readers_.push_back(std::move(conn_));
      store_.readers_cv_.notify_one();
    }
    Connection* operator->() { return conn_.get(); }
    Connection& operator*() { return *conn_; }

   private:
    SqliteStore& store_;
    std::unique_ptr<Connection> conn_;
  };

  template <typename T, typename BindFn, typename ReadFn>
  Result<std::optional<T>> ReadOne(const char* sql, BindFn bind, ReadFn read) {
    Lease lease(*this);
    TD_ASSIGN_OR_RETURN(Stmt s, lease->Prepare(sql));
    bind(s);
    std::optional<T> out;
    if (s.Step()) out = read(s);
    Status status = s.status();
    s.Reset();
    if (!status.ok()) return status;
    return out;
  }

  template <typename T, typename BindFn, typename ReadFn>
  Result<std::vector<T>> ReadAll(const char* sql, BindFn bind, ReadFn read) {
    Lease lease(*this);
    TD_ASSIGN_OR_RETURN(Stmt s, lease->Prepare(sql));
    bind(s);
    std::vector<T> out;
    while (s.Step()) out.push_back(read(s));
    Status status = s.status();
    s.Reset();
    if (!status.ok()) return status;
    return out;
  }

  Result<std::vector<ExportTask>> ReadTaskPageLocked(Connection& c, int64_t project_id,
                                                     int64_t after_task_id, int limit,
                                                     std::string_view state) {
    std::vector<ExportTask> page;
    {
      TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kSelectTaskPage));
      s.Bind(1, project_id);
      s.Bind(2, after_task_id);
      s.Bind(3, state);
      s.Bind(4, limit);
      while (s.Step()) page.push_back(ExportTask{ReadTask(s), {}});
      Status status = s.status();
      s.Reset();
      TD_RETURN_IF_ERROR(status);
    }
    if (page.empty()) return page;
    TD_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kSelectAnswersOfTasks));
    s.Bind(1, project_id);
    s.Bind(2, page.front().task.id);
    s.Bind(3, page.back().task.id);
    size_t i = 0;
    while (s.Step()) {
      Answer a = ReadAnswer(s);
      while (i < page.size() && page[i].task.id < a.task_id) ++i;
      if (i < page.size() && page[i].task.id == a.task_id) page[i].answers.push_back(std::move(a));
    }
    Status status = s.status();
    s.Reset();
    TD_RETURN_IF_ERROR(status);
    return page;
  }

  Status LoadIdCounters() {
    static constexpr const char* kMaxIds[] = {
        "SELECT COALESCE(MAX(id), 0) FROM users", "SELECT COALESCE(MAX(id), 0) FROM projects",
        "SELECT COALESCE(MAX(id), 0) FROM tasks", "SELECT COALESCE(MAX(id), 0) FROM assignments",
        "SELECT COALESCE(MAX(id), 0) FROM answers"};
    for (int i = 0; i < 5; ++i) {
      TD_ASSIGN_OR_RETURN(Stmt s, writer_->Prepare(kMaxIds[i]));
      int64_t max_id = 0;
      if (s.Step()) max_id = s.Int(0);
      TD_RETURN_IF_ERROR(s.status());
      s.Reset();
      next_id_[i].store(max_id + 1);
    }
    return Status::Ok();
  }

  // GroupCommitter::CommitFn on the write connection: one IMMEDIATE transaction, a savepoint
  // per batch.
  void CommitGroup(std::span<const WriteBatch* const> group, std::vector<Status>& outcomes) {
    Connection& c = *writer_;
    Status begin = c.ExecScript("BEGIN IMMEDIATE");
    if (!begin.ok()) {
      for (auto& o : outcomes) o = begin;
      return;
    }
    for (size_t i = 0; i < group.size(); ++i) {
      const WriteBatch& batch = *group[i];
      if (batch.empty()) continue;
      // A savepoint per batch: a constraint violation undoes only that batch.
      Status status = c.ExecScript("SAVEPOINT batch");
      if (status.ok()) status = ApplyBatch(c, batch);
      if (status.ok() && !batch.ledger.empty()) status = ledger_writer_->Apply(batch.ledger);
      if (status.ok()) {
        status = c.ExecScript("RELEASE batch");
      } else {
        (void)c.ExecScript("ROLLBACK TO batch");
        (void)c.ExecScript("RELEASE batch");
      }
      outcomes[i] = status;
    }
    Status commit = c.ExecScript("COMMIT");
    if (!commit.ok()) {
      (void)c.ExecScript("ROLLBACK");
      for (auto& o : outcomes) {
        if (o.ok()) o = commit;
      }
    }
  }

  const std::string path_;
  const StoreOptions options_;
  std::unique_ptr<Connection> writer_;
  std::unique_ptr<SqliteLedgerWriter> ledger_writer_;  // on writer_, used by the writer thread
  SqliteLedgerReader ledger_reader_{[this](const std::function<Status(sqlite3*)>& read) {
    Lease lease(*this);
    return read(lease->db());
  }};
  std::atomic<int64_t> next_id_[5] = {};

  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;

  std::unique_ptr<GroupCommitter> committer_;  // last: its thread uses everything above
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options) {
  auto store = std::make_unique<SqliteStore>(path, options);
  TD_RETURN_IF_ERROR(store->Open());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace tinydata::store
