// A rolled-back ledger through the real server: the server keeps the last checkpoint it saw in a
// file outside the database and refuses to start on a database whose log no longer extends it,
// and `tinydata ledger verify --trusted-checkpoint` names the rollback.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "api_fixture.h"
#include "support/database.h"

namespace tinydata::test {
namespace {

class LedgerRollbackTest : public ApiTest {
 protected:
  LedgerRollbackTest()
      : witness_(std::filesystem::temp_directory_path() /
                 ("td_witness_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                  ".checkpoint")) {
    std::filesystem::remove(witness_);
  }
  ~LedgerRollbackTest() override { std::filesystem::remove(witness_); }

  std::vector<std::string> ServerArgs() const override {
    return {"--checkpoint-file", witness_.string()};
  }

  // The tree size of the checkpoint in the file (0 while there is none).
  uint64_t SavedTreeSize() const {
    std::ifstream in(witness_);
    std::string origin, size;
    if (!std::getline(in, origin) || !std::getline(in, size)) return 0;
    return std::stoull(size);
  }

  bool WaitForSavedTreeSize(uint64_t size) const {
    for (int i = 0; i < 100; ++i) {
      if (SavedTreeSize() >= size) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  bool postgres() { return server().database_url().rfind("postgresql://", 0) == 0; }

  CommandResult Verify(const std::string& extra) {
    return Shell(std::string("'") + TINYDATA_BINARY + "' ledger verify --database '" +
                 server().database_url() + "' " + extra);
  }

  std::filesystem::path witness_;
};

TEST_F(LedgerRollbackTest, ServerRefusesADatabaseRolledBackBehindItsCheckpoint) {
  Account req = Register("req@example.org", "requester");
  ASSERT_EQ(GrantCredit(req.email, 100), 100);
  ASSERT_EQ(GrantCredit(req.email, 200), 300);
  ASSERT_TRUE(WaitForSavedTreeSize(2)) << server().log_text();
  Result<int> stopped = server().Stop();
  ASSERT_TRUE(stopped.ok() && *stopped == 0) << server().log_text();
  ASSERT_EQ(SavedTreeSize(), 2u);

  // The second grant goes, with the checkpoint that covered it: the database as an older
  // backup (or someone undoing a payment) would leave it.
  const std::string unlock = postgres() ? "DROP TRIGGER ledger_entries_no_edit ON ledger_entries;"
                                        : "DROP TRIGGER ledger_entries_no_delete;";
  ASSERT_TRUE(ExecSql(server().database_url(),
                      unlock + "DELETE FROM ledger_entries WHERE leaf_index = 1;"
                               "DELETE FROM ledger_checkpoints WHERE tree_size > 1")
                  .ok());

  Status restarted = server().Restart();
  EXPECT_FALSE(restarted.ok());
  const std::string log = server().log_text();
  EXPECT_NE(log.find("the ledger was rolled back"), std::string::npos) << log;
  EXPECT_NE(log.find("checkpoint-file"), std::string::npos) << log;
  EXPECT_EQ(SavedTreeSize(), 2u) << "the saved checkpoint must survive the refused start";

  CommandResult verified = Verify("--trusted-checkpoint '" + witness_.string() + "'");
  EXPECT_NE(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("rolled_back"), std::string::npos) << verified.output;

  // An operator who means it (a restore on purpose) moves the file away; the server then
  // starts and keeps the ledger's checkpoints from now on (the sequencer signs one for the
  // entry left uncovered).
  std::filesystem::rename(witness_, witness_.string() + ".old");
  restarted = server().Restart();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString() << server().log_text();
  EXPECT_TRUE(WaitForSavedTreeSize(1)) << server().log_text();
  EXPECT_EQ(SavedTreeSize(), 1u);
  std::filesystem::remove(witness_.string() + ".old");
}

TEST_F(LedgerRollbackTest, ServerRefusesACheckpointFileOfAnotherLedger) {
  Result<int> stopped = server().Stop();
  ASSERT_TRUE(stopped.ok() && *stopped == 0) << server().log_text();
  std::ofstream(witness_) << "not a checkpoint\n";
  EXPECT_FALSE(server().Restart().ok());
  const std::string log = server().log_text();
  EXPECT_NE(log.find("not a checkpoint of this ledger"), std::string::npos) << log;
  EXPECT_NE(log.find(witness_.string()), std::string::npos) << log;
}

TEST_F(LedgerRollbackTest, CheckpointFileFollowsTheLedger) {
  ASSERT_TRUE(WaitForSavedTreeSize(0));
  Account req = Register("req@example.org", "requester");
  ASSERT_EQ(GrantCredit(req.email, 5), 5);
  ASSERT_TRUE(WaitForSavedTreeSize(1)) << server().log_text();
  Result<int> stopped = server().Stop();
  ASSERT_TRUE(stopped.ok() && *stopped == 0) << server().log_text();
  CommandResult verified = Verify("--trusted-checkpoint '" + witness_.string() + "'");
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("trusted checkpoints: 1"), std::string::npos) << verified.output;
  ASSERT_TRUE(server().Restart().ok()) << server().log_text();
  EXPECT_NE(server().log_text().find("ledger extends the saved checkpoint"), std::string::npos);
}

}  // namespace
}  // namespace tinydata::test
