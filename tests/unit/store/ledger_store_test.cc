// The ledger and game tables of both stores: postings obey the rules inside the write.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "backend_fixture.h"
#include "tinydata/ledger/entry.h"
#include "tinydata/store/store.h"

namespace tinydata::store {
namespace {

using ledger::Asset;
using ledger::Posting;

class LedgerStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    store_ = Open();
    ASSERT_NE(store_, nullptr);
    WriteBatch b;
    for (int i = 1; i <= 2; ++i) {
      User u;
      u.id = store_->NextId(IdKind::kUser).value();
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
    BackendTest::TearDown();
  }

  Status Post(std::vector<Posting> postings) {
    WriteBatch b;
    b.ledger.postings = std::move(postings);
    b.ledger.posted_at_unix_seconds = 1'700'000'000;
    return store_->WriteSync(std::move(b));
  }

  // A posting under the reason of the ledger flow between the two accounts (ledger/flows.h).
  static Posting Pay(std::string from, std::string to, int64_t amount, std::string reference,
                     Asset asset = Asset::kAia) {
    using ledger::AccountKind;
    const AccountKind d = ledger::KindOfAccount(from).value();
    const AccountKind c = ledger::KindOfAccount(to).value();
    const char* reason = asset == Asset::kAgt             ? "agt_grant"
                         : d == AccountKind::kTreasury    ? "credit_grant"
                         : c == AccountKind::kProject     ? "project_funding"
                         : c == AccountKind::kTreasury    ? "level_up"
                         : d == AccountKind::kPool        ? "checkin_bonus"
                                                          : "answer_reward";
    return Posting{std::move(from), std::move(to), asset, amount, reason, std::move(reference), ""};
  }
  // Puts `amount` into project:1's budget the way the flows allow: credit, then funding.
  std::vector<Posting> FundProject(int64_t amount) {
    return {Pay("treasury", "user:9", amount, "invoice"), Pay("user:9", "project:1", amount, "fund")};
  }

