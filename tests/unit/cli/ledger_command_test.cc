// `tinydata ledger verify` on a real SQLite file: intact, then with single rows tampered.
#include "tinydata/cli/ledger_command.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "tinydata/service/clock.h"
#include "tinydata/service/game_service.h"
#include "tinydata/service/ledger_service.h"
#include "tinydata/store/store.h"

namespace tinydata::cli {
namespace {

LedgerVerifyOptions OptionsFor(const std::string& database) {
  LedgerVerifyOptions options;
  options.database = database;
  return options;
}

constexpr int64_t kBuiltAt = 1'790'000'000;

class LedgerVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("td_ledger_verify_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "t.db").string();
    BuildLedger();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Six entries (ids 1..6): five credit grants (the check-in pool, then user 1) and a check-in
  // of user 1; the first four sequenced under two checkpoints, the rest pending.
  void BuildLedger() {
    auto store = store::OpenStore(path_).value();
    service::ManualClock clock(kBuiltAt * 1000);
    store::WriteBatch users;
    store::User u;
    u.id = 1;
    u.email = "a@x.org";
    u.password_hash = "x";
    u.display_name = "a";
    u.referral_code = "A";
    users.insert_users.push_back(u);
    ASSERT_TRUE(store->WriteSync(std::move(users)).ok());
    auto game = service::GameService::Create(store.get(), &clock, {}).value();
    auto ledger = service::LedgerService::Open(store.get(), &clock).value();
    verifier_key_ = ledger->verifier_key_text();
    const std::string wallet = game->accounts().OfUser(1);
    ASSERT_TRUE(game->GrantCredit("pool:checkin", 100, "f1").ok());
    ASSERT_TRUE(game->GrantCredit(wallet, 200, "f2").ok());
    ASSERT_TRUE(ledger->Sequence().ok());
    ASSERT_TRUE(game->GrantCredit(wallet, 300, "f3").ok());
    ASSERT_TRUE(game->GrantCredit(wallet, 400, "f4").ok());
    ASSERT_TRUE(ledger->Sequence().ok());
    ASSERT_TRUE(game->GrantCredit(wallet, 500, "f5").ok());
    ASSERT_TRUE(game->CheckIn(1).ok());
    store->Close();
  }

  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  // The options of a verify run right after BuildLedger (its clock's time).
  LedgerVerifyOptions Options() const {
    LedgerVerifyOptions options = OptionsFor(path_);
    options.now_unix_seconds = kBuiltAt + 5;
    return options;
  }

  std::vector<ledger::Problem> Verify() {
    auto report = VerifyLedgerDatabase(Options());
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? report->problems : std::vector<ledger::Problem>{};
  }

  static bool Names(const std::vector<ledger::Problem>& problems, ledger::ProblemKind kind,
                    int64_t entry_id) {
    return std::any_of(problems.begin(), problems.end(), [&](const ledger::Problem& p) {
      return p.kind == kind && p.entry_id == entry_id;
    });
  }

  std::filesystem::path dir_;
  std::string path_;
  std::string verifier_key_;
};

TEST_F(LedgerVerifyTest, IntactLedgerPasses) {
  auto report = VerifyLedgerDatabase(Options());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->problems.empty()) << FormatLedgerVerifyReport(*report);
  EXPECT_EQ(report->entries, 6);
  EXPECT_EQ(report->sequenced, 4);
  EXPECT_EQ(report->checkpoints, 2);
  EXPECT_NE(FormatLedgerVerifyReport(*report).find("ledger ok"), std::string::npos);
}

TEST_F(LedgerVerifyTest, PassesWithPublishedVerifierKeyFile) {
  const std::string key_path = (dir_ / "ledger.pub").string();
  std::ofstream(key_path) << verifier_key_ << "\n";
  LedgerVerifyOptions options = Options();
  options.verifier_key_path = key_path;
  auto report = VerifyLedgerDatabase(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->problems.empty());
  EXPECT_FALSE(report->key_from_database);
}

TEST_F(LedgerVerifyTest, EditedAmountIsReportedWithItsId) {
  Sql("DROP TRIGGER ledger_entries_no_edit; UPDATE ledger_entries SET amount = 999 WHERE id = 2");
  auto problems = Verify();
  EXPECT_TRUE(Names(problems, ledger::ProblemKind::kEditedEntry, 2));
}

TEST_F(LedgerVerifyTest, EditedAmountWithMatchingBalanceIsStillCaught) {
  Sql("DROP TRIGGER ledger_entries_no_edit; UPDATE ledger_entries SET amount = 999 WHERE id = 2;"
      "UPDATE ledger_balances SET balance = balance + 799 WHERE account LIKE 'user:%';"
      "UPDATE ledger_balances SET balance = balance - 799 WHERE account = 'treasury'");
  EXPECT_TRUE(Names(Verify(), ledger::ProblemKind::kEditedEntry, 2));
}

TEST_F(LedgerVerifyTest, EditedUnsequencedEntryShowsAsBalanceMismatch) {
  Sql("DROP TRIGGER ledger_entries_no_edit; UPDATE ledger_entries SET amount = 1 WHERE id = 5");
  auto problems = Verify();
  EXPECT_TRUE(std::any_of(problems.begin(), problems.end(), [](const ledger::Problem& p) {
    return p.kind == ledger::ProblemKind::kBalanceMismatch;
  }));
}

TEST_F(LedgerVerifyTest, DeletedEntryIsReportedWithItsId) {
  Sql("DROP TRIGGER ledger_entries_no_delete; DELETE FROM ledger_entries WHERE id = 3");
  EXPECT_TRUE(Names(Verify(), ledger::ProblemKind::kMissingEntry, 3));
}

TEST_F(LedgerVerifyTest, DeletedLastSequencedEntryIsReported) {
  Sql("DROP TRIGGER ledger_entries_no_delete; DELETE FROM ledger_entries WHERE id = 4");
  EXPECT_TRUE(Names(Verify(), ledger::ProblemKind::kMissingEntry, 4));
}

TEST_F(LedgerVerifyTest, ReorderedEntriesAreReported) {
  Sql("DROP TRIGGER ledger_entries_no_edit;"
      "UPDATE ledger_entries SET leaf_index = -1 WHERE id = 2;"
      "UPDATE ledger_entries SET leaf_index = 1 WHERE id = 3;"
      "UPDATE ledger_entries SET leaf_index = 2 WHERE id = 2");
  auto problems = Verify();
  EXPECT_TRUE(Names(problems, ledger::ProblemKind::kOutOfOrder, 2) ||
              Names(problems, ledger::ProblemKind::kOutOfOrder, 3));
}

TEST_F(LedgerVerifyTest, EditedBalanceRowIsReported) {
  Sql("UPDATE ledger_balances SET balance = balance + 1 WHERE account LIKE 'user:%'");
  auto problems = Verify();
  EXPECT_TRUE(std::any_of(problems.begin(), problems.end(), [](const ledger::Problem& p) {
    return p.kind == ledger::ProblemKind::kBalanceMismatch &&
           p.message.find("user:") != std::string::npos;
  }));
}

TEST_F(LedgerVerifyTest, ForgedCheckpointIsReported) {
  Sql("UPDATE ledger_checkpoints SET note = replace(note, char(10) || '4' || char(10), "
      "char(10) || '3' || char(10)) WHERE tree_size = 4");
  auto problems = Verify();
  EXPECT_TRUE(std::any_of(problems.begin(), problems.end(), [](const ledger::Problem& p) {
    return p.kind == ledger::ProblemKind::kBadCheckpoint;
  }));
}

// The latest checkpoint, as a server's --checkpoint-file or a user who fetched it keeps it.
std::string SaveLatestCheckpoint(const std::string& db_path, const std::string& file) {
  auto store = store::OpenStore(db_path).value();
  auto row = store->ledger().LatestCheckpoint().value();
  store->Close();
  std::ofstream(file, std::ios::binary) << row->note;
  return row->note;
}

TEST_F(LedgerVerifyTest, RollbackIsReportedAgainstATrustedCheckpoint) {
  const std::string saved = (dir_ / "seen.checkpoint").string();
  SaveLatestCheckpoint(path_, saved);
  // Entries 3 and 4 (the grants of 300 and 400) go with their nodes and checkpoint, and the
  // balances are fixed: what is left is a consistent, smaller ledger.
  Sql("DROP TRIGGER ledger_entries_no_delete; DELETE FROM ledger_entries WHERE id IN (3, 4);"
      "DELETE FROM ledger_nodes WHERE (level = 0 AND idx >= 2) OR (level = 1 AND idx = 1) "
      "OR level = 2;"
      "DELETE FROM ledger_checkpoints WHERE tree_size = 4;"
      "UPDATE ledger_balances SET balance = balance - 700 WHERE account LIKE 'user:%' AND "
      "asset = 'AIA';"
      "UPDATE ledger_balances SET balance = balance + 700 WHERE account = 'treasury' AND "
      "asset = 'AIA'");
  auto problems = Verify();
  EXPECT_TRUE(problems.empty()) << problems.front().message;

  LedgerVerifyOptions options = Options();
  options.trusted_checkpoint_paths = {saved};
  auto report = VerifyLedgerDatabase(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(Names(report->problems, ledger::ProblemKind::kRolledBack, 3))
      << FormatLedgerVerifyReport(*report);
  EXPECT_NE(FormatLedgerVerifyReport(*report).find("trusted checkpoints: 1"), std::string::npos);
}

TEST_F(LedgerVerifyTest, UnreadableTrustedCheckpointIsAnError) {
  LedgerVerifyOptions options = Options();
  options.trusted_checkpoint_paths = {(dir_ / "nope").string()};
  auto report = VerifyLedgerDatabase(options);
  EXPECT_EQ(report.status().field(), "trusted-checkpoint");
}

TEST_F(LedgerVerifyTest, DeletedCheckpointsAreReported) {
  Sql("DELETE FROM ledger_checkpoints");
  EXPECT_TRUE(Names(Verify(), ledger::ProblemKind::kMissingCheckpoint, 1));
}

TEST_F(LedgerVerifyTest, InjectedUnsequencedMintIsReported) {
  // A grant written straight into the journal, dated before the last checkpoint, balances
  // fixed to match.
  Sql("INSERT INTO ledger_entries (id, created_at_s, debit_account, credit_account, asset, "
      "amount, reason, reference, idempotency_key) SELECT 7, " +
      std::to_string(kBuiltAt - 3600) +
      ", 'treasury', account, 'AIA', 1000000, 'credit_grant', 'inv:x', 'grant:x' "
      "FROM ledger_balances WHERE account LIKE 'user:%' AND asset = 'AIA';"
      "UPDATE ledger_balances SET balance = balance + 1000000 WHERE account LIKE 'user:%' AND "
      "asset = 'AIA';"
      "UPDATE ledger_balances SET balance = balance - 1000000 WHERE account = 'treasury' AND "
      "asset = 'AIA'");
  auto problems = Verify();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, ledger::ProblemKind::kUnsequenced);
  EXPECT_EQ(problems[0].entry_id, 7);
}

TEST_F(LedgerVerifyTest, EntriesLeftUnsequencedAreReportedLater) {
  LedgerVerifyOptions options = Options();
  options.now_unix_seconds = kBuiltAt + 601;  // entries 5 and 6 were never sequenced
  auto report = VerifyLedgerDatabase(options);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(Names(report->problems, ledger::ProblemKind::kUnsequenced, 5));
  EXPECT_TRUE(Names(report->problems, ledger::ProblemKind::kUnsequenced, 6));
  options.max_unsequenced_seconds = 0;
  EXPECT_TRUE(VerifyLedgerDatabase(options)->problems.empty());
}

TEST_F(LedgerVerifyTest, MissingDatabaseIsAnErrorNotAnEmptyLedger) {
  auto report = VerifyLedgerDatabase(OptionsFor((dir_ / "nope.db").string()));
  EXPECT_EQ(report.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(report.status().field(), "database");
}

}  // namespace
}  // namespace tinydata::cli
