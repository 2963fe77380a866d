// The Store contract (store.h), run against both backends (backend_fixture.h).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "backend_fixture.h"
#include "tinydata/store/migrations.h"
#include "tinydata/store/store.h"

namespace tinydata::store {
namespace {

std::string NumberedEmail(int t, int i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "u%d_%d@x.org", t, i);
  return buf;
}

class StoreTest : public BackendTest {
 protected:
  static User MakeUser(Store& store, const std::string& email) {
    User u;
    u.id = store.NextId(IdKind::kUser).value();
    u.email = email;
    u.password_hash = "x";
    u.display_name = email;
    u.referral_code = email;
    u.referral_code += "-ref";
    return u;
  }

  static Project MakeProject(Store& store, int64_t owner) {
    Project p;
    p.id = store.NextId(IdKind::kProject).value();
    p.owner_id = owner;
    p.title = "p";
    p.question_json = "{}";
    return p;
  }
};

TEST_P(StoreTest, AppliesEveryMigrationOnceAcrossReopens) {
  Open()->Close();
  auto store = Open();
  auto version = store->GetSetting("no-such-key");
  ASSERT_TRUE(version.ok());
  EXPECT_FALSE(version->has_value());
  EXPECT_FALSE(AllMigrations().empty());
}

Token MakeToken(std::string hash, int64_t user_id, TokenKind kind = TokenKind::kSession) {
  Token t;
  t.token_hash = std::move(hash);
  t.user_id = user_id;
  t.created_at_ms = 1;
  t.kind = kind;
  t.public_id = "id-" + t.token_hash.substr(0, 4);
  t.last_used_at_ms = 1;
  return t;
}

TEST_P(StoreTest, CommittedUserIsReadableByEmailAndToken) {
  auto store = Open();
  WriteBatch b;
  b.insert_users.push_back(MakeUser(*store, "a@x.org"));
  Token api = MakeToken(std::string(32, '\x01'), b.insert_users[0].id, TokenKind::kApi);
  api.name = "ci";
  api.scopes = 6;
  api.expires_at_ms = 99;
  b.insert_tokens.push_back(api);
  ASSERT_TRUE(store->WriteSync(std::move(b)).ok());
  auto by_email = store->FindUserByEmail("a@x.org");
  ASSERT_TRUE(by_email.ok() && by_email->has_value());
  auto by_token = store->FindToken(std::string(32, '\x01'));
  ASSERT_TRUE(by_token.ok() && by_token->has_value());
  EXPECT_EQ((*by_token)->user.email, "a@x.org");
  const Token& t = (*by_token)->token;
  EXPECT_EQ(t.token_hash, std::string(32, '\x01'));
  EXPECT_EQ(t.kind, TokenKind::kApi);
  EXPECT_EQ(t.name, "ci");
  EXPECT_EQ(t.scopes, 6u);
  EXPECT_EQ(t.expires_at_ms, 99);
  EXPECT_EQ(t.public_id, api.public_id);
}

TEST_P(StoreTest, RevokedTokenNoLongerFindsItsUser) {
  auto store = Open();
  WriteBatch b;
  b.insert_users.push_back(MakeUser(*store, "a@x.org"));
  b.insert_tokens.push_back(MakeToken("hash", b.insert_users[0].id));
  ASSERT_TRUE(store->WriteSync(std::move(b)).ok());
  WriteBatch revoke;
  revoke.revoke_token_hashes.push_back("hash");
  ASSERT_TRUE(store->WriteSync(std::move(revoke)).ok());
  auto found = store->FindToken("hash");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_P(StoreTest, TokensAreListedTouchedAndRevokedPerUser) {
  auto store = Open();
  WriteBatch b;
  b.insert_users.push_back(MakeUser(*store, "a@x.org"));
  b.insert_users.push_back(MakeUser(*store, "b@x.org"));
  const int64_t a = b.insert_users[0].id;
  const int64_t other = b.insert_users[1].id;
  b.insert_tokens.push_back(MakeToken("aaaa1", a));
  b.insert_tokens.push_back(MakeToken("aaaa2", a, TokenKind::kApi));
  b.insert_tokens.push_back(MakeToken("bbbb1", other));
  ASSERT_TRUE(store->WriteSync(std::move(b)).ok());
  WriteBatch touch;
  touch.touch_tokens.push_back({"aaaa1", 5000});
  ASSERT_TRUE(store->WriteSync(std::move(touch)).ok());
  auto listed = store->ListTokens(a);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].last_used_at_ms, 5000);
  WriteBatch all;
  all.revoke_user_tokens.push_back(a);
  ASSERT_TRUE(store->WriteSync(std::move(all)).ok());
  EXPECT_TRUE(store->ListTokens(a)->empty());
  EXPECT_EQ(store->ListTokens(other)->size(), 1u) << "another user's tokens stay";
}