  std::unique_ptr<Store> store_;
};

TEST_P(LedgerStoreTest, PostingsMoveBalancesAndAreStoredInIdOrder) {
  std::vector<Posting> postings = FundProject(100);
  postings.push_back(Pay("project:1", "user:1", 30, "r2"));
  ASSERT_TRUE(Post(postings).ok());
  EXPECT_EQ(store_->ledger().Balance("project:1", Asset::kAia).value(), 70);
  EXPECT_EQ(store_->ledger().Balance("user:1", Asset::kAia).value(), 30);
  EXPECT_EQ(store_->ledger().Balance("treasury", Asset::kAia).value(), -100);
  auto rows = store_->ledger().ReadEntries(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_LT((*rows)[0].entry.id, (*rows)[1].entry.id);
  EXPECT_LT((*rows)[1].entry.id, (*rows)[2].entry.id);
  EXPECT_EQ((*rows)[2].entry.idempotency_key, "answer_reward/r2");
  EXPECT_EQ((*rows)[2].entry.created_at_unix_seconds, 1'700'000'000);
  EXPECT_FALSE((*rows)[0].leaf_index.has_value());
}

TEST_P(LedgerStoreTest, OverdraftRollsBackTheWholeBatch) {
  WriteBatch b;
  b.ledger.add_user_xp.push_back({1, 10});
  b.ledger.postings.push_back(Pay("user:1", "project:1", 5, "r1"));
  EXPECT_EQ(store_->WriteSync(std::move(b)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->FindUserById(1).value()->xp, 0);
  EXPECT_TRUE(store_->ledger().ReadEntries(0, 10)->empty());
}

// The store checks the ledger's flows inside the write, so no caller can mint AIA.
TEST_P(LedgerStoreTest, PostingsOutsideTheLedgerFlowsAreRefused) {
  Posting mint = Pay("treasury", "project:1", 100, "mint");
  mint.reason = "project_funding";
  const Status status = Post({mint});
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.field(), "postings[0].reason");
  EXPECT_TRUE(store_->ledger().ReadEntries(0, 10)->empty());
}

TEST_P(LedgerStoreTest, FindsAnEntryByItsIdempotencyKey) {
  ASSERT_TRUE(Post({Pay("treasury", "user:1", 10, "inv-1")}).ok());
  auto found = store_->ledger().EntryByKey("credit_grant/inv-1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->entry.amount, 10);
  EXPECT_FALSE(store_->ledger().EntryByKey("credit_grant/inv-2")->has_value());
}

TEST_P(LedgerStoreTest, SecondPostingForSameReasonAndReferenceIsRefused) {
  ASSERT_TRUE(Post({Pay("treasury", "user:1", 10, "answer:1")}).ok());
  EXPECT_EQ(Post({Pay("treasury", "user:1", 10, "answer:1")}).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->ledger().Balance("user:1", Asset::kAia).value(), 10);
}

TEST_P(LedgerStoreTest, AgtSupplyIsCapped) {
  ASSERT_TRUE(Post({Pay("treasury", "user:1", ledger::kAgtMaxSupply, "g1", Asset::kAgt)}).ok());
  EXPECT_EQ(Post({Pay("treasury", "user:2", 1, "g2", Asset::kAgt)}).code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->ledger().BalancesOf("user:1")->agt, ledger::kAgtMaxSupply);
}

TEST_P(LedgerStoreTest, SequencerAssignsEachLeafOnce) {
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

TEST_P(LedgerStoreTest, JournalRowsCannotBeDeletedOrEditedThroughSql) {
  ASSERT_TRUE(Post({Pay("treasury", "user:1", 10, "r1")}).ok());
  store_->Close();
  EXPECT_FALSE(Exec("DELETE FROM ledger_entries").ok());
  EXPECT_FALSE(Exec("UPDATE ledger_entries SET amount = 99").ok());
  EXPECT_FALSE(Exec("UPDATE ledger_entries SET reason = 'other'").ok());
}

TEST_P(LedgerStoreTest, GameRowsAccumulateAndReadBack) {
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

TEST_P(LedgerStoreTest, SecondCheckinOnSameDayIsRefused) {
  WriteBatch b;
  b.ledger.insert_checkins.push_back({1, 7, 1, 5, 0});
  ASSERT_TRUE(store_->WriteSync(b).ok());
  EXPECT_EQ(store_->WriteSync(b).code(), StatusCode::kAlreadyExists);
}

TEST_P(LedgerStoreTest, ConcurrentPostersNeverOverdrawAndJournalIdsStayGapless) {
  // Two stores on one database stand for two servers (one store on SQLite).
  std::unique_ptr<Store> second = postgres() ? Open() : nullptr;
  Store* stores[] = {store_.get(), second ? second.get() : store_.get()};
  ASSERT_TRUE(Post(FundProject(100)).ok());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> paid{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        WriteBatch b;
        b.ledger.posted_at_unix_seconds = 1'700'000'000;
        b.ledger.postings.push_back(
            Pay("project:1", "user:" + std::to_string(1 + i % 2), 1,
                "answer:" + std::to_string(t * kPerThread + i)));
        const Status s = stores[t % 2]->WriteSync(std::move(b));
        if (s.ok()) {
          ++paid;
        } else if (s.code() == StatusCode::kFailedPrecondition) {
          ++refused;
        } else {
          ADD_FAILURE() << s.ToString();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(paid.load(), 100) << "the budget pays exactly 100 single-unit rewards";
  EXPECT_EQ(refused.load(), kThreads * kPerThread - 100);
  EXPECT_EQ(store_->ledger().Balance("project:1", Asset::kAia).value(), 0);
  auto rows = store_->ledger().ReadEntries(0, 1000);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 102u);  // the funding (credit, then budget) and 100 rewards
  for (size_t i = 0; i < rows->size(); ++i) {
    EXPECT_EQ((*rows)[i].entry.id, static_cast<int64_t>(i + 1)) << "ids are 1, 2, 3, ...";
  }
}

TEST_P(LedgerStoreTest, SnapshotReaderKeepsSeeingTheJournalAsItWasWhenFirstRead) {
  ASSERT_TRUE(Post({Pay("treasury", "user:1", 10, "r1")}).ok());
  auto snapshot = store_->SnapshotLedger();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_EQ((*snapshot)->ReadEntries(0, 10)->size(), 1u);
  ASSERT_TRUE(Post({Pay("treasury", "user:1", 5, "r2")}).ok());
  EXPECT_EQ((*snapshot)->ReadEntries(0, 10)->size(), 1u);
  EXPECT_EQ((*snapshot)->Balance("user:1", Asset::kAia).value(), 10)
      << "entries and balances come from one snapshot";
  EXPECT_EQ(store_->ledger().ReadEntries(0, 10)->size(), 2u);
  EXPECT_EQ(store_->ledger().Balance("user:1", Asset::kAia).value(), 15);
}

TINYDATA_INSTANTIATE_BACKENDS(LedgerStoreTest);

}  // namespace
}  // namespace tinydata::store
