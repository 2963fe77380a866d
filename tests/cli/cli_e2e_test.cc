// Runs the built `tinydata` binary (TINYDATA_BIN) on small inline CSV files.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("tinydata_cli_e2e_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Runs `tinydata <args>` inside the test directory (arguments are shell words).
  Outcome Tinydata(const std::string& args) {
    std::string command = "cd '" + dir_.string() + "' && '" TINYDATA_BIN "' " + args +
                          " >stdout.txt 2>stderr.txt";
    int status = std::system(command.c_str());
    Outcome run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = Read("stdout.txt");
    run.err = Read("stderr.txt");
    return run;
  }

  std::filesystem::path dir_;
};

// Three items; workers a, b, c agree on i1 and i2, and c is outvoted on i3.
constexpr char kAnswers[] =
    "task,worker,label\n"
    "i1,a,cat\n"
    "i1,b,cat\n"
    "i1,c,cat\n"
    "i2,a,dog\n"
    "i2,b,dog\n"
    "i2,c,dog\n"
    "i3,a,dog\n"
    "i3,b,dog\n"
    "i3,c,cat\n";

TEST_F(CliTest, MajorityVoteWritesTheHandCheckedLabels) {
  Write("answers.csv", kAnswers);
  Outcome run = Tinydata("aggregate --method mv --out labels.csv answers.csv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Read("labels.csv"),
            "task,label,confidence\n"
            "i1,cat,1\n"
            "i2,dog,1\n"
            "i3,dog,0.666667\n");
}

TEST_F(CliTest, LabelsGoToStdoutByDefault) {
  Write("answers.csv", kAnswers);
  Outcome run = Tinydata("aggregate --method mv answers.csv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.substr(0, run.out.find('\n')), "task,label,confidence");
  EXPECT_NE(run.out.find("i3,dog,"), std::string::npos);
  EXPECT_EQ(run.err, "");
}

TEST_F(CliTest, EveryCategoricalMethodLabelsTheUnanimousItems) {
  Write("answers.csv", kAnswers);
  for (const char* method : {"mv", "wawa", "zbs", "ds", "onecoin", "glad", "mace"}) {
    Outcome run = Tinydata(std::string("aggregate --method ") + method + " answers.csv");
    ASSERT_EQ(run.exit_code, 0) << method << ": " << run.err;
    EXPECT_NE(run.out.find("\ni1,cat,"), std::string::npos) << method << "\n" << run.out;
    EXPECT_NE(run.out.find("\ni2,dog,"), std::string::npos) << method << "\n" << run.out;
  }
}

TEST_F(CliTest, GoldOverridesTheMajority) {
  Write("answers.csv", kAnswers);
  Write("gold.csv", "task,label\ni3,cat\n");
  Outcome run = Tinydata("aggregate --method ds --gold gold.csv answers.csv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\ni3,cat,1\n"), std::string::npos) << run.out;
}

