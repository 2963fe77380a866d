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

#include "support/database.h"
#include "support/postgres.h"
#include "tinydata/store/store.h"

namespace tinydata::store {
namespace {

// A fresh database of one backend, dropped after the test.
class MigrationTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == test::Backend::kPostgres) {
      auto db = test::ScratchPostgresDatabase::Create();
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      postgres_ = std::move(db).value();
      url_ = postgres_->url();
    } else {
      dir_ = std::filesystem::temp_directory_path() /
             ("td_migrate_" + std::to_string(::getpid()) + "_" +
              std::to_string(reinterpret_cast<uintptr_t>(this)));
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      url_ = (dir_ / "t.db").string();
    }
  }
  void TearDown() override {
    postgres_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  Status Exec(const std::string& sql) {
    return GetParam() == test::Backend::kPostgres ? test::ExecPostgres(url_, sql)
                                                  : test::ExecSql(url_, sql);
  }

  std::string url_;
  std::filesystem::path dir_;
  std::unique_ptr<test::ScratchPostgresDatabase> postgres_;
};

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
  auto first = MigrateDatabase(url_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->from_version, 0);
  EXPECT_EQ(first->to_version, NewestVersion());
  EXPECT_EQ(first->applied.size(), AllMigrations().size());

  auto second = MigrateDatabase(url_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->from_version, NewestVersion());
  EXPECT_EQ(second->to_version, NewestVersion());
  EXPECT_TRUE(second->applied.empty());
}

TEST_P(MigrationTest, StoreOpensAMigratedDatabase) {
  ASSERT_TRUE(MigrateDatabase(url_).ok());
  auto store = OpenStore(url_);
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
    threads.emplace_back([&, i] { outcomes[i] = MigrateDatabase(url_); });
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
  ASSERT_TRUE(MigrateDatabase(url_).ok());
  ASSERT_TRUE(Exec("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (" +
                   std::to_string(NewestVersion() + 1) + ", 'from the future', 0)")
                  .ok());
  auto outcome = MigrateDatabase(url_);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(outcome.status().message().find("newer than this binary"), std::string::npos)
      << outcome.status().message();
  EXPECT_EQ(OpenStore(url_).status().code(), StatusCode::kDataLoss);
}

TEST_P(MigrationTest, UnreachableDatabaseIsUnavailable) {
  const std::string url = GetParam() == test::Backend::kPostgres
                              ? "postgresql://nobody@127.0.0.1:1/none"
                              : "/nonexistent-dir/sub/t.db";
  auto outcome = MigrateDatabase(url);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kUnavailable) << outcome.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationTest, ::testing::Values(test::Backend::kSqlite),
                         [](const auto& info) { return std::string(test::BackendName(info.param)); });

}  // namespace
}  // namespace tinydata::store
