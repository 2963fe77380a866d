// The store suites run once per backend: BackendTest gives each test a fresh, empty database -
// a SQLite file in a temporary directory, or a scratch database on the PostgreSQL test cluster
// (support/postgres.h; ctest starts that cluster as the `postgres` fixture).
//
//   class StoreTest : public BackendTest {};
//   TEST_P(StoreTest, ...) { auto store = Open(); ... }
//   TINYDATA_INSTANTIATE_BACKENDS(StoreTest);
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "support/database.h"
#include "support/postgres.h"
#include "tinydata/store/store.h"

namespace tinydata::store {

class BackendTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    if (postgres()) {
      auto db = test::ScratchPostgresDatabase::Create();
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      postgres_ = std::move(db).value();
      url_ = postgres_->url();
      return;
    }
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("td_store_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    url_ = (dir_ / "t.db").string();
  }
  void TearDown() override {
    postgres_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  bool postgres() const { return GetParam() == test::Backend::kPostgres; }
  // What OpenStore and `serve --database` take.
  const std::string& url() const { return url_; }

  std::unique_ptr<Store> Open(StoreOptions options = {}) {
    auto store = OpenStore(url_, options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Raw SQL behind the store's back (tamper tests).
  Status Exec(const std::string& sql) { return test::ExecSql(url_, sql); }

 private:
  std::string url_;
  std::filesystem::path dir_;
  std::unique_ptr<test::ScratchPostgresDatabase> postgres_;
};

#define TINYDATA_INSTANTIATE_BACKENDS(suite)                                                       \
  INSTANTIATE_TEST_SUITE_P(                                                                        \
      Backends, suite,                                                                             \
      ::testing::Values(::tinydata::test::Backend::kSqlite, ::tinydata::test::Backend::kPostgres), \
      [](const auto& info) { return std::string(::tinydata::test::BackendName(info.param)); })

}  // namespace tinydata::store
