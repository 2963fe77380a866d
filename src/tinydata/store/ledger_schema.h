// The schema of the ledger and game tables (ledger_rows.h): one migration of migrations.cc, in
// SQLite's and PostgreSQL's dialect.
//
// Journal entries are immutable: triggers refuse deletes and any update except the sequencer's
// one-time assignment of leaf index and hash. (Triggers stop mistakes, not someone with write
// access to the database; `tinydata ledger verify` finds what they change.)
//
// PostgreSQL, where several servers post at once, adds what SQLite's single writer gives for
// free: entry ids come from the one-row table ledger_next_id, taken under its row lock by the
// posting transaction and held until it commits, so ids are gapless and in commit order (the
// sequencer and the verifier read the journal in id order); CHECK constraints refuse a negative
// non-treasury balance and AGT in circulation (minus the treasury's balance) above
// ledger::kAgtMaxSupply, whichever process posts.
#pragma once

namespace tinydata::store {

inline constexpr const char kLedgerMigrationSql[] = R"sql(
CREATE TABLE ledger_entries (
  id INTEGER PRIMARY KEY,
  created_at_s INTEGER NOT NULL,
  debit_account TEXT NOT NULL,
  credit_account TEXT NOT NULL,
  asset TEXT NOT NULL CHECK (asset IN ('AIA', 'AGT')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  reason TEXT NOT NULL,
  reference TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  leaf_index INTEGER UNIQUE,
  leaf_hash BLOB,
  UNIQUE (reference, reason),
  CHECK (debit_account <> credit_account),
  CHECK ((leaf_index IS NULL) = (leaf_hash IS NULL))
);
CREATE INDEX ledger_entries_unsequenced ON ledger_entries(id) WHERE leaf_index IS NULL;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'journal entries are immutable'); END;
CREATE TRIGGER ledger_entries_no_edit BEFORE UPDATE ON ledger_entries
WHEN OLD.leaf_index IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.created_at_s IS NOT OLD.created_at_s
  OR NEW.debit_account IS NOT OLD.debit_account OR NEW.credit_account IS NOT OLD.credit_account
  OR NEW.asset IS NOT OLD.asset OR NEW.amount IS NOT OLD.amount OR NEW.reason IS NOT OLD.reason
  OR NEW.reference IS NOT OLD.reference OR NEW.idempotency_key IS NOT OLD.idempotency_key
BEGIN SELECT RAISE(ABORT, 'journal entries are immutable'); END;
CREATE TABLE ledger_balances (
  account TEXT NOT NULL,
  asset TEXT NOT NULL CHECK (asset IN ('AIA', 'AGT')),
  balance INTEGER NOT NULL,
  PRIMARY KEY (account, asset)
) WITHOUT ROWID;
CREATE TABLE ledger_nodes (
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE ledger_checkpoints (
  tree_size INTEGER PRIMARY KEY,
  root_hash BLOB NOT NULL,
  timestamp_s INTEGER NOT NULL,
  note TEXT NOT NULL
);
CREATE TABLE checkins (
  user_id INTEGER NOT NULL REFERENCES users(id),
  day INTEGER NOT NULL,
  streak INTEGER NOT NULL CHECK (streak >= 1),
  bonus_aia INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (user_id, day)
) WITHOUT ROWID;
CREATE TABLE referrals (
  referee_id INTEGER PRIMARY KEY REFERENCES users(id),
  referrer_id INTEGER NOT NULL REFERENCES users(id),
  created_at_ms INTEGER NOT NULL,
  CHECK (referee_id <> referrer_id)
);
CREATE TABLE user_game (
  user_id INTEGER PRIMARY KEY REFERENCES users(id),
  reputation INTEGER NOT NULL,
  paused_until_day INTEGER NOT NULL
);
CREATE TABLE gold_results (
  user_id INTEGER NOT NULL REFERENCES users(id),
  day INTEGER NOT NULL,
  passes INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  PRIMARY KEY (user_id, day)
) WITHOUT ROWID;
CREATE TABLE daily_rewards (
  user_id INTEGER NOT NULL REFERENCES users(id),
  day INTEGER NOT NULL,
  aia INTEGER NOT NULL,
  PRIMARY KEY (user_id, day)
) WITHOUT ROWID;
CREATE TABLE xp_awards (
  reference TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  day INTEGER NOT NULL,
  xp INTEGER NOT NULL
);
CREATE INDEX xp_awards_day ON xp_awards(day, user_id);
)sql";

inline constexpr const char kLedgerMigrationPostgresSql[] = R"sql(
CREATE TABLE ledger_entries (
  id BIGINT PRIMARY KEY,
  created_at_s BIGINT NOT NULL,
  debit_account TEXT NOT NULL,
  credit_account TEXT NOT NULL,
  asset TEXT NOT NULL CHECK (asset IN ('AIA', 'AGT')),
  amount BIGINT NOT NULL CHECK (amount > 0),
  reason TEXT NOT NULL,
  reference TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  leaf_index BIGINT UNIQUE,
  leaf_hash BYTEA,
  UNIQUE (reference, reason),
  CHECK (debit_account <> credit_account),
  CHECK ((leaf_index IS NULL) = (leaf_hash IS NULL))
);
CREATE INDEX ledger_entries_unsequenced ON ledger_entries(id) WHERE leaf_index IS NULL;
CREATE TABLE ledger_next_id (
  only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
  next_id BIGINT NOT NULL
);
INSERT INTO ledger_next_id (only_row, next_id) VALUES (TRUE, 1);
CREATE FUNCTION ledger_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.leaf_index IS NOT NULL OR NEW.id IS DISTINCT FROM OLD.id
     OR NEW.created_at_s IS DISTINCT FROM OLD.created_at_s
     OR NEW.debit_account IS DISTINCT FROM OLD.debit_account
     OR NEW.credit_account IS DISTINCT FROM OLD.credit_account
     OR NEW.asset IS DISTINCT FROM OLD.asset OR NEW.amount IS DISTINCT FROM OLD.amount
     OR NEW.reason IS DISTINCT FROM OLD.reason OR NEW.reference IS DISTINCT FROM OLD.reference
     OR NEW.idempotency_key IS DISTINCT FROM OLD.idempotency_key THEN
    RAISE EXCEPTION 'journal entries are immutable';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ledger_entries_no_edit BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_immutable();
CREATE TABLE ledger_balances (
  account TEXT NOT NULL,
  asset TEXT NOT NULL CHECK (asset IN ('AIA', 'AGT')),
  balance BIGINT NOT NULL,
  PRIMARY KEY (account, asset),
  CONSTRAINT balance_not_negative CHECK (account = 'treasury' OR balance >= 0),
  CONSTRAINT agt_max_supply CHECK (account <> 'treasury' OR asset <> 'AGT'
                                   OR balance >= -5000000000)
);
CREATE TABLE ledger_nodes (
  level INTEGER NOT NULL,
  idx BIGINT NOT NULL,
  hash BYTEA NOT NULL,
  PRIMARY KEY (level, idx)
);
CREATE TABLE ledger_checkpoints (
  tree_size BIGINT PRIMARY KEY,
  root_hash BYTEA NOT NULL,
  timestamp_s BIGINT NOT NULL,
  note TEXT NOT NULL
);
CREATE TABLE checkins (
  user_id BIGINT NOT NULL REFERENCES users(id),
  day BIGINT NOT NULL,
  streak INTEGER NOT NULL CHECK (streak >= 1),
  bonus_aia BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (user_id, day)
);
CREATE TABLE referrals (
  referee_id BIGINT PRIMARY KEY REFERENCES users(id),
  referrer_id BIGINT NOT NULL REFERENCES users(id),
  created_at_ms BIGINT NOT NULL,
  CHECK (referee_id <> referrer_id)
);
CREATE TABLE user_game (
  user_id BIGINT PRIMARY KEY REFERENCES users(id),
  reputation INTEGER NOT NULL,
  paused_until_day BIGINT NOT NULL
);
CREATE TABLE gold_results (
  user_id BIGINT NOT NULL REFERENCES users(id),
  day BIGINT NOT NULL,
  passes BIGINT NOT NULL,
  failures BIGINT NOT NULL,
  PRIMARY KEY (user_id, day)
);
CREATE TABLE daily_rewards (
  user_id BIGINT NOT NULL REFERENCES users(id),
  day BIGINT NOT NULL,
  aia BIGINT NOT NULL,
  PRIMARY KEY (user_id, day)
);
CREATE TABLE xp_awards (
  reference TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  day BIGINT NOT NULL,
  xp BIGINT NOT NULL
);
CREATE INDEX xp_awards_day ON xp_awards(day, user_id);
)sql";

}  // namespace tinydata::store