TEST_P(StoreTest, FailingBatchIsRolledBackAloneWithinItsCommit) {
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

TEST_P(StoreTest, SecondAssignmentOfSameTaskToSameUserIsRejected) {
  auto store = Open();
  WriteBatch b;
  User u = MakeUser(*store, "a@x.org");
  Project p = MakeProject(*store, u.id);
  Task t;
  t.id = store->NextId(IdKind::kTask).value();
  t.project_id = p.id;
  t.data_json = "{}";
  b.insert_users.push_back(u);
  b.upsert_projects.push_back(p);
  b.insert_tasks.push_back(t);
  b.insert_assignments.push_back(
      Assignment{store->NextId(IdKind::kAssignment).value(), t.id, u.id, p.id, 1, 2, "leased"});
  ASSERT_TRUE(store->WriteSync(std::move(b)).ok());
  WriteBatch again;
  again.insert_assignments.push_back(
      Assignment{store->NextId(IdKind::kAssignment).value(), t.id, u.id, p.id, 3, 4, "leased"});
  EXPECT_EQ(store->WriteSync(std::move(again)).code(), StatusCode::kAlreadyExists);
}

TEST_P(StoreTest, ConcurrentWritersShareCommits) {
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
  if (postgres()) {
    // Each batch commits on its own there (pg_store.h): the answer path does not use batches.
    EXPECT_EQ(stats.commits, stats.batches);
  } else {
    EXPECT_LT(stats.commits, stats.batches) << "queued batches must share a commit";
  }
  auto count = store->CountUsers();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, kThreads * kPerThread);
}

TEST_P(StoreTest, IdsKeepIncreasingAfterReopen) {
  int64_t last = 0;
  {
    auto store = Open();
    WriteBatch b;
    b.insert_users.push_back(MakeUser(*store, "a@x.org"));
    last = b.insert_users[0].id;
    ASSERT_TRUE(store->WriteSync(std::move(b)).ok());
  }
  auto store = Open();
  EXPECT_GT(store->NextId(IdKind::kUser).value(), last);
}

TEST_P(StoreTest, TaskPageReturnsTasksWithTheirAnswersInIdOrder) {
  auto store = Open();
  WriteBatch b;
  User u = MakeUser(*store, "a@x.org");
  Project p = MakeProject(*store, u.id);
  b.insert_users.push_back(u);
  b.upsert_projects.push_back(p);
  for (int i = 0; i < 3; ++i) {
    Task t;
    t.id = store->NextId(IdKind::kTask).value();
    t.project_id = p.id;
    t.data_json = "{\"i\":" + std::to_string(i) + "}";
    b.insert_tasks.push_back(t);
  }
  const int64_t second = b.insert_tasks[1].id;
  Assignment a{store->NextId(IdKind::kAssignment).value(), second, u.id, p.id, 1, 2, "answered"};
  b.insert_assignments.push_back(a);
  Answer ans;
  ans.id = store->NextId(IdKind::kAnswer).value();
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

TEST_P(StoreTest, OnlyPostgresqlIsSharedByServers) {
  auto store = Open();
  EXPECT_EQ(store->shared(), postgres());
  EXPECT_EQ(store->Begin().ok(), postgres());
  auto lease = store->HoldJobLease("sequencer");
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_TRUE(*lease);
}

TEST_P(StoreTest, JobLeaseIsHeldByOneStoreAtATimeAndPassesOnWhenItCloses) {
  auto first = Open();
  auto second = Open();
  EXPECT_TRUE(first->HoldJobLease("maintenance").value());
  EXPECT_TRUE(first->HoldJobLease("maintenance").value()) << "held leases stay held";
  if (!postgres()) GTEST_SKIP() << "a SQLite database has one server, which holds every lease";
  EXPECT_FALSE(second->HoldJobLease("maintenance").value());
  EXPECT_TRUE(second->HoldJobLease("sequencer").value()) << "leases are per job";
  first->Close();
  // The database drops the lease once it has noticed the holder's session end, a moment later.
  bool taken_over = false;
  for (int i = 0; i < 100 && !taken_over; ++i) {
    taken_over = second->HoldJobLease("maintenance").value();
    if (!taken_over) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(taken_over) << "taken over after the holder left";
}

TEST_P(StoreTest, IdsOfTwoStoresOnOneDatabaseNeverCollide) {
  auto first = Open();
  auto second = postgres() ? Open() : nullptr;
  Store* other = second ? second.get() : first.get();
  std::set<int64_t> ids;
  for (int i = 0; i < 200; ++i) {
    EXPECT_TRUE(ids.insert(first->NextId(IdKind::kAnswer).value()).second);
    EXPECT_TRUE(ids.insert(other->NextId(IdKind::kAnswer).value()).second);
  }
}

TINYDATA_INSTANTIATE_BACKENDS(StoreTest);

// SQLite only: its options and files.
class SqliteStoreTest : public BackendTest {};

TEST_P(SqliteStoreTest, RejectsUnknownSynchronousMode) {
  StoreOptions options;
  options.synchronous = "off";
  auto store = OpenStore(url(), options);
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
}

TEST_P(SqliteStoreTest, RefusesAnInMemoryDatabase) {
  EXPECT_EQ(OpenStore(":memory:").status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, SqliteStoreTest, ::testing::Values(test::Backend::kSqlite),
                         [](const auto&) { return std::string("sqlite"); });

}  // namespace
}  // namespace tinydata::store
