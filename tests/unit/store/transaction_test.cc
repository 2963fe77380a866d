// store::Transaction on PostgreSQL: what a transaction that waited for a lock reads is what the
// transaction it waited for committed, so two servers' decisions on the same rows compose.
// (A SQLite store has no transactions: one server decides from memory.)
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "backend_fixture.h"

namespace tinydata::store {
namespace {

using namespace std::chrono_literals;

class TransactionTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    first_ = Open();
    second_ = Open();  // another server on the same database
    ASSERT_TRUE(first_ && second_);
    WriteBatch b;
    User u;
    u.id = first_->NextId(IdKind::kUser).value();
    u.email = "u@x.org";
    u.password_hash = "x";
    u.display_name = "u";
    u.referral_code = "code-u";
    b.insert_users.push_back(u);
    Project p;
    p.id = first_->NextId(IdKind::kProject).value();
    p.owner_id = u.id;
    p.title = "p";
    p.question_json = "{}";
    b.upsert_projects.push_back(p);
    ASSERT_TRUE(first_->WriteSync(std::move(b)).ok());
    user_ = u.id;
    project_ = p.id;
  }
  void TearDown() override {
    first_.reset();
    second_.reset();
    BackendTest::TearDown();
  }

  std::unique_ptr<Transaction> Begin(Store& store) {
    auto txn = store.Begin();
    EXPECT_TRUE(txn.ok()) << txn.status().ToString();
    return txn.ok() ? std::move(txn).value() : nullptr;
  }

  std::unique_ptr<Store> first_;
  std::unique_ptr<Store> second_;
  int64_t user_ = 0;
  int64_t project_ = 0;
};

TEST_P(TransactionTest, RewardStateReadAfterAWaitIncludesWhatTheHolderCommitted) {
  constexpr int64_t kDay = 20'000;
  auto a = Begin(*first_);
  auto state = a->LockRewardStates({user_}, kDay);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  ASSERT_EQ(state->size(), 1u);
  EXPECT_EQ((*state)[0].daily_aia, 0);
  WriteBatch paid;
  paid.ledger.add_daily_rewards.push_back({user_, kDay, 10});
  paid.ledger.upsert_user_game.push_back({user_, 60, 0});
  ASSERT_TRUE(a->Apply(paid).ok());

  // The second server's settlement of the same user waits for the first one...
  auto waited = std::async(std::launch::async, [&] {
    auto b = Begin(*second_);
    auto s = b->LockRewardStates({user_}, kDay);
    EXPECT_TRUE(b->Commit().ok());
    return s;
  });
  EXPECT_EQ(waited.wait_for(300ms), std::future_status::timeout) << "the user row is locked";
  ASSERT_TRUE(a->Commit().ok());
  // ...and then decides on what it committed: the cap room used, the new reputation.
  auto seen = waited.get();
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ((*seen)[0].daily_aia, 10);
  ASSERT_TRUE((*seen)[0].game.has_value());
  EXPECT_EQ((*seen)[0].game->reputation, 60);
}

TEST_P(TransactionTest, FirstGoldRecordOfAWorkerIsCountedOnceByEachOfTwoServers) {
  WorkerSkill initial;
  initial.accuracy = 0.7;
  initial.model_json = "{}";
  auto a = Begin(*first_);
  auto row = a->LockSkill(user_, project_, initial);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(row->gold_seen, 0) << "created at its initial values";
  WorkerSkill counted = *row;
  ++counted.gold_seen;
  WriteBatch one;
  one.upsert_skills.push_back(counted);
  ASSERT_TRUE(a->Apply(one).ok());

  auto other = std::async(std::launch::async, [&]() -> Result<int64_t> {
    auto b = Begin(*second_);
    TD_ASSIGN_OR_RETURN(WorkerSkill r, b->LockSkill(user_, project_, initial));
    ++r.gold_seen;
    WriteBatch two;
    two.upsert_skills.push_back(r);
    TD_RETURN_IF_ERROR(b->Apply(two));
    TD_RETURN_IF_ERROR(b->Commit());
    return r.gold_seen;
  });
  EXPECT_EQ(other.wait_for(300ms), std::future_status::timeout) << "the skill row is locked";
  ASSERT_TRUE(a->Commit().ok());
  auto second_count = other.get();
  ASSERT_TRUE(second_count.ok()) << second_count.status().ToString();
  EXPECT_EQ(*second_count, 2);
  auto skills = first_->LoadSkills(project_);
  ASSERT_TRUE(skills.ok());
  ASSERT_EQ(skills->size(), 1u);
  EXPECT_EQ((*skills)[0].gold_seen, 2);
}

TEST_P(TransactionTest, ProjectChangesOnTwoServersDoNotUndoEachOther) {
  auto a = Begin(*first_);
  auto locked = a->LockProject(project_, /*exclusive=*/true);
  ASSERT_TRUE(locked.ok() && locked->has_value());
  Project paused = **locked;
  paused.status = "paused";
  WriteBatch pause;
  pause.upsert_projects.push_back(paused);
  ASSERT_TRUE(a->Apply(pause).ok());

  auto renamed = std::async(std::launch::async, [&]() -> Result<Project> {
    auto b = Begin(*second_);
    TD_ASSIGN_OR_RETURN(std::optional<Project> p, b->LockProject(project_, true));
    if (!p) return Status::NotFound("project");
    p->title = "renamed";
    WriteBatch rename;
    rename.upsert_projects.push_back(*p);
    TD_RETURN_IF_ERROR(b->Apply(rename));
    TD_RETURN_IF_ERROR(b->Commit());
    return *p;
  });
  EXPECT_EQ(renamed.wait_for(300ms), std::future_status::timeout);
  ASSERT_TRUE(a->Commit().ok());
  ASSERT_TRUE(renamed.get().ok());
  auto stored = first_->FindProjectById(project_);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->status, "paused") << "the rename kept the pause";
  EXPECT_EQ((*stored)->title, "renamed");
}

TEST_P(TransactionTest, RunInTransactionRunsAgainWhatTheDatabaseAborted) {
  int runs = 0;
  auto result = RunInTransaction<int>(*first_, [&](Transaction&) -> Result<int> {
    if (++runs < 3) return Status::Aborted("deadlock detected");
    return runs;
  });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, 3);
  int failed_runs = 0;
  auto refused = RunInTransaction<int>(*first_, [&](Transaction&) -> Result<int> {
    ++failed_runs;
    return Status::FailedPrecondition("no");
  });
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(failed_runs, 1) << "only aborted transactions run again";
}

INSTANTIATE_TEST_SUITE_P(Backends, TransactionTest, ::testing::Values(test::Backend::kPostgres),
                         [](const auto&) { return std::string("postgresql"); });

}  // namespace
}  // namespace tinydata::store
