#include "support/server_process.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace tinydata::test {
namespace {

ServerProcessOptions FakeServe() {
  ServerProcessOptions options;
  options.binary = TINYDATA_FAKE_SERVE;
  return options;
}

TEST(ServerProcessTest, StartsHealthyOnALoopbackPortWithATempDatabase) {
  auto server = ServerProcess::Start(FakeServe());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  HttpClient client = (*server)->Client();
  auto response = client.Get("/database");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->Json()["path"], (*server)->database_path().string());
  EXPECT_TRUE(std::filesystem::exists((*server)->database_path()));
}

TEST(ServerProcessTest, StopSendsSigtermAndReportsTheExitCode) {
  auto server = ServerProcess::Start(FakeServe());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  Result<int> code = (*server)->Stop();
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, 0);
  EXPECT_FALSE((*server)->running());
}

TEST(ServerProcessTest, RestartAfterKillServesTheSamePortAndDatabase) {
  auto server = ServerProcess::Start(FakeServe());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const uint16_t port = (*server)->port();
  (*server)->Kill();
  ASSERT_TRUE((*server)->Restart().ok());
  EXPECT_EQ((*server)->port(), port);
  auto response = (*server)->Client().Get("/healthz");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
}

TEST(ServerProcessTest, TemporaryDirectoryIsRemovedWithTheProcess) {
  std::filesystem::path directory;
  {
    auto server = ServerProcess::Start(FakeServe());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    directory = (*server)->directory();
    EXPECT_TRUE(std::filesystem::exists(directory));
  }
  EXPECT_FALSE(std::filesystem::exists(directory));
}

TEST(ServerProcessTest, StartFailsWithTheLogWhenTheServerCannotStart) {
  ServerProcessOptions options = FakeServe();
  options.extra_args = {"--listen", "not-an-address"};
  auto server = ServerProcess::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("listen address"), std::string::npos)
      << server.status().message();
}

TEST(ServerProcessTest, StartRejectsAMissingBinary) {
  ServerProcessOptions options;
  options.binary = "/nonexistent/tinydata";
  auto server = ServerProcess::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().field(), "binary");
}

}  // namespace
}  // namespace tinydata::test
