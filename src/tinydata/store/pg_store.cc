#include "tinydata/store/pg_store.h"

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "tinydata/store/group_commit.h"
#include "tinydata/store/migrations.h"
#include "tinydata/store/pg_conn.h"
#include "tinydata/store/pg_ledger.h"

namespace tinydata::store {
namespace {

// Ids reserved per sequence call (the INCREMENT of the *_id_blocks sequences, migration 1).
constexpr int64_t kIdBlock = 64;
// A batch whose transaction PostgreSQL aborted to break a deadlock is run this often at most.
constexpr int kBatchAttempts = 3;
// In-flight tasks a lease ranks at most (Transaction::LeaseCandidates).
constexpr int kInFlightWindow = 256;

constexpr std::array<const char*, 5> kIdSequences = {
    "SELECT nextval('user_id_blocks')", "SELECT nextval('project_id_blocks')",
    "SELECT nextval('task_id_blocks')", "SELECT nextval('assignment_id_blocks')",
    "SELECT nextval('answer_id_blocks')"};

constexpr const char* kUserColumns =
    "id, email, password_hash, display_name, roles, level, xp, referral_code, created_at_ms";
constexpr const char* kTokenColumns =
    "token_hash, user_id, created_at_ms, kind, public_id, name, scopes, last_used_at_ms, "
    "expires_at_ms";
constexpr const char* kProjectColumns =
    "id, owner_id, title, instructions, question_json, domain, tier, min_level, min_answers, "
    "max_answers, target_confidence, reward_aia, gold_rate, status, created_at_ms, "
    "gold_promotion_confidence";
constexpr const char* kTaskColumns =
    "id, project_id, data_json, gold_json, state, consensus_json, confidence, created_at_ms, "
    "retired_at_ms, gold_source, explanation";
constexpr int kTaskColumnCount = 11;  // ReadTask reads columns 0 to 10
constexpr const char* kWorkerReviewColumns =
    "project_id, user_id, state, reason, fast_answers, spam_score, created_at_ms, decided_at_ms, "
    "decided_by";
constexpr const char* kAssignmentColumns =
    "id, task_id, user_id, project_id, issued_at_ms, expires_at_ms, state";
constexpr const char* kAnswerColumns =
    "id, assignment_id, task_id, user_id, project_id, value_json, duration_ms, idempotency_key, "
    "verdict, response_json, created_at_ms, review";
constexpr const char* kSkillColumns =
    "user_id, project_id, accuracy, gold_seen, gold_correct, model_json, updated_at_ms";

std::string Select(const char* columns, const std::string& rest) {
  return std::string("SELECT ") + columns + " " + rest;
}

User ReadUser(const pg::Rows& r, int i, int c = 0) {
  User u;
  u.id = r.Int(i, c + 0);
  u.email = r.Text(i, c + 1);
  u.password_hash = r.Text(i, c + 2);
  u.display_name = r.Text(i, c + 3);
  u.roles = static_cast<uint32_t>(r.Int(i, c + 4));
  u.level = static_cast<int32_t>(r.Int(i, c + 5));
  u.xp = r.Int(i, c + 6);
  u.referral_code = r.Text(i, c + 7);
  u.created_at_ms = r.Int(i, c + 8);
  return u;
}

const char* TokenKindName(TokenKind kind) { return kind == TokenKind::kApi ? "api" : "session"; }

// The token columns of kTokenColumns, from column `c` on.
Token ReadToken(const pg::Rows& r, int i, int c = 0) {
  Token t;
  t.token_hash = r.Bytes(i, c + 0);
  t.user_id = r.Int(i, c + 1);
  t.created_at_ms = r.Int(i, c + 2);
  t.kind = r.Text(i, c + 3) == "api" ? TokenKind::kApi : TokenKind::kSession;
  t.public_id = r.Text(i, c + 4);
  t.name = r.Text(i, c + 5);
  t.scopes = static_cast<uint32_t>(r.Int(i, c + 6));
  t.last_used_at_ms = r.Int(i, c + 7);
  t.expires_at_ms = r.Int(i, c + 8);
  return t;
}

Project ProjectRow(const pg::Rows& r, int i) {
  Project p;
  p.id = r.Int(i, 0);
  p.owner_id = r.Int(i, 1);
  p.title = r.Text(i, 2);
  p.instructions = r.Text(i, 3);
  p.question_json = r.Text(i, 4);
  p.domain = r.Text(i, 5);
  p.tier = static_cast<int32_t>(r.Int(i, 6));
  p.min_level = static_cast<int32_t>(r.Int(i, 7));
  p.min_answers = static_cast<int32_t>(r.Int(i, 8));
  p.max_answers = static_cast<int32_t>(r.Int(i, 9));
  p.target_confidence = r.Double(i, 10);
  p.reward_aia = r.Int(i, 11);
  p.gold_rate = r.Double(i, 12);
  p.status = r.Text(i, 13);
  p.created_at_ms = r.Int(i, 14);
  p.gold_promotion_confidence = r.Double(i, 15);
  return p;
}

Task ReadTask(const pg::Rows& r, int i) {
  Task t;
  t.id = r.Int(i, 0);
  t.project_id = r.Int(i, 1);
  t.data_json = r.Text(i, 2);
  if (!r.IsNull(i, 3)) t.gold_json = r.Text(i, 3);
  t.state = r.Text(i, 4);
  t.consensus_json = r.Text(i, 5);
  t.confidence = r.Double(i, 6);
  t.created_at_ms = r.Int(i, 7);
  t.retired_at_ms = r.Int(i, 8);
  t.gold_source = GoldSourceFromName(r.View(i, 9));
  t.explanation = r.Text(i, 10);
  return t;
}

Assignment AssignmentRow(const pg::Rows& r, int i) {
  Assignment a;
  a.id = r.Int(i, 0);
  a.task_id = r.Int(i, 1);
  a.user_id = r.Int(i, 2);
  a.project_id = r.Int(i, 3);
  a.issued_at_ms = r.Int(i, 4);
  a.expires_at_ms = r.Int(i, 5);
  a.state = r.Text(i, 6);
  return a;
}

Answer ReadAnswer(const pg::Rows& r, int i) {
  Answer a;
  a.id = r.Int(i, 0);
  a.assignment_id = r.Int(i, 1);
  a.task_id = r.Int(i, 2);
  a.user_id = r.Int(i, 3);
  a.project_id = r.Int(i, 4);
  a.value_json = r.Text(i, 5);
  a.duration_ms = r.Int(i, 6);
  a.idempotency_key = r.Text(i, 7);
  a.verdict = r.Text(i, 8);
  a.response_json = r.Text(i, 9);
  a.created_at_ms = r.Int(i, 10);
  a.review = AnswerReviewFromName(r.View(i, 11));
  return a;
}

WorkerReview WorkerReviewRow(const pg::Rows& r, int i) {
  WorkerReview w;
  w.project_id = r.Int(i, 0);
  w.user_id = r.Int(i, 1);
  w.state = ReviewStateFromName(r.View(i, 2));
  w.reason = r.Text(i, 3);
  w.fast_answers = r.Int(i, 4);
  w.spam_score = r.Double(i, 5);
  w.created_at_ms = r.Int(i, 6);
  w.decided_at_ms = r.Int(i, 7);
  w.decided_by = r.Int(i, 8);
  return w;
}

WorkerSkill ReadSkill(const pg::Rows& r, int i) {
  WorkerSkill w;
  w.user_id = r.Int(i, 0);
  w.project_id = r.Int(i, 1);
  w.accuracy = r.Double(i, 2);
  w.gold_seen = r.Int(i, 3);
  w.gold_correct = r.Int(i, 4);
  w.model_json = r.Text(i, 5);
  w.updated_at_ms = r.Int(i, 6);
  return w;
}

template <typename T, typename ReadFn>
std::vector<T> ReadAll(const pg::Rows& rows, ReadFn read) {
  std::vector<T> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) out.push_back(read(rows, i));
  return out;
}

template <typename T, typename ReadFn>
std::optional<T> ReadFirst(const pg::Rows& rows, ReadFn read) {
  if (rows.rows() == 0) return std::nullopt;
  return read(rows, 0);
}

// Runs an UPDATE that must change exactly one row (as SqliteStore: an update of a missing row is
// a bug in the caller's state, not something to ignore).
Status ExecOne(pg::Connection& c, const std::string& sql, const pg::Params& params,
               std::string_view what) {
  TD_ASSIGN_OR_RETURN(pg::Rows rows, c.Exec(sql, params));
  if (rows.affected() != 1) return Status::NotFound(std::string(what) + ": no such row");
  return Status::Ok();
}

Status Exec(pg::Connection& c, const std::string& sql, const pg::Params& params) {
  return c.Exec(sql, params).status();
}

pg::Params SkillParams(const WorkerSkill& w) {
  pg::Params params;
  params.Add(w.user_id).Add(w.project_id).Add(w.accuracy).Add(w.gold_seen).Add(w.gold_correct);
  params.Add(w.model_json).Add(w.updated_at_ms);
  return params;
}

// Changes of a task's claims (TaskClaims) that one batch makes.
struct ClaimDelta {
  int32_t answers = 0;
  int32_t leases = 0;
};

// Every change of `b` in the order of write_batch.h, then its ledger changes; on `c`, inside the
// caller's transaction (or savepoint).
Status ApplyBatch(pg::Connection& c, const WriteBatch& b) {
  for (const User& u : b.insert_users) {
    TD_RETURN_IF_ERROR(
        Exec(c,
             "INSERT INTO users (id, email, password_hash, display_name, roles, level, xp, "
             "referral_code, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
             pg::Params()
                 .Add(u.id)
                 .Add(u.email)
                 .Add(u.password_hash)
                 .Add(u.display_name)
                 .Add(u.roles)
                 .Add(u.level)
                 .Add(u.xp)
                 .Add(u.referral_code)
                 .Add(u.created_at_ms)));
  }
  for (const UserProgressUpdate& u : b.update_user_progress) {
    TD_RETURN_IF_ERROR(ExecOne(c, "UPDATE users SET level = $2, xp = $3 WHERE id = $1",
                               pg::Params().Add(u.user_id).Add(u.level).Add(u.xp), "update user"));
  }
  for (const Token& t : b.insert_tokens) {
    TD_RETURN_IF_ERROR(Exec(c,
                            "INSERT INTO tokens (token_hash, user_id, created_at_ms, kind, "
                            "public_id, name, scopes, last_used_at_ms, expires_at_ms) "
                            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                            pg::Params()
                                .AddBytes(t.token_hash)
                                .Add(t.user_id)
                                .Add(t.created_at_ms)
                                .Add(TokenKindName(t.kind))
                                .Add(t.public_id)
                                .Add(t.name)
                                .Add(static_cast<int64_t>(t.scopes))
                                .Add(t.last_used_at_ms)
                                .Add(t.expires_at_ms)));
  }
  for (const Project& p : b.upsert_projects) {
    TD_RETURN_IF_ERROR(Exec(
        c,
        "INSERT INTO projects (id, owner_id, title, instructions, question_json, domain, tier, "
        "min_level, min_answers, max_answers, target_confidence, reward_aia, gold_rate, status, "
        "created_at_ms, gold_promotion_confidence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
        "$10, $11, $12, $13, $14, $15, $16) "
        "ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, "
        "instructions = EXCLUDED.instructions, question_json = EXCLUDED.question_json, "
        "domain = EXCLUDED.domain, tier = EXCLUDED.tier, min_level = EXCLUDED.min_level, "
        "min_answers = EXCLUDED.min_answers, max_answers = EXCLUDED.max_answers, "
        "target_confidence = EXCLUDED.target_confidence, reward_aia = EXCLUDED.reward_aia, "
        "gold_rate = EXCLUDED.gold_rate, status = EXCLUDED.status, "
        "gold_promotion_confidence = EXCLUDED.gold_promotion_confidence",
        pg::Params()
            .Add(p.id)
            .Add(p.owner_id)
            .Add(p.title)
            .Add(p.instructions)
            .Add(p.question_json)
            .Add(p.domain)
            .Add(p.tier)
            .Add(p.min_level)
            .Add(p.min_answers)
            .Add(p.max_answers)
            .Add(p.target_confidence)
            .Add(p.reward_aia)
            .Add(p.gold_rate)
            .Add(p.status)
            .Add(p.created_at_ms)
            .Add(p.gold_promotion_confidence)));
  }
  for (const Task& t : b.insert_tasks) {
    pg::Params params;
    params.Add(t.id).Add(t.project_id).Add(t.data_json);
    if (t.gold_json) {
      params.Add(*t.gold_json);
    } else {
      params.AddNull();
    }
    params.Add(t.state)
        .Add(t.consensus_json)
        .Add(t.confidence)
        .Add(t.created_at_ms)
        .Add(t.retired_at_ms)
        .Add(GoldSourceName(t.gold_source))
        .Add(t.explanation);
    TD_RETURN_IF_ERROR(Exec(c,
                            "INSERT INTO tasks (id, project_id, data_json, gold_json, state, "
                            "consensus_json, confidence, created_at_ms, retired_at_ms, "
                            "gold_source, explanation) "
                            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                            params));
  }
  for (const Assignment& a : b.insert_assignments) {
    TD_RETURN_IF_ERROR(
        Exec(c,
             "INSERT INTO assignments (id, task_id, user_id, project_id, "
             "issued_at_ms, expires_at_ms, state) VALUES ($1, $2, $3, $4, $5, $6, $7)",
             pg::Params()
                 .Add(a.id)
                 .Add(a.task_id)
                 .Add(a.user_id)
                 .Add(a.project_id)
                 .Add(a.issued_at_ms)
                 .Add(a.expires_at_ms)
                 .Add(a.state)));
  }
  for (const Answer& a : b.insert_answers) {
    TD_RETURN_IF_ERROR(Exec(c,
                            "INSERT INTO answers (id, assignment_id, task_id, user_id, project_id, "
                            "value_json, duration_ms, idempotency_key, verdict, response_json, "
                            "created_at_ms, review) "
                            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                            pg::Params()
                                .Add(a.id)
                                .Add(a.assignment_id)
                                .Add(a.task_id)
                                .Add(a.user_id)
                                .Add(a.project_id)
                                .Add(a.value_json)
                                .Add(a.duration_ms)
                                .Add(a.idempotency_key)
                                .Add(a.verdict)
                                .Add(a.response_json)
                                .Add(a.created_at_ms)
                                .Add(AnswerReviewName(a.review))));
  }
  // The claim counters of the tasks this batch touches (migration 3): one update of each task
  // row, with its new state if the batch has one.
  std::map<int64_t, ClaimDelta> claims;
  for (const Assignment& a : b.insert_assignments) {
    if (a.state == "leased") ++claims[a.task_id].leases;
  }
  // Only answers that count claim a place in the overlap (held ones do not).
  for (const Answer& a : b.insert_answers) {
    if (a.review == AnswerReview::kCounted) ++claims[a.task_id].answers;
  }
  for (const AssignmentStateUpdate& a : b.update_assignments) {
    // The state it had decides whether a lease ends.
    TD_ASSIGN_OR_RETURN(
        pg::Rows rows,
        c.Exec("UPDATE assignments a SET state = $2 FROM (SELECT id, state FROM assignments "
               "WHERE id = $1 FOR NO KEY UPDATE) old WHERE a.id = old.id "
               "RETURNING a.task_id, old.state",
               pg::Params().Add(a.assignment_id).Add(a.state)));
    if (rows.rows() != 1) return Status::NotFound("update assignment: no such row");
    const bool was_leased = rows.View(0, 1) == "leased";
    if (was_leased != (a.state == "leased")) claims[rows.Int(0, 0)].leases += was_leased ? -1 : 1;
  }
  for (const TaskUpdate& t : b.update_tasks) {
    const ClaimDelta delta = claims[t.task_id];
    claims.erase(t.task_id);
    TD_RETURN_IF_ERROR(ExecOne(c,
                               "UPDATE tasks SET state = $2, consensus_json = $3, confidence = $4, "
                               "retired_at_ms = $5, answer_count = answer_count + $6, "
                               "lease_count = lease_count + $7 WHERE id = $1",
                               pg::Params()
                                   .Add(t.task_id)
                                   .Add(t.state)
                                   .Add(t.consensus_json)
                                   .Add(t.confidence)
                                   .Add(t.retired_at_ms)
                                   .Add(delta.answers)
                                   .Add(delta.leases),
                               "update task"));
  }
  for (const auto& [task_id, delta] : claims) {
    if (delta.answers == 0 && delta.leases == 0) continue;
    TD_RETURN_IF_ERROR(ExecOne(c,
                               "UPDATE tasks SET answer_count = answer_count + $2, "
                               "lease_count = lease_count + $3 WHERE id = $1",
                               pg::Params().Add(task_id).Add(delta.answers).Add(delta.leases),
                               "update task claims"));
  }
  for (const VerdictUpdate& v : b.update_verdicts) {
    TD_RETURN_IF_ERROR(ExecOne(c, "UPDATE answers SET verdict = $2 WHERE id = $1",
                               pg::Params().Add(v.answer_id).Add(v.verdict), "update verdict"));
  }
  for (const AnswerReviewUpdate& r : b.update_answer_reviews) {
    TD_RETURN_IF_ERROR(ExecOne(c, "UPDATE answers SET review = $2, verdict = $3 WHERE id = $1",
                               pg::Params()
                                   .Add(r.answer_id)
                                   .Add(AnswerReviewName(r.review))
                                   .Add(r.verdict),
                               "update answer review"));
  }
  for (const GoldPromotion& g : b.promote_gold) {
    TD_RETURN_IF_ERROR(Exec(c,
                            "UPDATE tasks SET gold_json = $2, gold_source = 'consensus' "
                            "WHERE id = $1 AND gold_json IS NULL",
                            pg::Params().Add(g.task_id).Add(g.gold_json)));
  }
  for (const WorkerReview& r : b.upsert_worker_reviews) {
    TD_RETURN_IF_ERROR(Exec(
        c,
        "INSERT INTO worker_reviews (project_id, user_id, state, reason, fast_answers, "
        "spam_score, created_at_ms, decided_at_ms, decided_by) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (project_id, user_id) DO UPDATE "
        "SET state = CASE WHEN worker_reviews.state = 'rejected' THEN 'rejected' "
        "ELSE EXCLUDED.state END, reason = EXCLUDED.reason, "
        "fast_answers = worker_reviews.fast_answers + EXCLUDED.fast_answers, "
        "spam_score = EXCLUDED.spam_score, decided_at_ms = EXCLUDED.decided_at_ms, "
        "decided_by = EXCLUDED.decided_by",
        pg::Params()
            .Add(r.project_id)
            .Add(r.user_id)
            .Add(ReviewStateName(r.state))
            .Add(r.reason)
            .Add(r.fast_answers)
            .Add(r.spam_score)
            .Add(r.created_at_ms)
            .Add(r.decided_at_ms)
            .Add(r.decided_by)));
  }
  for (const WorkerHold& h : b.hold_open_answers) {
    TD_RETURN_IF_ERROR(Exec(
        c,
        "WITH held AS (UPDATE answers a SET review = 'held' FROM tasks t "
        "WHERE t.id = a.task_id AND t.state = 'open' AND t.gold_json IS NULL "
        "AND a.project_id = $1 AND a.user_id = $2 AND a.review = '' RETURNING a.task_id), "
        "per_task AS (SELECT task_id, count(*) AS n FROM held GROUP BY task_id) "
        "UPDATE tasks SET answer_count = answer_count - per_task.n FROM per_task "
        "WHERE tasks.id = per_task.task_id",
        pg::Params().Add(h.project_id).Add(h.user_id)));
  }
  for (const WorkerSkill& w : b.upsert_skills) {
    TD_RETURN_IF_ERROR(
        Exec(c,
             "INSERT INTO worker_skills (user_id, project_id, accuracy, gold_seen, gold_correct, "
             "model_json, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) "
             "ON CONFLICT (user_id, project_id) DO UPDATE SET accuracy = EXCLUDED.accuracy, "
             "gold_seen = EXCLUDED.gold_seen, gold_correct = EXCLUDED.gold_correct, "
             "model_json = EXCLUDED.model_json, updated_at_ms = EXCLUDED.updated_at_ms",
             SkillParams(w)));
  }
  for (const WorkerSkill& w : b.upsert_skill_models) {
    TD_RETURN_IF_ERROR(
        Exec(c,
             "INSERT INTO worker_skills (user_id, project_id, accuracy, gold_seen, gold_correct, "
             "model_json, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) "
             "ON CONFLICT (user_id, project_id) DO UPDATE SET accuracy = EXCLUDED.accuracy, "
             "model_json = EXCLUDED.model_json, updated_at_ms = EXCLUDED.updated_at_ms",
             SkillParams(w)));
  }
  for (const auto& [key, value] : b.upsert_settings) {
    TD_RETURN_IF_ERROR(Exec(c,
                            "INSERT INTO settings (key, value) VALUES ($1, $2) "
                            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                            pg::Params().Add(key).Add(value)));
  }
  for (const auto& [key, value] : b.insert_settings) {
    TD_RETURN_IF_ERROR(Exec(c,
                            "INSERT INTO settings (key, value) VALUES ($1, $2) "
                            "ON CONFLICT (key) DO NOTHING",
                            pg::Params().Add(key).Add(value)));
  }
  for (const std::string& hash : b.revoke_token_hashes) {
    TD_RETURN_IF_ERROR(
        Exec(c, "DELETE FROM tokens WHERE token_hash = $1", pg::Params().AddBytes(hash)));
  }
  for (int64_t user_id : b.revoke_user_tokens) {
    TD_RETURN_IF_ERROR(
        Exec(c, "DELETE FROM tokens WHERE user_id = $1", pg::Params().Add(user_id)));
  }
  for (const TokenTouch& t : b.touch_tokens) {
    TD_RETURN_IF_ERROR(Exec(c,
                            "UPDATE tokens SET last_used_at_ms = GREATEST(last_used_at_ms, $2) "
                            "WHERE token_hash = $1",
                            pg::Params().AddBytes(t.token_hash).Add(t.last_used_at_ms)));
  }
  for (const ProjectInferenceUpdate& u : b.upsert_inference) {
    TD_RETURN_IF_ERROR(
        Exec(c,
             "INSERT INTO project_inference (project_id, answers, skills_version, inferred_at_ms, "
             "typical_answer_ms, timed_answers) "
             "VALUES ($1, $2, 1, $3, $4, $5) ON CONFLICT (project_id) DO UPDATE SET "
             "answers = EXCLUDED.answers, inferred_at_ms = EXCLUDED.inferred_at_ms, "
             "skills_version = project_inference.skills_version + 1, "
             "typical_answer_ms = EXCLUDED.typical_answer_ms, "
             "timed_answers = EXCLUDED.timed_answers",
             pg::Params()
                 .Add(u.project_id)
                 .Add(u.answers)
                 .Add(u.inferred_at_ms)
                 .Add(u.typical_answer_ms)
                 .Add(u.timed_answers)));
  }
  if (!b.ledger.empty()) TD_RETURN_IF_ERROR(PgLedgerWriter(&c).Apply(b.ledger));
  return Status::Ok();
}

// Runs `fn` inside a savepoint of the open transaction: a failure undoes only what `fn` did and
// leaves the transaction usable.
template <typename Fn>
Status InSavepoint(pg::Connection& c, Fn fn) {
  TD_RETURN_IF_ERROR(c.ExecScript("SAVEPOINT td_batch"));
  Status status = fn();
  if (status.ok()) return c.ExecScript("RELEASE SAVEPOINT td_batch");
  (void)c.ExecScript("ROLLBACK TO SAVEPOINT td_batch");
  (void)c.ExecScript("RELEASE SAVEPOINT td_batch");
  return status;
}

// Candidate rows (id, confidence, answer_count, lease_count) as TaskClaims.
std::vector<TaskClaims> ClaimRows(const pg::Rows& rows, int64_t project_id, bool gold) {
  std::vector<TaskClaims> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) {
    TaskClaims c;
    c.task.id = rows.Int(i, 0);
    c.task.project_id = project_id;
    c.gold = gold;
    c.task.confidence = rows.Double(i, 1);
    c.answers = static_cast<int32_t>(rows.Int(i, 2));
    c.leases = static_cast<int32_t>(rows.Int(i, 3));
    out.push_back(std::move(c));
  }
  return out;
}

