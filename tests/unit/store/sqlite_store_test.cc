#include "tinydata/store/sqlite_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tinydata/store/migrations.h"
#include "tinydata/store/store.h"

namespace tinydata::store {
namespace {

std::string NumberedEmail(int t, int i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "u%d_%d@x.org", t, i);
  return buf;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("td_store_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open(StoreOptions options = {}) {
    auto store = OpenStore((dir_ / "t.db").string(), options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(store).value();
  }

  static User MakeUser(Store& store, const std::string& email) {
    User u;
    u.id = store.NextId(IdKind::kUser);
    u.email = email;
    u.password_hash = "x";
    u.display_name = email;
    u.referral_code = email;
    u.referral_code += "-ref";
    return u;
  }

  static Project MakeProject(Store& store, int64_t owner) {
    Project p;
    p.id = store.NextId(IdKind::kProject);
    p.owner_id = owner;
    p.title = "p";
    p.question_json = "{}";
    return p;
  }

  std::filesystem::path dir_;
};

TEST_F(SqliteStoreTest, AppliesEveryMigrationOnceAcrossReopens) {
  Open()->Close();
  auto store = Open();
  auto version = store->GetSetting("no-such-key");
  ASSERT_TRUE(version.ok());
  EXPECT_FALSE(version->has_value());
  EXPECT_FALSE(AllMigrations().empty());
}

TEST_F(SqliteStoreTest, CommittedUserIsReadableByEmailAndToken) {
  auto store = Open();
  WriteBatch b;
  b.insert_users.push_back(MakeUser(*store, "a@x.org"));
  b.insert_tokens.push_back(Token{std::string(32, '\x01'), b.insert_users[0].id, 1});
  ASSERT_TRUE(store->WriteSync(std::move(b)).ok());
  auto by_email = store->FindUserByEmail("a@x.org");
  ASSERT_TRUE(by_email.ok() && by_email->has_value());
  auto by_token = store->FindUserByTokenHash(std::string(32, '\x01'));
  ASSERT_TRUE(by_token.ok() && by_token->has_value());
  EXPECT_EQ((*by_token)->email, "a@x.org");
}

TEST_F(SqliteStoreTest, RevokedTokenNoLongerFindsItsUser) {
  auto store = Open();
  WriteBatch b;
  b.insert_users.push_back(MakeUser(*store, "a@x.org"));
  b.insert_tokens.push_back(Token{"hash", b.insert_users[0].id, 1});
  ASSERT_TRUE(store->WriteSync(std::move(b)).ok());
  WriteBatch revoke;
  revoke.revoke_token_hashes.push_back("hash");
  ASSERT_TRUE(store->WriteSync(std::move(revoke)).ok());
  auto found = store->FindUserByTokenHash("hash");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(SqliteStoreTest, FailingBatchIsRolledBackAloneWithinItsCommit) {
  auto store = Open();
  WriteBatch first;
  first.insert_users.push_back(MakeUser(*store, "dup@x.org"));
  ASSERT_TRUE(store->WriteSync(std::move(first)).ok());

  WriteBatch bad;
  bad.insert_users.push_back(MakeUser(*store, "new@x.org"));
  bad.insert_users.push_back(MakeUser(*store, "dup@x.org"));  // unique email violated
  const Status status = store->WriteSync(std::move(bad));
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  auto partial = store->FindUserByEmail("new@x.org");
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_value()) << "a failed batch must leave nothing behind";
}

TEST_F(SqliteStoreTest, SecondAssignmentOfSameTaskToSameUserIsRejected) {
  auto store = Open();
  WriteBatch b;
  User u = MakeUser(*store, "a@x.org");
  Project p = MakeProject(*store, u.id);
  Task t;
  t.id = store->NextId(IdKind::kTask);
  t.project_id = p.id;
  t.data_json = "{}";
  b.insert_users.push_back(u);
  b.upsert_projects.push_back(p);
  b.insert_tasks.push_back(t);
  b.insert_assignments.push_back(
      Assignment{store->NextId(IdKind::kAssignment), t.id, u.id, p.id, 1, 2, "leased"});
  ASSERT_TRUE(store->WriteSync(std::move(b)).ok());
  WriteBatch again;
  again.insert_assignments.push_back(
      Assignment{store->NextId(IdKind::kAssignment), t.id, u.id, p.id, 3, 4, "leased"});
  EXPECT_EQ(store->WriteSync(std::move(again)).code(), StatusCode::kAlreadyExists);
}

TEST_F(SqliteStoreTest, ConcurrentWritersShareCommits) {
  auto store = Open();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        WriteBatch b;
        b.insert_users.push_back(
            MakeUser(*store, NumberedEmail(t, i)));
        if (!store->WriteSync(std::move(b)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  const WriteStats stats = store->write_stats();
  EXPECT_EQ(stats.batches, uint64_t{kThreads * kPerThread});
  EXPECT_LT(stats.commits, stats.batches) << "queued batches must share a commit";
  auto count = store->CountUsers();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, kThreads * kPerThread);
}

TEST_F(SqliteStoreTest, IdsKeepIncreasingAfterReopen) {
  int64_t last = 0;
  {
    auto store = Open();
    WriteBatch b;
    b.insert_users.push_back(MakeUser(*store, "a@x.org"));
    last = b.insert_users[0].id;
    ASSERT_TRUE(store->WriteSync(std::move(b)).ok());
  }
  auto store = Open();
  EXPECT_GT(store->NextId(IdKind::kUser), last);
}

TEST_F(SqliteStoreTest, TaskPageReturnsTasksWithTheirAnswersInIdOrder) {
  auto store = Open();
  WriteBatch b;
  User u = MakeUser(*store, "a@x.org");
  Project p = MakeProject(*store, u.id);
  b.insert_users.push_back(u);
  b.upsert_projects.push_back(p);
  for (int i = 0; i < 3; ++i) {
    Task t;
    t.id = store->NextId(IdKind::kTask);
    t.project_id = p.id;
    t.data_json = "{\"i\":" + std::to_string(i) + "}";
    b.insert_tasks.push_back(t);
  }
  const int64_t second = b.insert_tasks[1].id;
  Assignment a{store->NextId(IdKind::kAssignment), second, u.id, p.id, 1, 2, "answered"};
  b.insert_assignments.push_back(a);
  Answer ans;
  ans.id = store->NextId(IdKind::kAnswer);
  ans.assignment_id = a.id;
  ans.task_id = second;
  ans.user_id = u.id;
  ans.project_id = p.id;
  ans.value_json = "\"cat\"";
  ans.response_json = "{}";
  b.insert_answers.push_back(ans);
  ASSERT_TRUE(store->WriteSync(std::move(b)).ok());

  auto page = store->ReadTaskPage(p.id, 0, 2, "");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->size(), 2u);
  EXPECT_TRUE((*page)[0].answers.empty());
  ASSERT_EQ((*page)[1].answers.size(), 1u);
  EXPECT_EQ((*page)[1].answers[0].value_json, "\"cat\"");
  auto rest = store->ReadTaskPage(p.id, (*page)[1].task.id, 10, "");
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->size(), 1u);
}

TEST_F(SqliteStoreTest, RejectsUnknownSynchronousMode) {
  StoreOptions options;
  options.synchronous = "off";
  auto store = OpenStore((dir_ / "t.db").string(), options);
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tinydata::store
