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
    service::ManualClock clock(1'790'000'000'000);
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

  std::vector<ledger::Problem> Verify() {
    auto report = VerifyLedgerDatabase({path_, ""});
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
  auto report = VerifyLedgerDatabase({path_, ""});
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
  auto report = VerifyLedgerDatabase({path_, key_path});
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

TEST_F(LedgerVerifyTest, MissingDatabaseIsAnErrorNotAnEmptyLedger) {
  auto report = VerifyLedgerDatabase({(dir_ / "nope.db").string(), ""});
  EXPECT_EQ(report.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(report.status().field(), "database");
}

}  // namespace
}  // namespace tinydata::cli