class PgTransaction final : public Transaction {
 public:
  explicit PgTransaction(pg::Pool::Lease lease) : lease_(std::move(lease)), ledger_(&*lease_) {}
  ~PgTransaction() override {
    if (!finished_) (void)lease_->ExecScript("ROLLBACK");
  }

  Result<std::optional<Project>> ReadProject(int64_t project_id,
                                             ProjectInference* inference) override {
    static const std::string sql =
        std::string("SELECT ") + kProjectColumns +
        ", COALESCE(i.answers, 0), COALESCE(i.skills_version, 0), COALESCE(i.inferred_at_ms, 0), "
        "COALESCE(i.typical_answer_ms, 0), COALESCE(i.timed_answers, 0) FROM projects p "
        "LEFT JOIN project_inference i ON i.project_id = p.id WHERE p.id = $1";
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(sql, pg::Params().Add(project_id)));
    if (rows.rows() == 0) return std::optional<Project>();
    if (inference != nullptr) {
      *inference = {rows.Int(0, 16), rows.Int(0, 17), rows.Int(0, 18), rows.Int(0, 19),
                    rows.Int(0, 20)};
    }
    return std::optional<Project>(ProjectRow(rows, 0));
  }

  Result<std::optional<Project>> LockProject(int64_t project_id, bool exclusive) override {
    static const std::string base = Select(kProjectColumns, "FROM projects WHERE id = $1");
    static const std::string for_update = base + " FOR UPDATE";
    static const std::string for_share = base + " FOR SHARE";
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(exclusive ? for_update : for_share,
                                                    pg::Params().Add(project_id)));
    return ReadFirst<Project>(rows, ProjectRow);
  }

  Result<bool> ProjectHasTasks(int64_t project_id) override {
    TD_ASSIGN_OR_RETURN(pg::Rows rows,
                        lease_->Exec("SELECT EXISTS (SELECT 1 FROM tasks WHERE project_id = $1)",
                                     pg::Params().Add(project_id)));
    return rows.Bool(0, 0);
  }

  Result<ProjectInference> ReadInference(int64_t project_id) override {
    TD_ASSIGN_OR_RETURN(pg::Rows rows,
                        lease_->Exec("SELECT answers, skills_version, inferred_at_ms, "
                                     "typical_answer_ms, timed_answers FROM "
                                     "project_inference WHERE project_id = $1",
                                     pg::Params().Add(project_id)));
    ProjectInference out;
    if (rows.rows() > 0) {
      out = {rows.Int(0, 0), rows.Int(0, 1), rows.Int(0, 2), rows.Int(0, 3), rows.Int(0, 4)};
    }
    return out;
  }

  Result<std::vector<TaskClaims>> GoldCandidates(int64_t project_id, int64_t user_id,
                                                 int64_t seed, int limit) override {
    // The pool in an order of the user's own (a hash of id and seed), so users meet the gold
    // items in different orders; training items are not in the pool.
    TD_ASSIGN_OR_RETURN(
        pg::Rows rows,
        lease_->Exec("SELECT t.id, t.confidence, t.answer_count, t.lease_count FROM tasks t "
                     "WHERE t.project_id = $1 AND t.gold_json IS NOT NULL "
                     "AND t.gold_source <> 'training' AND NOT EXISTS (SELECT 1 FROM assignments "
                     "a WHERE a.task_id = t.id AND a.user_id = $2) "
                     "ORDER BY hashint8extended(t.id, $3), t.id LIMIT $4",
                     pg::Params().Add(project_id).Add(user_id).Add(seed).Add(limit)));
    return ClaimRows(rows, project_id, true);
  }

  Result<std::vector<TaskClaims>> TrainingCandidates(int64_t project_id, int64_t user_id,
                                                     int limit) override {
    TD_ASSIGN_OR_RETURN(
        pg::Rows rows,
        lease_->Exec("SELECT t.id, t.confidence, t.answer_count, t.lease_count FROM tasks t "
                     "WHERE t.project_id = $1 AND t.gold_source = 'training' AND NOT EXISTS "
                     "(SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.user_id = $2) "
                     "ORDER BY t.id LIMIT $3",
                     pg::Params().Add(project_id).Add(user_id).Add(limit)));
    return ClaimRows(rows, project_id, true);
  }

  Result<bool> UserHadTask(int64_t user_id, int64_t task_id) override {
    TD_ASSIGN_OR_RETURN(pg::Rows rows,
                        lease_->Exec("SELECT EXISTS (SELECT 1 FROM assignments WHERE "
                                     "task_id = $1 AND user_id = $2)",
                                     pg::Params().Add(task_id).Add(user_id)));
    return rows.Bool(0, 0);
  }

  Result<LeaseTally> UserLeaseTally(int64_t project_id, int64_t user_id) override {
    TD_ASSIGN_OR_RETURN(
        pg::Rows rows,
        lease_->Exec("SELECT count(*) FILTER (WHERE t.gold_json IS NOT NULL "
                     "AND t.gold_source <> 'training'), count(*) FILTER (WHERE t.gold_json IS "
                     "NULL) FROM assignments a JOIN tasks t ON t.id = a.task_id "
                     "WHERE a.project_id = $1 AND a.user_id = $2",
                     pg::Params().Add(project_id).Add(user_id)));
    return LeaseTally{rows.Int(0, 0), rows.Int(0, 1)};
  }

  Result<std::optional<WorkerReview>> ReadWorkerReview(int64_t project_id, int64_t user_id,
                                                       bool lock) override {
    static const std::string read = Select(
        kWorkerReviewColumns, "FROM worker_reviews WHERE project_id = $1 AND user_id = $2");
    static const std::string locked = read + " FOR UPDATE";
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(lock ? locked : read,
                                                    pg::Params().Add(project_id).Add(user_id)));
    return ReadFirst<WorkerReview>(rows, WorkerReviewRow);
  }

  Result<std::vector<Answer>> HeldAnswers(int64_t project_id, int64_t user_id) override {
    static const std::string sql =
        Select(kAnswerColumns,
               "FROM answers WHERE project_id = $1 AND user_id = $2 AND review = 'held' "
               "ORDER BY id");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(sql, pg::Params().Add(project_id).Add(user_id)));
    return ReadAll<Answer>(rows, ReadAnswer);
  }

  Result<std::vector<TaskClaims>> LeaseCandidates(const LeaseQuery& q) override {
    // Four parts in one statement; their WHERE clauses repeat the partial indexes' predicates
    // (migration 3), so each reads only the project's open tasks of one kind with claims, or
    // the first fresh ones, in id order. The in-flight part ranks (as sched::Priority does) the
    // oldest kInFlightWindow tasks the user may still take, so its cost stays bounded however
    // many tasks are in flight - the window of the in-memory engine's started list.
    static const std::string in_flight =
        "(SELECT w.* FROM (SELECT t.id, t.gold, t.confidence, t.answer_count, t.lease_count "
        "FROM tasks t WHERE t.project_id = $1 AND t.gold = %s AND t.state = 'open' "
        "AND t.answer_count + t.lease_count > 0 AND t.answer_count + t.lease_count < $2 "
        "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.user_id = $3) "
        "ORDER BY t.id LIMIT " +
        std::to_string(kInFlightWindow) +
        ") w "
        "ORDER BY (w.lease_count > 0 AND w.answer_count + w.lease_count >= $4), "
        "GREATEST(0, $4 - w.answer_count - w.lease_count), w.confidence, w.id LIMIT $5)";
    static const std::string fresh =
        "(SELECT t.id, t.gold, t.confidence, t.answer_count, t.lease_count FROM tasks t "
        "WHERE t.project_id = $1 AND t.gold = %s AND t.state = 'open' "
        "AND t.answer_count = 0 AND t.lease_count = 0 "
        "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.user_id = $3) "
        "ORDER BY t.id LIMIT $6)";
    auto kind = [](std::string part, const char* gold) {
      return part.replace(part.find("%s"), 2, gold);
    };
    // Regular items only: gold items come from GoldCandidates and TrainingCandidates.
    static const std::string sql = kind(in_flight, "false") + " UNION ALL " + kind(fresh, "false");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(sql, pg::Params()
                                                             .Add(q.project_id)
                                                             .Add(q.max_answers)
                                                             .Add(q.user_id)
                                                             .Add(q.min_answers)
                                                             .Add(q.in_flight_limit)
                                                             .Add(q.fresh_limit)));
    std::vector<TaskClaims> out;
    out.reserve(static_cast<size_t>(rows.rows()));
    for (int i = 0; i < rows.rows(); ++i) {
      TaskClaims c;
      c.task.id = rows.Int(i, 0);
      c.task.project_id = q.project_id;
      c.gold = rows.Bool(i, 1);
      c.task.confidence = rows.Double(i, 2);
      c.answers = static_cast<int32_t>(rows.Int(i, 3));
      c.leases = static_cast<int32_t>(rows.Int(i, 4));
      out.push_back(std::move(c));
    }
    return out;
  }

  Result<std::optional<TaskClaims>> LockTask(int64_t task_id, bool skip_locked,
                                             int64_t now_ms) override {
    static const std::string wait =
        std::string("SELECT ") + kTaskColumns +
        ", answer_count, lease_count, CASE WHEN lease_count > 0 AND $2::bigint > 0 THEN (SELECT "
        "count(*) "
        "FROM assignments a WHERE a.task_id = tasks.id AND a.state = 'leased' "
        "AND a.expires_at_ms <= $2::bigint) ELSE 0 END FROM tasks WHERE id = $1 FOR NO KEY UPDATE "
        "OF tasks";
    static const std::string skip = wait + " SKIP LOCKED";
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(skip_locked ? skip : wait,
                                                    pg::Params().Add(task_id).Add(now_ms)));
    if (rows.rows() == 0) return std::optional<TaskClaims>();
    TaskClaims c;
    c.task = ReadTask(rows, 0);
    c.gold = c.task.gold_json.has_value();
    c.answers = static_cast<int32_t>(rows.Int(0, kTaskColumnCount));
    c.leases = static_cast<int32_t>(rows.Int(0, kTaskColumnCount + 1));
    c.expired_leases = static_cast<int32_t>(rows.Int(0, kTaskColumnCount + 2));
    return std::optional<TaskClaims>(std::move(c));
  }

  Result<bool> InsertLease(const Assignment& a) override {
    TD_ASSIGN_OR_RETURN(pg::Rows rows,
                        lease_->Exec("WITH leased AS (INSERT INTO assignments (id, task_id, "
                                     "user_id, project_id, issued_at_ms, expires_at_ms, state) "
                                     "VALUES ($1, $2, $3, $4, $5, $6, $7) "
                                     "ON CONFLICT (task_id, user_id) DO NOTHING RETURNING task_id) "
                                     "UPDATE tasks SET lease_count = lease_count + 1 "
                                     "WHERE id IN (SELECT task_id FROM leased)",
                                     pg::Params()
                                         .Add(a.id)
                                         .Add(a.task_id)
                                         .Add(a.user_id)
                                         .Add(a.project_id)
                                         .Add(a.issued_at_ms)
                                         .Add(a.expires_at_ms)
                                         .Add(a.state)));
    return rows.affected() == 1;
  }

  Result<int32_t> ExpireLeases(int64_t task_id, int64_t now_ms) override {
    TD_ASSIGN_OR_RETURN(
        pg::Rows rows,
        lease_->Exec("WITH expired AS (UPDATE assignments SET state = 'expired' "
                     "WHERE task_id = $1 AND state = 'leased' AND expires_at_ms <= $2 "
                     "RETURNING id) UPDATE tasks SET lease_count = lease_count - "
                     "(SELECT count(*) FROM expired) WHERE id = $1 RETURNING "
                     "(SELECT count(*) FROM expired)",
                     pg::Params().Add(task_id).Add(now_ms)));
    return rows.rows() == 1 ? static_cast<int32_t>(rows.Int(0, 0)) : 0;
  }

  Result<std::vector<int64_t>> TasksWithExpiredLeases(int64_t project_id, int64_t now_ms,
                                                      int limit) override {
    TD_ASSIGN_OR_RETURN(
        pg::Rows rows,
        lease_->Exec("SELECT DISTINCT task_id FROM assignments WHERE state = 'leased' "
                     "AND expires_at_ms <= $2 AND ($1::bigint = 0 OR project_id = $1::bigint) "
                     "ORDER BY task_id LIMIT $3",
                     pg::Params().Add(project_id).Add(now_ms).Add(limit)));
    std::vector<int64_t> out;
    for (int i = 0; i < rows.rows(); ++i) out.push_back(rows.Int(i, 0));
    return out;
  }

  Result<int64_t> CountAnswers(int64_t project_id) override {
    TD_ASSIGN_OR_RETURN(pg::Rows rows,
                        lease_->Exec("SELECT count(*) FROM answers WHERE project_id = $1",
                                     pg::Params().Add(project_id)));
    return rows.Int(0, 0);
  }

  Result<std::optional<Assignment>> ReadAssignment(int64_t assignment_id) override {
    static const std::string sql = Select(kAssignmentColumns, "FROM assignments WHERE id = $1");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(sql, pg::Params().Add(assignment_id)));
    return ReadFirst<Assignment>(rows, AssignmentRow);
  }

  Result<std::optional<Assignment>> LockAssignment(int64_t assignment_id) override {
    static const std::string sql =
        Select(kAssignmentColumns, "FROM assignments WHERE id = $1 FOR NO KEY UPDATE");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(sql, pg::Params().Add(assignment_id)));
    return ReadFirst<Assignment>(rows, AssignmentRow);
  }

  Result<std::vector<Answer>> AnswersOfTask(int64_t task_id) override {
    static const std::string sql =
        Select(kAnswerColumns, "FROM answers WHERE task_id = $1 ORDER BY id");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(sql, pg::Params().Add(task_id)));
    return ReadAll<Answer>(rows, ReadAnswer);
  }

  Result<std::optional<Answer>> AnswerOfAssignment(int64_t assignment_id) override {
    static const std::string sql = Select(kAnswerColumns, "FROM answers WHERE assignment_id = $1");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(sql, pg::Params().Add(assignment_id)));
    return ReadFirst<Answer>(rows, ReadAnswer);
  }

  Result<std::optional<Answer>> AnswerByIdempotencyKey(int64_t user_id,
                                                       std::string_view key) override {
    static const std::string sql = Select(
        kAnswerColumns,
        "FROM answers WHERE user_id = $1 AND idempotency_key = $2 AND idempotency_key <> ''");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(sql, pg::Params().Add(user_id).Add(key)));
    return ReadFirst<Answer>(rows, ReadAnswer);
  }

  Result<WorkerSkill> LockSkill(int64_t user_id, int64_t project_id,
                                const WorkerSkill& initial) override {
    // An upsert that changes nothing locks the row, and creates it first when missing, so two
    // gold answers of one worker never both start from "no row".
    static const std::string sql =
        "INSERT INTO worker_skills (user_id, project_id, accuracy, gold_seen, gold_correct, "
        "model_json, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (user_id, project_id) DO UPDATE SET user_id = worker_skills.user_id "
        "RETURNING " +
        std::string(kSkillColumns);
    WorkerSkill row = initial;
    row.user_id = user_id;
    row.project_id = project_id;
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(sql, SkillParams(row)));
    if (rows.rows() != 1) return Status::Internal("worker skill row not locked");
    return ReadSkill(rows, 0);
  }

  Result<std::optional<User>> FindUserById(int64_t user_id) override {
    static const std::string sql = Select(kUserColumns, "FROM users WHERE id = $1");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec(sql, pg::Params().Add(user_id)));
    return ReadFirst<User>(rows, [](const pg::Rows& r, int i) { return ReadUser(r, i); });
  }

  Status LockUsers(std::vector<int64_t> user_ids) override {
    if (user_ids.empty()) return Status::Ok();
    std::sort(user_ids.begin(), user_ids.end());
    user_ids.erase(std::unique(user_ids.begin(), user_ids.end()), user_ids.end());
    return lease_
        ->Exec("SELECT id FROM users WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE",
               pg::Params().Add(pg::IntArray(user_ids)))
        .status();
  }

  Result<std::vector<std::pair<int64_t, int64_t>>> ReferrersOf(
      const std::vector<int64_t>& user_ids) override {
    TD_ASSIGN_OR_RETURN(pg::Rows rows, lease_->Exec("SELECT referee_id, referrer_id FROM referrals "
                                                    "WHERE referee_id = ANY($1::bigint[])",
                                                    pg::Params().Add(pg::IntArray(user_ids))));
    std::vector<std::pair<int64_t, int64_t>> out;
    for (int i = 0; i < rows.rows(); ++i) out.emplace_back(rows.Int(i, 0), rows.Int(i, 1));
    return out;
  }

  Result<std::vector<UserRewardState>> LockRewardStates(std::vector<int64_t> user_ids,
                                                        int64_t day) override {
    std::sort(user_ids.begin(), user_ids.end());
    user_ids.erase(std::unique(user_ids.begin(), user_ids.end()), user_ids.end());
    // Locked first, read after: a statement that waited for a lock sees the locked rows anew
    // but the rows it joins as of when it started, so the reading needs a statement of its own.
    TD_RETURN_IF_ERROR(LockUsers(user_ids));
    TD_ASSIGN_OR_RETURN(
        pg::Rows rows,
        lease_->Exec(
            "SELECT u.id, u.level, g.reputation, g.paused_until_day, "
            "(SELECT COALESCE(sum(unrevealed_passes), 0) FROM gold_results r "
            "WHERE r.user_id = u.id), "
            "f.referrer_id, COALESCE(d.aia, 0) FROM users u "
            "LEFT JOIN user_game g ON g.user_id = u.id "
            "LEFT JOIN referrals f ON f.referee_id = u.id "
            "LEFT JOIN daily_rewards d ON d.user_id = u.id AND d.day = $2 "
            "WHERE u.id = ANY($1::bigint[]) ORDER BY u.id",
            pg::Params().Add(pg::IntArray(user_ids)).Add(day)));
    std::vector<UserRewardState> out;
    out.reserve(static_cast<size_t>(rows.rows()));
    for (int i = 0; i < rows.rows(); ++i) {
      UserRewardState s;
      s.user_id = rows.Int(i, 0);
      s.level = static_cast<int32_t>(rows.Int(i, 1));
      if (!rows.IsNull(i, 2)) {
        s.game = UserGameRow{s.user_id, static_cast<int32_t>(rows.Int(i, 2)), rows.Int(i, 3)};
      }
      s.unrevealed_gold_passes = rows.Int(i, 4);
      if (!rows.IsNull(i, 5)) s.referrer = rows.Int(i, 5);
      s.daily_aia = rows.Int(i, 6);
      out.push_back(std::move(s));
    }
    return out;
  }

  Result<int64_t> LockBalance(std::string_view account, ledger::Asset asset) override {
    TD_ASSIGN_OR_RETURN(
        pg::Rows rows,
        lease_->Exec("INSERT INTO ledger_balances (account, asset, balance) VALUES ($1, $2, 0) "
                     "ON CONFLICT (account, asset) DO UPDATE SET balance = ledger_balances.balance "
                     "RETURNING balance",
                     pg::Params().Add(account).Add(ledger::AssetName(asset))));
    return rows.Int(0, 0);
  }

  LedgerReader& ledger() override { return ledger_; }

  Status Apply(const WriteBatch& batch) override {
    return batch.empty() ? Status::Ok() : ApplyBatch(*lease_, batch);
  }

  Status TryApply(const WriteBatch& batch) override {
    if (batch.empty()) return Status::Ok();
    return InSavepoint(*lease_, [&] { return ApplyBatch(*lease_, batch); });
  }

  Status Commit() override {
    finished_ = true;
    return lease_->Commit();
  }

 private:
  pg::Pool::Lease lease_;
  PgLedgerReader ledger_;
  bool finished_ = false;
};

