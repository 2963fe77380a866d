#include "tinydata/store/migrations.h"

#include "tinydata/store/ledger_schema.h"

namespace tinydata::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, "accounts, projects, tasks, assignments, answers, worker skills", R"sql(
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  roles INTEGER NOT NULL,
  level INTEGER NOT NULL DEFAULT 1,
  xp INTEGER NOT NULL DEFAULT 0,
  referral_code TEXT NOT NULL UNIQUE,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE tokens (
  token_hash BLOB PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  title TEXT NOT NULL,
  instructions TEXT NOT NULL,
  question_json TEXT NOT NULL,
  domain TEXT NOT NULL,
  tier INTEGER NOT NULL,
  min_level INTEGER NOT NULL,
  min_answers INTEGER NOT NULL,
  max_answers INTEGER NOT NULL,
  target_confidence REAL NOT NULL,
  reward_aia INTEGER NOT NULL,
  gold_rate REAL NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'paused')),
  created_at_ms INTEGER NOT NULL,
  CHECK (1 <= min_answers AND min_answers <= max_answers)
);
CREATE INDEX projects_owner ON projects(owner_id);
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  data_json TEXT NOT NULL,
  gold_json TEXT,
  state TEXT NOT NULL CHECK (state IN ('open', 'retired')),
  consensus_json TEXT NOT NULL DEFAULT '',
  confidence REAL NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL,
  retired_at_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_project ON tasks(project_id, id);
CREATE TABLE assignments (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  project_id INTEGER NOT NULL REFERENCES projects(id),
  issued_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('leased', 'answered', 'expired')),
  UNIQUE (task_id, user_id)
);
CREATE INDEX assignments_project ON assignments(project_id);
CREATE TABLE answers (
  id INTEGER PRIMARY KEY,
  assignment_id INTEGER NOT NULL UNIQUE REFERENCES assignments(id),
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  project_id INTEGER NOT NULL REFERENCES projects(id),
  value_json TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('pending', 'accepted', 'rejected')),
  response_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX answers_idempotency ON answers(user_id, idempotency_key)
  WHERE idempotency_key <> '';
CREATE INDEX answers_task ON answers(task_id);
CREATE INDEX answers_project ON answers(project_id);
CREATE TABLE worker_skills (
  user_id INTEGER NOT NULL REFERENCES users(id),
  project_id INTEGER NOT NULL REFERENCES projects(id),
  accuracy REAL NOT NULL,
  gold_seen INTEGER NOT NULL,
  gold_correct INTEGER NOT NULL,
  model_json TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (user_id, project_id)
) WITHOUT ROWID;
)sql"},
    {2, "ledger journal, transparency log, check-ins, referrals, game state",
     kLedgerMigrationSql},
};

}  // namespace

std::span<const Migration> AllMigrations() { return kMigrations; }

}  // namespace tinydata::store
