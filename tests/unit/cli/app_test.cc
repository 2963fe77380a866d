#include "tinydata/cli/app.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tinydata::cli {
namespace {

// Runs a root app with one subcommand `job` whose callback does `action`.
template <typename Action>
int RunJob(std::vector<const char*> args, Action action) {
  CLI::App app;
  ConfigureRootApp(app);
  CLI::App* job = app.add_subcommand("job", "a test job");
  int count = 1;
  job->add_option("--count", count)->check(CLI::Range(1, 10));
  job->callback(action);
  args.insert(args.begin(), "tinydata");
  return RunApp(app, static_cast<int>(args.size()), args.data());
}

TEST(AppTest, SuccessfulCommandExitsZero) {
  bool ran = false;
  EXPECT_EQ(RunJob({"job"}, [&] { ran = true; }), kExitOk);
  EXPECT_TRUE(ran);
}

TEST(AppTest, UnknownOptionIsAUsageError) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunJob({"job", "--nope"}, [] {}), kExitUsage);
  testing::internal::GetCapturedStderr();
}

TEST(AppTest, OutOfRangeOptionIsAUsageError) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunJob({"job", "--count", "11"}, [] {}), kExitUsage);
  testing::internal::GetCapturedStderr();
}

TEST(AppTest, MissingSubcommandIsAUsageError) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunJob({}, [] {}), kExitUsage);
  testing::internal::GetCapturedStderr();
}

TEST(AppTest, HelpExitsZero) {
  testing::internal::CaptureStdout();
  EXPECT_EQ(RunJob({"job", "--help"}, [] {}), kExitOk);
  EXPECT_NE(testing::internal::GetCapturedStdout().find("--count"), std::string::npos);
}

TEST(AppTest, VersionPrintsTheVersionAndExitsZero) {
  testing::internal::CaptureStdout();
  EXPECT_EQ(RunJob({"--version"}, [] {}), kExitOk);
  EXPECT_EQ(testing::internal::GetCapturedStdout(), std::string("tinydata ") + Version() + "\n");
}

TEST(AppTest, ErrorStatusPrintsCommandAndMessageAndExitsOne) {
  testing::internal::CaptureStderr();
  int code = RunJob({"job"}, [] {
    ExitOnError("job", Status::InvalidArgument("in.csv:3: empty task id", "task"));
  });
  EXPECT_EQ(code, kExitDataError);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "tinydata job: in.csv:3: empty task id (field: task)\n");
}

TEST(AppTest, OkStatusDoesNotEndTheCommand) {
  bool after = false;
  EXPECT_EQ(RunJob({"job"},
                   [&] {
                     ExitOnError("job", Status::Ok());
                     after = true;
                   }),
            kExitOk);
  EXPECT_TRUE(after);
}

TEST(AppTest, ExitUsageExitsTwo) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunJob({"job"}, [] { ExitUsage("job", "--a and --b conflict"); }), kExitUsage);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("tinydata job: --a and --b conflict"),
            std::string::npos);
}

}  // namespace
}  // namespace tinydata::cli