class PgStore final : public Store {
 public:
  PgStore(std::string url, StoreOptions options)
      : url_(std::move(url)), options_(std::move(options)) {}
  ~PgStore() override { Close(); }

  Status Open() {
    {
      TD_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> conn, pg::Connection::Open(url_));
      TD_RETURN_IF_ERROR(MigratePostgres(*conn).status());
    }
    TD_ASSIGN_OR_RETURN(writer_, pg::Connection::Open(url_));
    TD_ASSIGN_OR_RETURN(readers_, pg::Pool::Open(url_, std::max(1, options_.read_connections)));
    ledger_reader_ = std::make_unique<PgLedgerReader>(readers_.get());
    TD_ASSIGN_OR_RETURN(transactions_,
                        pg::Pool::Open(url_, std::max(1, options_.transaction_connections)));
    committer_ = std::make_unique<GroupCommitter>(
        [this](std::span<const WriteBatch* const> group, std::vector<Status>& outcomes) {
          CommitGroup(group, outcomes);
        },
        /*max_batches_per_commit=*/1);
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
    if (readers_) readers_->Close();
    if (transactions_) transactions_->Close();
    std::lock_guard<std::mutex> lock(jobs_mu_);
    job_conn_.reset();
    held_jobs_.clear();
  }

  WriteStats write_stats() const override {
    return committer_ ? committer_->stats() : WriteStats{};
  }

  Result<int64_t> NextId(IdKind kind) override {
    const size_t k = static_cast<size_t>(kind);
    std::lock_guard<std::mutex> lock(ids_mu_);
    IdBlock& block = ids_[k];
    if (block.next >= block.end) {
      TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(kIdSequences[k]));
      block.next = rows.Int(0, 0);
      block.end = block.next + kIdBlock;
    }
    return block.next++;
  }

  Result<std::optional<User>> FindUserById(int64_t id) override {
    static const std::string sql = Select(kUserColumns, "FROM users WHERE id = $1");
    return QueryUser(sql, pg::Params().Add(id));
  }
  Result<std::optional<User>> FindUserByEmail(std::string_view email) override {
    static const std::string sql = Select(kUserColumns, "FROM users WHERE email = $1");
    return QueryUser(sql, pg::Params().Add(email));
  }
  Result<std::optional<TokenOwner>> FindToken(std::string_view hash) override {
    static const std::string sql =
        "SELECT u.id, u.email, u.password_hash, u.display_name, u.roles, u.level, u.xp, "
        "u.referral_code, u.created_at_ms, t.token_hash, t.user_id, t.created_at_ms, t.kind, "
        "t.public_id, t.name, t.scopes, t.last_used_at_ms, t.expires_at_ms "
        "FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1";
    TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, pg::Params().AddBytes(hash)));
    return ReadFirst<TokenOwner>(rows, [](const pg::Rows& r, int i) {
      return TokenOwner{ReadToken(r, i, 9), ReadUser(r, i)};
    });
  }
  Result<std::vector<Token>> ListTokens(int64_t user_id) override {
    static const std::string sql =
        Select(kTokenColumns, "FROM tokens WHERE user_id = $1 ORDER BY created_at_ms, public_id");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, pg::Params().Add(user_id)));
    std::vector<Token> out;
    for (int i = 0; i < rows.rows(); ++i) out.push_back(ReadToken(rows, i));
    return out;
  }
  Result<int64_t> CountUsers() override {
    TD_ASSIGN_OR_RETURN(pg::Rows rows, Query("SELECT count(*) FROM users"));
    return rows.Int(0, 0);
  }
  Result<std::optional<std::string>> GetSetting(std::string_view key) override {
    TD_ASSIGN_OR_RETURN(pg::Rows rows,
                        Query("SELECT value FROM settings WHERE key = $1", pg::Params().Add(key)));
    if (rows.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(rows.Text(0, 0));
  }

  Result<std::optional<Project>> FindProjectById(int64_t id) override {
    static const std::string sql = Select(kProjectColumns, "FROM projects WHERE id = $1");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, pg::Params().Add(id)));
    return ReadFirst<Project>(rows, ProjectRow);
  }
  Result<std::vector<Project>> LoadProjects() override {
    static const std::string sql = Select(kProjectColumns, "FROM projects ORDER BY id");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql));
    return ReadAll<Project>(rows, ProjectRow);
  }
  Result<std::vector<Task>> LoadTasks(int64_t project_id) override {
    static const std::string sql =
        Select(kTaskColumns, "FROM tasks WHERE project_id = $1 ORDER BY id");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, pg::Params().Add(project_id)));
    return ReadAll<Task>(rows, ReadTask);
  }
  Result<std::vector<Assignment>> LoadAssignments(int64_t project_id) override {
    static const std::string sql =
        Select(kAssignmentColumns, "FROM assignments WHERE project_id = $1 ORDER BY id");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, pg::Params().Add(project_id)));
    return ReadAll<Assignment>(rows, AssignmentRow);
  }
  Result<std::vector<Answer>> LoadAnswers(int64_t project_id) override {
    static const std::string sql =
        Select(kAnswerColumns, "FROM answers WHERE project_id = $1 ORDER BY id");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, pg::Params().Add(project_id)));
    return ReadAll<Answer>(rows, ReadAnswer);
  }
  Result<std::vector<WorkerSkill>> LoadSkills(int64_t project_id) override {
    static const std::string sql =
        Select(kSkillColumns, "FROM worker_skills WHERE project_id = $1 ORDER BY user_id");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, pg::Params().Add(project_id)));
    return ReadAll<WorkerSkill>(rows, ReadSkill);
  }
  Result<std::vector<std::pair<int64_t, int64_t>>> HeldAnswerCounts(int64_t project_id) override {
    TD_ASSIGN_OR_RETURN(pg::Rows rows,
                        Query("SELECT user_id, count(*) FROM answers WHERE project_id = $1 AND "
                              "review = 'held' GROUP BY user_id ORDER BY user_id",
                              pg::Params().Add(project_id)));
    std::vector<std::pair<int64_t, int64_t>> out;
    for (int i = 0; i < rows.rows(); ++i) out.emplace_back(rows.Int(i, 0), rows.Int(i, 1));
    return out;
  }
  Result<std::vector<WorkerReview>> LoadWorkerReviews(int64_t project_id) override {
    static const std::string sql =
        Select(kWorkerReviewColumns, "FROM worker_reviews WHERE project_id = $1 ORDER BY user_id");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, pg::Params().Add(project_id)));
    return ReadAll<WorkerReview>(rows, WorkerReviewRow);
  }
  Result<std::vector<User>> LoadUsers(const std::vector<int64_t>& ids) override {
    static const std::string sql =
        Select(kUserColumns, "FROM users WHERE id = ANY($1::bigint[]) ORDER BY id");
    TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, pg::Params().Add(pg::IntArray(ids))));
    return ReadAll<User>(rows, [](const pg::Rows& r, int i) { return ReadUser(r, i); });
  }

  LedgerReader& ledger() override { return *ledger_reader_; }

  Result<std::unique_ptr<LedgerReader>> SnapshotLedger() override {
    // A REPEATABLE READ transaction keeps one snapshot for every statement in it.
    TD_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> conn, pg::Connection::Open(url_));
    TD_RETURN_IF_ERROR(conn->ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    return std::unique_ptr<LedgerReader>(new PgLedgerReader(std::move(conn)));
  }

  Result<std::vector<ExportTask>> ReadTaskPage(int64_t project_id, int64_t after_task_id, int limit,
                                               std::string_view state) override {
    static const std::string tasks_sql =
        Select(kTaskColumns,
               "FROM tasks WHERE project_id = $1 AND id > $2 AND ($3 = '' OR state = $3) "
               "ORDER BY id LIMIT $4");
    static const std::string answers_sql = Select(
        kAnswerColumns, "FROM answers WHERE task_id = ANY($1::bigint[]) ORDER BY task_id, id");
    TD_ASSIGN_OR_RETURN(pg::Pool::Lease conn, readers_->Acquire());
    // One snapshot for the tasks and their answers.
    TD_RETURN_IF_ERROR(conn->ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    auto page = [&]() -> Result<std::vector<ExportTask>> {
      TD_ASSIGN_OR_RETURN(
          pg::Rows task_rows,
          conn->Exec(tasks_sql,
                     pg::Params().Add(project_id).Add(after_task_id).Add(state).Add(limit)));
      std::vector<ExportTask> out;
      std::vector<int64_t> ids;
      for (int i = 0; i < task_rows.rows(); ++i) {
        out.push_back(ExportTask{ReadTask(task_rows, i), {}});
        ids.push_back(out.back().task.id);
      }
      if (out.empty()) return out;
      TD_ASSIGN_OR_RETURN(pg::Rows answer_rows,
                          conn->Exec(answers_sql, pg::Params().Add(pg::IntArray(ids))));
      size_t t = 0;
      for (int i = 0; i < answer_rows.rows(); ++i) {
        Answer a = ReadAnswer(answer_rows, i);
        while (t < out.size() && out[t].task.id < a.task_id) ++t;
        if (t < out.size() && out[t].task.id == a.task_id) out[t].answers.push_back(std::move(a));
      }
      return out;
    }();
    (void)conn->ExecScript(page.ok() ? "COMMIT" : "ROLLBACK");
    return page;
  }

  bool shared() const override { return true; }

  Result<std::unique_ptr<Transaction>> Begin() override {
    TD_ASSIGN_OR_RETURN(pg::Pool::Lease conn, transactions_->Acquire());
    TD_RETURN_IF_ERROR(conn->ExecScript("BEGIN"));
    return std::unique_ptr<Transaction>(new PgTransaction(std::move(conn)));
  }

  Result<bool> HoldJobLease(std::string_view job) override {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    if (job_conn_) {
      // A lease lives as long as its session: check that the connection still stands.
      if (!job_conn_->ExecScript("SELECT 1").ok()) {
        job_conn_.reset();
        held_jobs_.clear();
      }
    }
    if (!job_conn_) {
      TD_ASSIGN_OR_RETURN(job_conn_, pg::Connection::Open(url_));
      held_jobs_.clear();
    }
    const std::string name(job);
    if (held_jobs_.count(name)) return true;
    TD_ASSIGN_OR_RETURN(pg::Rows rows,
                        job_conn_->Exec("SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                                        pg::Params().Add("tinydata-job:" + name)));
    const bool taken = rows.rows() == 1 && rows.Bool(0, 0);
    if (taken) held_jobs_.insert(name);
    return taken;
  }

 private:
  struct IdBlock {
    int64_t next = 0;
    int64_t end = 0;
  };

  Result<pg::Rows> Query(const std::string& sql, const pg::Params& params = {}) {
    TD_ASSIGN_OR_RETURN(pg::Pool::Lease conn, readers_->Acquire());
    return conn->Exec(sql, params);
  }

  Result<std::optional<User>> QueryUser(const std::string& sql, const pg::Params& params) {
    TD_ASSIGN_OR_RETURN(pg::Rows rows, Query(sql, params));
    return ReadFirst<User>(rows, [](const pg::Rows& r, int i) { return ReadUser(r, i); });
  }

  // GroupCommitter::CommitFn on the writer connection, with groups of one batch: each batch is a
  // transaction of its own, so no batch holds the locks of another while it waits for the rows
  // of a third (which would break the lock order across batches, transaction.h); one the
  // database aborts to break a deadlock is run again whole.
  void CommitGroup(std::span<const WriteBatch* const> group, std::vector<Status>& outcomes) {
    pg::Connection& c = *writer_;
    for (size_t i = 0; i < group.size(); ++i) {
      const WriteBatch& batch = *group[i];
      if (batch.empty()) continue;
      Status status;
      for (int attempt = 0; attempt < kBatchAttempts; ++attempt) {
        status = c.ResetIfBroken();
        if (status.ok()) status = c.ExecScript("BEGIN");
        if (!status.ok()) break;
        status = ApplyBatch(c, batch);
        if (status.ok()) {
          status = c.Commit();
        } else {
          (void)c.ExecScript("ROLLBACK");
        }
        if (status.code() != StatusCode::kAborted) break;
      }
      outcomes[i] = status;
    }
  }

  const std::string url_;
  const StoreOptions options_;
  std::unique_ptr<pg::Connection> writer_;  // used by the committer's thread only
  std::unique_ptr<pg::Pool> readers_;
  std::unique_ptr<pg::Pool> transactions_;
  std::unique_ptr<PgLedgerReader> ledger_reader_;  // over readers_

  std::mutex ids_mu_;
  std::array<IdBlock, 5> ids_{};

  std::mutex jobs_mu_;
  std::unique_ptr<pg::Connection> job_conn_;
  std::set<std::string> held_jobs_;

  std::unique_ptr<GroupCommitter> committer_;  // last: its thread uses everything above
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPgStore(const std::string& url, const StoreOptions& options) {
  auto store = std::make_unique<PgStore>(url, options);
  TD_RETURN_IF_ERROR(store->Open());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace tinydata::store
