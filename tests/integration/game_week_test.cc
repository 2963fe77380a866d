// Rewards, game and ledger through the real server (docs/api.md "Rewards, game and ledger"):
// funding, check-ins, referrals, answers with a gold failure, profile, leaderboard, level-up
// refusal, and the signed log with its proofs; then, with the server stopped, `tinydata ledger
// verify` passes on the database and fails naming the entry once one row is edited or deleted.
//
// The server reads the system clock, so this covers one day of play; the week (streak breaks,
// caps across days, level-ups) runs in process with a manual clock in
// tests/unit/cli/game_week_test.cc.
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "api_fixture.h"

namespace tinydata::test {
namespace {

using nlohmann::json;

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult Shell(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;) {
    result.output.append(buffer, n);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

CommandResult Verify(const std::string& database) {
  return Shell(std::string("'") + TINYDATA_BINARY + "' ledger verify --database '" + database +
               "'");
}

class GameDayTest : public ApiTest {};

TEST_F(GameDayTest, DayOfPlayIsPaidSignedAndVerifiable) {
  Account req = Register("req@x.org", "requester");
  Account a = Register("a@x.org");
  Account b = Register("b@x.org");
  Account c = Register("c@x.org");
  const int64_t project = CreateProject(req, CatDogProject(3, 3));
  ASSERT_GT(project, 0);
  HttpClient rq = ClientFor(req);
  json funded = Expect(rq.PostJson("/api/v1/projects/" + std::to_string(project) + "/fund",
                                   {{"amount_aia", 1000}}, {{"Idempotency-Key", "fund-1"}}),
                       200, "fund");
  EXPECT_EQ(funded["budget_aia"], 1000);
  Expect(rq.PostJson("/api/v1/projects/" + std::to_string(project) + "/fund",
                     {{"amount_aia", 1000}}, {{"Idempotency-Key", "fund-1"}}),
         200, "fund retry");
  ExpectError(ClientFor(a).PostJson("/api/v1/projects/" + std::to_string(project) + "/fund",
                                    {{"amount_aia", 5}}),
              403, "annotator funding");

  // c was referred by a; the reverse would loop.
  HttpClient ca = ClientFor(a);
  HttpClient cb = ClientFor(b);
  HttpClient cc = ClientFor(c);
  json me_a = Expect(ca.Get("/api/v1/me"), 200, "me a");
  json me_c = Expect(cc.Get("/api/v1/me"), 200, "me c");
  ExpectError(ca.PostJson("/api/v1/me/referrer", {{"referral_code", me_a["referral_code"]}}), 400,
              "self referral");
  Expect(cc.PostJson("/api/v1/me/referrer", {{"referral_code", me_a["referral_code"]}}), 204,
         "referral");
  ExpectError(ca.PostJson("/api/v1/me/referrer", {{"referral_code", me_c["referral_code"]}}), 409,
              "cyclic referral");

  for (HttpClient* client : {&ca, &cb, &cc}) {
    json checkin = Expect(client->Post("/api/v1/checkins", ""), 200, "check-in");
    EXPECT_EQ(checkin["streak"], 1);
    EXPECT_EQ(checkin["bonus_aia"], 5);
    ExpectError(client->Post("/api/v1/checkins", ""), 409, "second check-in");
  }

  ImportJsonl(req, project,
              "{\"data\":{\"img\":\"1.png\"}}\n{\"data\":{\"img\":\"2.png\"},\"gold\":\"cat\"}\n");
  int key = 0;
  for (const Account* who : {&a, &b, &c}) {
    for (;;) {
      json leased = NextTask(*who, project);
      if (leased.is_null()) break;
      const bool gold = leased["task"]["data"]["img"] == "2.png";
      const std::string value = gold && who == &c ? "dog" : "cat";
      Expect(Answer(*who, leased["assignment"]["id"].get<int64_t>(), value,
                    "k" + std::to_string(++key)),
             200, "answer");
    }
  }

  json pa = Expect(ca.Get("/api/v1/me/profile"), 200, "profile a");
  EXPECT_EQ(pa["balances"]["AIA"], 5 + 2 * 5);  // check-in + two answers at reward_aia 5
  EXPECT_GT(pa["xp"].get<int64_t>(), 0);
  EXPECT_EQ(pa["streak"], 1);
  EXPECT_EQ(pa["gold_accuracy"], 1.0);
  json pc = Expect(cc.Get("/api/v1/me/profile"), 200, "profile c");
  EXPECT_EQ(pc["gold_accuracy"], 0.0);
  EXPECT_EQ(pc["balances"]["AIA"], 5 + 5);
  ExpectError(ca.Post("/api/v1/me/level-up", ""), 409, "level-up without XP");
  json board = Expect(ca.Get("/api/v1/leaderboard?period=weekly"), 200, "leaderboard");
  ASSERT_EQ(board["entries"].size(), 3u);
  EXPECT_EQ(board["entries"][0]["rank"], 1);
  ExpectError(ca.Get("/api/v1/leaderboard?period=monthly"), 400, "bad period");

  // 1 funding + 3 check-ins + 5 accepted answers: the sequencer runs every 2 s.
  HttpClient anyone = Client();
  json checkpoint;
  for (int i = 0; i < 50; ++i) {
    auto response = anyone.Get("/api/v1/ledger/checkpoint");
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    if (response->status == 200) {
      checkpoint = json::parse(response->body);
      if (checkpoint["tree_size"] == 9) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(checkpoint["tree_size"], 9);
  json entry = Expect(anyone.Get("/api/v1/ledger/entries/3"), 200, "entry 3");
  EXPECT_EQ(entry["tree_size"], 9);
  EXPECT_EQ(entry["inclusion_proof"].size(), 4u);
  json consistency =
      Expect(anyone.Get("/api/v1/ledger/consistency?first=3&second=9"), 200, "consistency");
  EXPECT_FALSE(consistency["proof"].empty());
  ExpectError(anyone.Get("/api/v1/ledger/entries/9"), 404, "entry beyond the tree");

  if (!server().database_url().ends_with(".db")) GTEST_SKIP() << "verify needs a SQLite file";
  ASSERT_TRUE(server().Stop().ok());
  const std::string db = server().database_path().string();
  CommandResult ok = Verify(db);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("ledger ok"), std::string::npos) << ok.output;

  if (Shell("command -v sqlite3").exit_code != 0) GTEST_SKIP() << "no sqlite3 shell to tamper with";
  Shell("sqlite3 '" + db +
        "' 'DROP TRIGGER ledger_entries_no_edit; "
        "UPDATE ledger_entries SET amount = amount + 1 WHERE id = 6'");
  CommandResult edited = Verify(db);
  EXPECT_EQ(edited.exit_code, 1) << edited.output;
  EXPECT_NE(edited.output.find("entry 6: edited_entry"), std::string::npos) << edited.output;

  Shell("sqlite3 '" + db +
        "' 'UPDATE ledger_entries SET amount = amount - 1 WHERE id = 6; "
        "DROP TRIGGER ledger_entries_no_delete; DELETE FROM ledger_entries WHERE id = 4'");
  CommandResult deleted = Verify(db);
  EXPECT_EQ(deleted.exit_code, 1) << deleted.output;
  EXPECT_NE(deleted.output.find("entry 4: missing_entry"), std::string::npos) << deleted.output;
}

}  // namespace
}  // namespace tinydata::test
