// `tinydata serve` options that need no running server: --clock-start and --ledger-key-file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tinydata/cli/app.h"
#include "tinydata/cli/serve_command.h"
#include "tinydata/ledger/checkpoint.h"

namespace tinydata::cli {
namespace {

class ServeOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("td_serve_options_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(Path(name)) << text;
  }

  std::filesystem::path dir_;
};

TEST_F(ServeOptionsTest, MissingKeyFileIsGeneratedWithOwnerOnlyMode) {
  const std::string path = Path("ledger.key");
  Result<std::string> key = LoadOrCreateLedgerKeyFile(path);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(ledger::ParseSigningKey(*key).ok());
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ServeOptionsTest, ExistingKeyFileIsReadNotReplaced) {
  const std::string path = Path("ledger.key");
  Result<std::string> first = LoadOrCreateLedgerKeyFile(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::string> second = LoadOrCreateLedgerKeyFile(path);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*first, *second);
}

TEST_F(ServeOptionsTest, MalformedKeyFileIsRefusedNamingFileAndReason) {
  Write("bad.key", "PRIVATE+KEY+tinydata-ledger+00000000+AAAA\n");
  Result<std::string> key = LoadOrCreateLedgerKeyFile(Path("bad.key"));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(key.status().field(), "ledger-key-file");
  EXPECT_NE(key.status().message().find(Path("bad.key")), std::string::npos);
  EXPECT_NE(key.status().message().find("not a ledger signing key"), std::string::npos);
}

TEST_F(ServeOptionsTest, EmptyKeyFileIsRefused) {
  Write("empty.key", "");
  Result<std::string> key = LoadOrCreateLedgerKeyFile(Path("empty.key"));
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("empty"), std::string::npos);
}

TEST_F(ServeOptionsTest, KeyFileInMissingDirectoryIsRefused) {
  Result<std::string> key = LoadOrCreateLedgerKeyFile(Path("no/such/dir/ledger.key"));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().field(), "ledger-key-file");
  EXPECT_NE(key.status().message().find("cannot create"), std::string::npos);
}

TEST_F(ServeOptionsTest, BadClockStartFailsRunServeNamingTheOption) {
  ServeOptions options;
  options.database = Path("never-created.db");
  options.clock_start = "2026-11-02 09:00";
  options.log_level = "off";
  Status status = RunServe(options);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.field(), "clock-start");
  EXPECT_FALSE(std::filesystem::exists(options.database));
}

TEST_F(ServeOptionsTest, BadClockStartIsAUsageErrorOnTheCommandLine) {
  CLI::App app;
  ConfigureRootApp(app);
  RegisterServeCommand(app);
  std::vector<const char*> args = {"tinydata", "serve", "--clock-start", "yesterday"};
  testing::internal::CaptureStderr();
  const int code = RunApp(app, static_cast<int>(args.size()), args.data());
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, kExitUsage);
  EXPECT_NE(err.find("--clock-start"), std::string::npos) << err;
}

}  // namespace
}  // namespace tinydata::cli
