// WriteBatch: a set of row changes that commit atomically, the unit of the store's write path.
//
// A use case (register a user, lease an assignment, accept an answer and maybe retire its task)
// fills one batch and hands it to Store::Write. The store applies a batch all or nothing, and
// groups many batches into one database transaction (one durable commit) - see store.h.
// Changes are applied in the order of the members below, so a batch may insert a task and an
// assignment of it, or an answer and then the verdicts that include it.
//
// New kinds of change (ledger postings, XP updates) are added as further members; the
// backends apply them in the same transaction as the answer that caused them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tinydata/store/ledger_rows.h"
#include "tinydata/store/types.h"

namespace tinydata::store {

struct TaskUpdate {
  int64_t task_id = 0;
  std::string state;           // "open" | "retired"
  std::string consensus_json;  // empty: none yet
  double confidence = 0.0;
  int64_t retired_at_ms = 0;
};

struct AssignmentStateUpdate {
  int64_t assignment_id = 0;
  std::string state;  // "answered" | "expired"
};

struct VerdictUpdate {
  int64_t answer_id = 0;
  std::string verdict;  // "accepted" | "rejected"
};

// A review decision about one answer (and the verdict it gives it).
struct AnswerReviewUpdate {
  int64_t answer_id = 0;
  AnswerReview review = AnswerReview::kHeld;
  std::string verdict;  // "pending" | "accepted" | "rejected"
};

// A retired item joins the gold pool with its consensus as the gold answer.
struct GoldPromotion {
  int64_t task_id = 0;
  std::string gold_json;
};

// A worker put on hold: their counted answers on the project's open regular items become held
// (and stop counting towards the items' answers), so they leave the coming consensus.
struct WorkerHold {
  int64_t project_id = 0;
  int64_t user_id = 0;
};

// Records a full re-inference of a project: the answers it read; the skills version goes up by one
// (transaction.h ProjectInference).
struct ProjectInferenceUpdate {
  int64_t project_id = 0;
  int64_t answers = 0;
  int64_t inferred_at_ms = 0;
  int64_t typical_answer_ms = 0;  // the median time counted answers took (0: too few)
  int64_t timed_answers = 0;      // how many answers that median is over
};

struct UserProgressUpdate {
  int64_t user_id = 0;
  int32_t level = 1;
  int64_t xp = 0;
};

// When a token was last used (recorded now and then, not on every request).
struct TokenTouch {
  std::string token_hash;
  int64_t last_used_at_ms = 0;
};

struct WriteBatch {
  std::vector<User> insert_users;
  std::vector<UserProgressUpdate> update_user_progress;
  std::vector<Token> insert_tokens;
  std::vector<Project> upsert_projects;  // insert, or replace every column of an existing id
  std::vector<Task> insert_tasks;
  std::vector<Assignment> insert_assignments;
  std::vector<Answer> insert_answers;
  std::vector<TaskUpdate> update_tasks;
  std::vector<AssignmentStateUpdate> update_assignments;
  std::vector<VerdictUpdate> update_verdicts;
  std::vector<AnswerReviewUpdate> update_answer_reviews;
  std::vector<GoldPromotion> promote_gold;
  // Inserted, or merged into the row of (project, user): state, reason and spam score replaced,
  // fast_answers added; a rejected worker stays rejected.
  std::vector<WorkerReview> upsert_worker_reviews;
  std::vector<WorkerHold> hold_open_answers;
  std::vector<WorkerSkill> upsert_skills;
  // Inserts, or sets accuracy, model and time of an existing row, keeping its gold record (a
  // re-inference; the gold record is counted by the answer path meanwhile).
  std::vector<WorkerSkill> upsert_skill_models;
  std::vector<std::pair<std::string, std::string>> upsert_settings;
  // Inserted unless the key exists: the first writer wins (secrets that every server sharing the
  // database must agree on).
  std::vector<std::pair<std::string, std::string>> insert_settings;
  std::vector<std::string> revoke_token_hashes;
  std::vector<int64_t> revoke_user_tokens;  // every token of these users
  std::vector<TokenTouch> touch_tokens;
  std::vector<ProjectInferenceUpdate> upsert_inference;
  // Ledger postings and game state (ledger_rows.h), applied last, in the same transaction.
  LedgerChanges ledger;

  bool empty() const {
    return insert_users.empty() && update_user_progress.empty() && insert_tokens.empty() &&
           upsert_projects.empty() && insert_tasks.empty() && insert_assignments.empty() &&
           insert_answers.empty() && update_tasks.empty() && update_assignments.empty() &&
           update_verdicts.empty() && update_answer_reviews.empty() && promote_gold.empty() &&
           upsert_worker_reviews.empty() && hold_open_answers.empty() &&
           upsert_skills.empty() &&
           upsert_skill_models.empty() && upsert_settings.empty() && insert_settings.empty() &&
           revoke_token_hashes.empty() && revoke_user_tokens.empty() && touch_tokens.empty() &&
           upsert_inference.empty() && ledger.empty();
  }
};

}  // namespace tinydata::store
