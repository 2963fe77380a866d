// One versioned set of migrations for both backends (store/migrations.h), run by
// store::MigrateDatabase (`tinydata migrate`) and at every OpenStore.
#include "tinydata/store/migrations.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "backend_fixture.h"
#include "tinydata/store/store.h"

namespace tinydata::store {
namespace {

class MigrationTest : public BackendTest {};

int NewestVersion() { return AllMigrations().back().version; }

TEST(Migrations, VersionsAreContiguousAndEveryOneHasBothDialects) {
  int expected = 1;
  for (const Migration& m : AllMigrations()) {
    EXPECT_EQ(m.version, expected++);
    EXPECT_NE(m.sqlite_sql, nullptr) << m.version;
    EXPECT_NE(m.postgres_sql, nullptr) << m.version;
    EXPECT_GT(std::string(m.name).size(), 0u) << m.version;
  }
}

TEST_P(MigrationTest, FreshDatabaseGetsEveryMigrationThenNoneAgain) {
  auto first = MigrateDatabase(url());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->from_version, 0);
  EXPECT_EQ(first->to_version, NewestVersion());
  EXPECT_EQ(first->applied.size(), AllMigrations().size());

  auto second = MigrateDatabase(url());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->from_version, NewestVersion());
  EXPECT_EQ(second->to_version, NewestVersion());
  EXPECT_TRUE(second->applied.empty());
}

TEST_P(MigrationTest, StoreOpensAMigratedDatabase) {
  ASSERT_TRUE(MigrateDatabase(url()).ok());
  auto store = OpenStore(url());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto users = (*store)->CountUsers();
  ASSERT_TRUE(users.ok()) << users.status().ToString();
  EXPECT_EQ(*users, 0);
  (*store)->Close();
}

TEST_P(MigrationTest, ConcurrentRunsApplyEachMigrationExactlyOnce) {
  constexpr int kRuns = 4;
  std::vector<Result<MigrationOutcome>> outcomes(kRuns, Status::Internal("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kRuns; ++i) {
    threads.emplace_back([&, i] { outcomes[i] = MigrateDatabase(url()); });
  }
  for (std::thread& t : threads) t.join();
  std::vector<int> applied;
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_EQ(outcome->to_version, NewestVersion());
    applied.insert(applied.end(), outcome->applied.begin(), outcome->applied.end());
  }
  std::sort(applied.begin(), applied.end());
  std::vector<int> every;
  for (const Migration& m : AllMigrations()) every.push_back(m.version);
  EXPECT_EQ(applied, every);
}

TEST_P(MigrationTest, DatabaseNewerThanTheBinaryIsRefused) {
  ASSERT_TRUE(MigrateDatabase(url()).ok());
  ASSERT_TRUE(Exec("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (" +
                   std::to_string(NewestVersion() + 1) + ", 'from the future', 0)")
                  .ok());
  auto outcome = MigrateDatabase(url());
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(outcome.status().message().find("newer than this binary"), std::string::npos)
      << outcome.status().message();
  EXPECT_EQ(OpenStore(url()).status().code(), StatusCode::kDataLoss);
}

TEST_P(MigrationTest, UnreachableDatabaseIsUnavailable) {
  const std::string url =
      postgres() ? "postgresql://nobody@127.0.0.1:1/none" : "/nonexistent-dir/sub/t.db";
  auto outcome = MigrateDatabase(url);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kUnavailable) << outcome.status().ToString();
}

TINYDATA_INSTANTIATE_BACKENDS(MigrationTest);

}  // namespace
}  // namespace tinydata::store
