// A simulated week of the game on a real SQLite file, in process with a manual clock: check-ins
// (with a streak break), referrals, gold failures, level-ups and daily caps, settled by the
// platform's retirement hook and sequenced into the signed log every day. Then
// `ledger verify` passes, and fails naming the entry once one row is edited or deleted.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <string>

#include "tinydata/cli/ledger_command.h"
#include "tinydata/game/checkin.h"
#include "tinydata/service/game_service.h"
#include "tinydata/service/ledger_service.h"
#include "tinydata/service/platform.h"
#include "tinydata/store/store.h"

namespace tinydata::cli {
namespace {

LedgerVerifyOptions OptionsFor(const std::string& database) {
  LedgerVerifyOptions options;
  options.database = database;
  return options;
}

using service::Principal;

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kMondayMs = 1'795'478'400'000;  // 2026-11-23T00:00:00Z, a Monday

class GameWeekTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("td_game_week_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "week.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Principal Add(service::Platform& platform, const std::string& email, uint32_t roles) {
    auto user = platform.AddUser(email, "correct horse", "", roles);
    EXPECT_TRUE(user.ok()) << user.status().ToString();
    return Principal{user->id, user->roles, user->level};
  }

  // Leases and answers every task `who` can get in `project_id`; `answer(task data)` decides.
  static int AnswerAll(service::Platform& platform, const Principal& who, int64_t project_id,
                       const std::function<std::string(const std::string&)>& answer) {
    int answered = 0;
    for (;;) {
      std::promise<Result<std::optional<service::LeasedTask>>> leased;
      platform.NextTask(who, project_id, [&](auto r) { leased.set_value(std::move(r)); });
      auto task = leased.get_future().get();
      EXPECT_TRUE(task.ok()) << task.status().ToString();
      if (!task.ok() || !task->has_value()) return answered;
      std::promise<Result<service::SubmittedAnswer>> submitted;
      platform.SubmitAnswer(who, (*task)->assignment.id, answer((*task)->task_data_json), 1000, "",
                            [&](auto r) { submitted.set_value(std::move(r)); });
      auto result = submitted.get_future().get();
      EXPECT_TRUE(result.ok()) << result.status().ToString();
      ++answered;
    }
  }

  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(GameWeekTest, WeekOfPlayVerifiesThenTamperingIsNamed) {
  service::ManualClock clock(kMondayMs + 9 * 3'600'000);
  game::GameConfig config;
  config.xp_per_accepted_answer = 10;
  config.level_xp_thresholds = {0, 60, 1000};
  config.level_up_cost_aia = {0, 20, 500};
  config.daily_reward_cap_aia = 25;
  config.referral_min_gold_passes = 1;
  config.referral_bonus_bps = 2000;
  config.reputation_gold_fail_penalty = 30;

  int64_t a_level = 0;
  {
    store::StoreOptions store_options;
    store_options.synchronous = "normal";
    auto db = store::OpenStore(path_, store_options).value();
    service::PlatformOptions options;
    options.pwhash_opslimit = 1;
    options.pwhash_memlimit = 8192;
    auto platform = service::Platform::Open(db.get(), &clock, options).value();
    auto game = service::GameService::Create(db.get(), &clock, config).value();
    platform->SetRetirementHook(game->MakeRetirementHook());
    auto ledger = service::LedgerService::Open(db.get(), &clock).value();

    Principal req = Add(*platform, "req@x.org", store::kRoleRequester);
    Principal a = Add(*platform, "a@x.org", store::kRoleAnnotator);
    Principal b = Add(*platform, "b@x.org", store::kRoleAnnotator);
    Principal c = Add(*platform, "c@x.org", store::kRoleAnnotator);
    ASSERT_TRUE(
        game->RedeemReferral(c.user_id, db->FindUserById(a.user_id).value()->referral_code).ok());
    ASSERT_EQ(
        game->RedeemReferral(a.user_id, db->FindUserById(c.user_id).value()->referral_code).code(),
        StatusCode::kFailedPrecondition);

    nlohmann::json input = {
        {"title", "Sentiment"},
        {"instructions", "Positive?"},
        {"question",
         {{"type", "single_choice"},
          {"options",
           {{{"value", "pos"}, {"label", "Positive"}},
            {{"value", "neg"}, {"label", "Negative"}}}}}},
        {"overlap", {{"min_answers", 3}, {"max_answers", 3}, {"target_confidence", 0.9}}},
        {"reward_aia", 10},
        {"gold_rate", 0.0}};
    store::Project project = platform->CreateProject(req, input).value();
    ASSERT_TRUE(game->GrantCredit(game->accounts().OfUser(req.user_id), 10'000, "inv-week").ok());
    ASSERT_TRUE(game->GrantCredit("pool:checkin", 100'000, "inv-pool").ok());
    ASSERT_TRUE(game->FundProject(req.user_id, project.id, 10'000, "week").ok());

    int64_t withheld_days = 0;
    for (int day = 0; day < 7; ++day) {
      clock.Set(kMondayMs + day * kDayMs + 9 * 3'600'000);
      ASSERT_TRUE(game->CheckIn(a.user_id).ok());
      if (day != 3) {  // b breaks the streak
        ASSERT_TRUE(game->CheckIn(b.user_id).ok());
      }
      EXPECT_EQ(game->CheckIn(a.user_id).status().code(), StatusCode::kAlreadyExists);
      // Two normal items and one gold item a day; c always answers the gold item wrongly.
      const std::string tasks = "{\"data\":{\"text\":\"n1 day" + std::to_string(day) +
                                "\"}}\n{\"data\":{\"text\":\"n2 day" + std::to_string(day) +
                                "\"}}\n{\"data\":{\"text\":\"gold day" + std::to_string(day) +
                                "\"},\"gold\":\"pos\"}\n";
      ASSERT_TRUE(
          platform->ImportTasks(req, project.id, io::TaskFormat::kJsonl, tasks).status.ok());
      auto pos = [](const std::string&) { return std::string("pos"); };
      AnswerAll(*platform, a, project.id, pos);
      AnswerAll(*platform, b, project.id, pos);
      AnswerAll(*platform, c, project.id, [](const std::string& data) {
        return data.find("gold") != std::string::npos ? std::string("neg") : std::string("pos");
      });
      db->Flush();
      // 5 check-in + 3 x 10 answers > cap 25: every day something is withheld for a.
      auto profile = game->GetProfile(a.user_id).value();
      if (profile.progress.xp_to_next == 0 && profile.progress.next_level_xp &&
          profile.balances.aia >= *profile.progress.next_level_cost_aia) {
        ASSERT_TRUE(game->LevelUp(a.user_id).ok());
      }
      if (db->ledger().DailyRewardAia(a.user_id, game::UtcDay(clock.NowMs() / 1000)).value() ==
          config.daily_reward_cap_aia) {
        ++withheld_days;
      }
      ASSERT_TRUE(ledger->Sequence().ok());
    }
    db->Flush();
    auto pa = game->GetProfile(a.user_id).value();
    auto pb = game->GetProfile(b.user_id).value();
    auto pc = game->GetProfile(c.user_id).value();
    EXPECT_EQ(pa.streak, 7);
    EXPECT_EQ(pb.streak, 3);  // days 4, 5, 6 after the missed day 3
    EXPECT_EQ(withheld_days, 7);
    EXPECT_GE(pa.progress.level, 2);
    EXPECT_EQ(pc.gold_accuracy, 0.0);
    EXPECT_LT(pc.reputation, 100);
    EXPECT_EQ(pc.balances.aia, 7 * 20);  // two accepted normal answers a day, gold wrong
    // a is c's referrer, but c never passed a gold check: no bonus for a.
    auto weekly = game->Leaderboard(game::LeaderboardPeriod::kWeekly, 10).value();
    ASSERT_EQ(weekly.size(), 3u);
    EXPECT_EQ(weekly[0].rank, 1);
    a_level = pa.progress.level;
    db->Close();
  }
  EXPECT_GE(a_level, 2);

  auto report = VerifyLedgerDatabase(OptionsFor(path_));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->problems.empty()) << FormatLedgerVerifyReport(*report);
  EXPECT_GT(report->sequenced, 40);

  Sql("DROP TRIGGER ledger_entries_no_edit; UPDATE ledger_entries SET amount = amount + 1 "
      "WHERE id = 10");
  report = VerifyLedgerDatabase(OptionsFor(path_));
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(std::any_of(report->problems.begin(), report->problems.end(), [](const auto& p) {
    return p.kind == ledger::ProblemKind::kEditedEntry && p.entry_id == 10;
  })) << FormatLedgerVerifyReport(*report);

  Sql("UPDATE ledger_entries SET amount = amount - 1 WHERE id = 10;"
      "DROP TRIGGER ledger_entries_no_delete; DELETE FROM ledger_entries WHERE id = 20");
  report = VerifyLedgerDatabase(OptionsFor(path_));
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(std::any_of(report->problems.begin(), report->problems.end(),
                           [](const auto& p) { return p.entry_id == 10; }));
  EXPECT_TRUE(std::any_of(report->problems.begin(), report->problems.end(), [](const auto& p) {
    return p.kind == ledger::ProblemKind::kMissingEntry && p.entry_id == 20;
  })) << FormatLedgerVerifyReport(*report);
}

}  // namespace
}  // namespace tinydata::cli