TEST_F(CliTest, WorkersFileHasOneRowPerWorker) {
  Write("answers.csv", kAnswers);
  Outcome run = Tinydata("aggregate --method ds --workers workers.csv --out labels.csv answers.csv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::string workers = Read("workers.csv");
  EXPECT_EQ(workers.substr(0, workers.find('\n')), "worker,accuracy,spam_score,answers");
  EXPECT_NE(workers.find("\na,"), std::string::npos);
  EXPECT_NE(workers.find("\nc,"), std::string::npos);
  EXPECT_EQ(std::count(workers.begin(), workers.end(), '\n'), 4);
  EXPECT_NE(workers.find(",3\n"), std::string::npos);  // every worker gave 3 answers
}

TEST_F(CliTest, NumericMedianWritesValueSpreadKeptRejected) {
  Write("answers.csv", "task,worker,label\nt,a,10\nt,b,11\nt,c,12\nu,a,4\n");
  Outcome run = Tinydata("aggregate --method numeric --estimator median answers.csv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.substr(0, run.out.find('\n')), "task,value,spread,kept,rejected");
  EXPECT_NE(run.out.find("\nt,11,"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\nu,4,"), std::string::npos) << run.out;
}

TEST_F(CliTest, NumericRobustRejectsAGrossOutlier) {
  Write("answers.csv",
        "task,worker,label\nt,a,10\nt,b,10.5\nt,c,9.5\nt,d,10.2\nt,e,9.8\nt,f,500\n");
  Outcome run = Tinydata("aggregate --method numeric answers.csv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find(",5,1\n"), std::string::npos) << run.out;  // kept 5, rejected 1
}

TEST_F(CliTest, EvalPrintsAccuracyAndMatchedItems) {
  Write("labels.csv", "task,label,confidence\ni1,cat,1\ni2,dog,1\ni3,dog,0.6\n");
  Write("gold.csv", "task,label\ni1,cat\ni2,dog\ni3,cat\ni4,cat\n");
  Outcome run = Tinydata("eval --gold gold.csv labels.csv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "gold_items: 4\nlabelled_items: 3\nmatched: 3\naccuracy: 0.666667\n");
}

TEST_F(CliTest, EvalOfNumericLabelsPrintsMaeAndRmse) {
  Write("labels.csv", "task,value,spread,kept,rejected\nt,11,0,3,0\nu,4,0,1,0\n");
  Write("gold.csv", "task,label\nt,10\nu,4\n");
  Outcome run = Tinydata("eval --gold gold.csv labels.csv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("mae: 0.5\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("rmse: 0.707107\n"), std::string::npos) << run.out;
}

TEST_F(CliTest, AggregateThenEvalRoundTrips) {
  Write("answers.csv", kAnswers);
  Write("gold.csv", "task,label\ni1,cat\ni2,dog\ni3,dog\n");
  ASSERT_EQ(Tinydata("aggregate --method ds --out labels.csv answers.csv").exit_code, 0);
  Outcome run = Tinydata("eval --gold gold.csv labels.csv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("accuracy: 1.000000\n"), std::string::npos) << run.out;
}

TEST_F(CliTest, ForcedProgressGoesToStderrOnly) {
  Write("answers.csv", kAnswers);
  Outcome run = Tinydata("aggregate --method mv --progress --out labels.csv answers.csv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("loading answers.csv"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("writing labels.csv"), std::string::npos) << run.err;
  EXPECT_EQ(Read("labels.csv").substr(0, 21), "task,label,confidence");
}

// Malformed input: a data error exits 1 and names file:line and the reason on stderr.

TEST_F(CliTest, MissingColumnExitsOneWithFileAndLine) {
  Write("answers.csv", "task,label\ni1,cat\n");
  Outcome run = Tinydata("aggregate answers.csv");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("answers.csv:1"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("worker"), std::string::npos) << run.err;
}

TEST_F(CliTest, EmptyIdExitsOneWithFileAndLine) {
  Write("answers.csv", "task,worker,label\ni1,a,cat\n,b,dog\n");
  Outcome run = Tinydata("aggregate answers.csv");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("answers.csv:3"), std::string::npos) << run.err;
}

TEST_F(CliTest, RaggedRowExitsOneWithFileAndLine) {
  Write("answers.csv", "task,worker,label\ni1,a,cat\ni2,b\n");
  Outcome run = Tinydata("aggregate answers.csv");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("answers.csv:3"), std::string::npos) << run.err;
}

TEST_F(CliTest, NonNumericValueForNumericExitsOneWithFileAndLine) {
  Write("answers.csv", "task,worker,label\nt,a,1.5\nt,b,many\n");
  Outcome run = Tinydata("aggregate --method numeric answers.csv");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("answers.csv:3"), std::string::npos) << run.err;
}

TEST_F(CliTest, MalformedGoldExitsOneWithFileAndLine) {
  Write("answers.csv", kAnswers);
  Write("gold.csv", "task,label\ni1,cat\ni2\n");
  Outcome run = Tinydata("aggregate --gold gold.csv answers.csv");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("gold.csv:3"), std::string::npos) << run.err;
}

TEST_F(CliTest, MissingFileExitsOneNamingTheFile) {
  Outcome run = Tinydata("aggregate missing.csv");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("missing.csv"), std::string::npos) << run.err;
}

TEST_F(CliTest, EvalWithRaggedGoldExitsOneWithFileAndLine) {
  Write("labels.csv", "task,label,confidence\ni1,cat,1\n");
  Write("gold.csv", "task,label\ni1,cat,extra\n");
  Outcome run = Tinydata("eval --gold gold.csv labels.csv");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("gold.csv:2: ragged row"), std::string::npos) << run.err;
}

// Usage errors exit 2.

TEST_F(CliTest, UnknownMethodIsAUsageError) {
  Write("answers.csv", kAnswers);
  Outcome run = Tinydata("aggregate --method vote answers.csv");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("vote"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(CliTest, MissingAnswersArgumentIsAUsageError) {
  EXPECT_EQ(Tinydata("aggregate --method mv").exit_code, 2);
}

TEST_F(CliTest, UnknownSubcommandIsAUsageError) {
  EXPECT_EQ(Tinydata("frobnicate").exit_code, 2);
}

TEST_F(CliTest, ZeroIterationsIsAUsageError) {
  Write("answers.csv", kAnswers);
  EXPECT_EQ(Tinydata("aggregate --iterations 0 answers.csv").exit_code, 2);
}

TEST_F(CliTest, GoldWithNumericIsAUsageError) {
  Write("answers.csv", "task,worker,label\nt,a,1\n");
  Write("gold.csv", "task,label\nt,1\n");
  Outcome run = Tinydata("aggregate --method numeric --gold gold.csv answers.csv");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--gold"), std::string::npos) << run.err;
}

TEST_F(CliTest, EverySubcommandHasHelp) {
  for (const char* command : {"aggregate", "eval"}) {
    Outcome run = Tinydata(std::string(command) + " --help");
    EXPECT_EQ(run.exit_code, 0) << command;
    EXPECT_NE(run.out.find(command), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("--gold"), std::string::npos) << run.out;
  }
}

TEST_F(CliTest, VersionPrintsTheVersion) {
  Outcome run = Tinydata("--version");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out.rfind("tinydata ", 0), 0u) << run.out;
}

}  // namespace
