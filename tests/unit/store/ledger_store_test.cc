// The ledger and game tables of the SQLite store: postings obey the rules inside the write.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tinydata/ledger/entry.h"
#include "tinydata/store/store.h"

namespace tinydata::store {
namespace {

using ledger::Asset;
using ledger::Posting;

class LedgerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("td_ledger_store_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto opened = OpenStore((dir_ / "t.db").string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    WriteBatch b;
    for (int i = 1; i <= 2; ++i) {
      User u;
      u.id = store_->NextId(IdKind::kUser);
      u.email = "u" + std::to_string(i) + "@x.org";
      u.password_hash = "x";
      u.display_name = "user" + std::to_string(i);
      u.referral_code = "code" + std::to_string(i);
      b.insert_users.push_back(u);
    }
    ASSERT_TRUE(store_->WriteSync(std::move(b)).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Status Post(std::vector<Posting> postings) {
    WriteBatch b;
    b.ledger.postings = std::move(postings);
    b.ledger.posted_at_unix_seconds = 1'700'000'000;
    return store_->WriteSync(std::move(b));
  }

  static Posting Pay(std::string from, std::string to, int64_t amount, std::string reference,
                     Asset asset = Asset::kAia) {
    return Posting{std::move(from), std::move(to), asset, amount, "test", std::move(reference), ""};
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(LedgerStoreTest, PostingsMoveBalancesAndAreStoredInIdOrder) {
  ASSERT_TRUE(
      Post({Pay("treasury", "project:1", 100, "r1"), Pay("project:1", "user:1", 30, "r2")}).ok());
  EXPECT_EQ(store_->ledger().Balance("project:1", Asset::kAia).value(), 70);
  EXPECT_EQ(store_->ledger().Balance("user:1", Asset::kAia).value(), 30);
  EXPECT_EQ(store_->ledger().Balance("treasury", Asset::kAia).value(), -100);
  auto rows = store_->ledger().ReadEntries(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_LT((*rows)[0].entry.id, (*rows)[1].entry.id);
  EXPECT_EQ((*rows)[1].entry.idempotency_key, "test/r2");
  EXPECT_EQ((*rows)[1].entry.created_at_unix_seconds, 1'700'000'000);
  EXPECT_FALSE((*rows)[0].leaf_index.has_value());
}

TEST_F(LedgerStoreTest, OverdraftRollsBackTheWholeBatch) {
  WriteBatch b;
  b.ledger.add_user_xp.push_back({1, 10});
  b.ledger.postings.push_back(Pay("user:1", "user:2", 5, "r1"));
  EXPECT_EQ(store_->WriteSync(std::move(b)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->FindUserById(1).value()->xp, 0);
  EXPECT_TRUE(store_->ledger().ReadEntries(0, 10)->empty());
}

TEST_F(LedgerStoreTest, SecondPostingForSameReasonAndReferenceIsRefused) {
  ASSERT_TRUE(Post({Pay("treasury", "user:1", 10, "answer:1")}).ok());
  EXPECT_EQ(Post({Pay("treasury", "user:1", 10, "answer:1")}).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->ledger().Balance("user:1", Asset::kAia).value(), 10);
}

TEST_F(LedgerStoreTest, AgtSupplyIsCapped) {
  ASSERT_TRUE(Post({Pay("treasury", "user:1", ledger::kAgtMaxSupply, "g1", Asset::kAgt)}).ok());
  EXPECT_EQ(Post({Pay("treasury", "user:2", 1, "g2", Asset::kAgt)}).code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->ledger().BalancesOf("user:1")->agt, ledger::kAgtMaxSupply);
}

TEST_F(LedgerStoreTest, SequencerAssignsEachLeafOnce) {
  ASSERT_TRUE(Post({Pay("treasury", "user:1", 10, "r1")}).ok());
  auto pending = store_->ledger().ReadUnsequenced(10);
  ASSERT_EQ(pending->size(), 1u);
  WriteBatch b;
  b.ledger.assign_leaves.push_back(
      {(*pending)[0].entry.id, 0, ledger::EntryLeafHash((*pending)[0].entry)});
  b.ledger.insert_nodes.push_back({{0, 0}, ledger::EntryLeafHash((*pending)[0].entry)});
  b.ledger.insert_checkpoints.push_back({1, ledger::EntryLeafHash((*pending)[0].entry), 5, "note"});
  ASSERT_TRUE(store_->WriteSync(b).ok());
  EXPECT_TRUE(store_->ledger().ReadUnsequenced(10)->empty());
  EXPECT_EQ(store_->ledger().SequencedCount().value(), 1u);
  EXPECT_EQ(store_->ledger().EntryAtLeaf(0).value()->entry.id, (*pending)[0].entry.id);
  EXPECT_EQ(store_->ledger().LatestCheckpoint().value()->note, "note");
  EXPECT_TRUE(store_->ledger().MerkleNode({0, 0}).ok());
  EXPECT_EQ(store_->ledger().MerkleNode({0, 1}).status().code(), StatusCode::kNotFound);
  WriteBatch again;
  again.ledger.assign_leaves = b.ledger.assign_leaves;
  EXPECT_EQ(store_->WriteSync(std::move(again)).code(), StatusCode::kConflict);
}

TEST_F(LedgerStoreTest, JournalRowsCannotBeDeletedOrEditedThroughSql) {
  ASSERT_TRUE(Post({Pay("treasury", "user:1", 10, "r1")}).ok());
  store_->Close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "t.db").c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM ledger_entries", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE ledger_entries SET amount = 99", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
}

TEST_F(LedgerStoreTest, GameRowsAccumulateAndReadBack) {
  WriteBatch b;
  b.ledger.add_daily_rewards.push_back({1, 7, 30});
  b.ledger.add_daily_rewards.push_back({1, 7, 12});
  b.ledger.add_gold_results.push_back({1, 7, 2, 1});
  b.ledger.insert_checkins.push_back({1, 7, 3, 8, 0});
  b.ledger.insert_referrals.push_back({2, 1, 0});
  b.ledger.upsert_user_game.push_back({1, 80, 0});
  b.ledger.xp_awards.push_back({1, 7, 9, "answer:1"});
  b.ledger.xp_awards.push_back({2, 7, 4, "answer:2"});
  b.ledger.add_user_xp.push_back({1, 9});
  b.ledger.set_user_level.push_back({1, 2});
  ASSERT_TRUE(store_->WriteSync(std::move(b)).ok());
  LedgerReader& r = store_->ledger();
  EXPECT_EQ(r.DailyRewardAia(1, 7).value(), 42);
  EXPECT_EQ(r.DailyRewardAia(1, 8).value(), 0);
  EXPECT_EQ(r.GoldHistory(1)->at(0).passes, 2);
  EXPECT_EQ(r.LatestCheckin(1).value()->streak, 3);
  EXPECT_EQ(r.ReferrerOf(2).value(), 1);
  EXPECT_FALSE(r.ReferrerOf(1).value().has_value());
  EXPECT_EQ(r.UserGame(1).value()->reputation, 80);
  auto board = r.Leaderboard(7, 7, 10);
  ASSERT_EQ(board->size(), 2u);
  EXPECT_EQ((*board)[0].display_name, "user1");
  EXPECT_EQ(store_->FindUserById(1).value()->xp, 9);
  EXPECT_EQ(store_->FindUserById(1).value()->level, 2);
}

TEST_F(LedgerStoreTest, SecondCheckinOnSameDayIsRefused) {
  WriteBatch b;
  b.ledger.insert_checkins.push_back({1, 7, 1, 5, 0});
  ASSERT_TRUE(store_->WriteSync(b).ok());
  EXPECT_EQ(store_->WriteSync(b).code(), StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace tinydata::store
