// Rewards, game and ledger through the real server (docs/api.md "Rewards, game and ledger").
//
// GameDayTest: one day of play - funding, check-ins, referrals, answers with a gold failure,
// profile, leaderboard, level-up refusal, and the signed log with its proofs.
//
// GameWeekTest: a simulated week, the server restarted every day with `--clock-start` set to
// that day (small numbers from `--game-config`): check-in streaks and a streak break, a referral
// bonus that starts only once the referee passed enough gold, gold failures that pause a user, a
// level-up that grants AGT, daily caps hit every day. Every figure is read back through the API.
//
// Both end with the server stopped: `tinydata ledger verify` passes on the database, and fails
// naming the entry on copies where one journal amount was edited or one entry deleted.
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "api_fixture.h"
#include "support/database.h"

namespace tinydata::test {
namespace {

using nlohmann::json;

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
  // The requester pays; the operator credits the payment and the check-in pool.
  ExpectError(rq.PostJson("/api/v1/projects/" + std::to_string(project) + "/fund",
                          {{"amount_aia", 1000}}, {{"Idempotency-Key", "fund-0"}}),
              409, "funding without credit");
  EXPECT_EQ(GrantCredit(req.email, 1000), 1000);
  EXPECT_EQ(GrantCredit("pool:checkin", 10'000), 10'000);
  rq = ClientFor(req);
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

  // 2 credit grants + 1 funding + 3 check-ins + 5 accepted answers: the sequencer runs every 2 s.
  HttpClient anyone = Client();
  json checkpoint;
  for (int i = 0; i < 50; ++i) {
    auto response = anyone.Get("/api/v1/ledger/checkpoint");
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    if (response->status == 200) {
      checkpoint = json::parse(response->body);
      if (checkpoint["tree_size"] == 11) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(checkpoint["tree_size"], 11);
  json entry = Expect(anyone.Get("/api/v1/ledger/entries/3"), 200, "entry 3");
  EXPECT_EQ(entry["tree_size"], 11);
  EXPECT_EQ(entry["inclusion_proof"].size(), 4u);
  json consistency =
      Expect(anyone.Get("/api/v1/ledger/consistency?first=3&second=11"), 200, "consistency");
  EXPECT_FALSE(consistency["proof"].empty());
  ExpectError(anyone.Get("/api/v1/ledger/entries/11"), 404, "entry beyond the tree");

  const std::string db = server().database_url();
  ASSERT_TRUE(server().Stop().ok());
  CommandResult ok = Verify(db);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("ledger ok"), std::string::npos) << ok.output;

  auto edited_db = DatabaseCopy::Make(db, server().directory() / "edited.db");
  ASSERT_TRUE(edited_db.ok()) << edited_db.status().ToString();
  const std::string edited_url = (*edited_db)->url();
  ASSERT_TRUE(ExecSql(edited_url, AllowJournalTampering(edited_url) +
                                      "UPDATE ledger_entries SET amount = amount + 1 WHERE id = 6")
                  .ok());
  CommandResult edited = Verify(edited_url);
  EXPECT_EQ(edited.exit_code, 1) << edited.output;
  EXPECT_NE(edited.output.find("entry 6: edited_entry"), std::string::npos) << edited.output;

  auto deleted_db = DatabaseCopy::Make(db, server().directory() / "deleted.db");
  ASSERT_TRUE(deleted_db.ok()) << deleted_db.status().ToString();
  const std::string deleted_url = (*deleted_db)->url();
  ASSERT_TRUE(ExecSql(deleted_url, AllowJournalTampering(deleted_url) +
                                       "DELETE FROM ledger_entries WHERE id = 4")
                  .ok());
  CommandResult deleted = Verify(deleted_url);
  EXPECT_EQ(deleted.exit_code, 1) << deleted.output;
  EXPECT_NE(deleted.output.find("entry 4: missing_entry"), std::string::npos) << deleted.output;
}

// --- The week -----------------------------------------------------------------------------

// Small numbers, so that a few answers a day reach every rule.
constexpr char kWeekGameConfig[] = R"({
  "xp_per_accepted_answer": 10,
  "level_xp_thresholds": [0, 30, 1000],
  "level_up_cost_aia": [0, 10, 500],
  "checkin_base_aia": 2,
  "checkin_streak_bonus_aia": 1,
  "checkin_streak_bonus_max_days": 7,
  "daily_reward_cap_aia": 20,
  "referral_bonus_bps": 5000,
  "referral_min_gold_passes": 2,
  "reputation_gold_fail_penalty": 40,
  "pause_days": 2,
  "agt_per_level_up": 25
})";

// Day 0 is Monday 2026-11-02; every day starts at 09:00 UTC.
std::string DayStart(int day) { return "2026-11-" + std::string(day < 8 ? "0" : "") +
                                       std::to_string(2 + day) + "T09:00:00Z"; }

class GameWeekTest : public ApiTest {
 protected:
  void SetUp() override {
    std::string dir = (std::filesystem::temp_directory_path() / "tinydata-week-XXXXXX").string();
    ASSERT_NE(::mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    config_path_ = (dir_ / "game.json").string();
    std::ofstream(config_path_) << kWeekGameConfig;
    ApiTest::SetUp();
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::vector<std::string> ServerArgs() const override { return DayArgs(0); }
  std::vector<std::string> DayArgs(int day) const {
    return {"--game-config", config_path_, "--clock-start", DayStart(day)};
  }

  // Stops the server and starts it again on the same database with the clock at `day`.
  void StartDay(int day) {
    if (day == 0) return;
    ASSERT_TRUE(server().Stop().ok()) << server().log_text();
    server().SetExtraArgs(IntegrationServerOptions(DayArgs(day)).extra_args);
    Status restarted = server().Restart();
    ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  }

  // Imports `count` tasks into `project` (gold "cat" when `gold`); `tag` keeps them distinct.
  void Import(const Account& owner, int64_t project, int count, bool gold,
              const std::string& tag) {
    std::string body;
    for (int i = 0; i < count; ++i) {
      body += R"({"data":{"img":")" + tag + "-" + std::to_string(i) + R"(.png"})" +
              (gold ? R"(,"gold":"cat"})" : "}") + "\n";
    }
    ImportJsonl(owner, project, body);
  }

  // `who` leases and answers every task it can get in `project` with `value`; how many.
  int AnswerAll(const Account& who, int64_t project, const std::string& value) {
    int answered = 0;
    for (json leased; !(leased = NextTask(who, project)).is_null(); ++answered) {
      Expect(Answer(who, leased["assignment"]["id"].get<int64_t>(), value,
                    who.email + "-" + std::to_string(++answer_keys_)),
             200, "answer by " + who.email);
    }
    return answered;
  }

  json Profile(const Account& who) {
    return Expect(ClientFor(who).Get("/api/v1/me/profile"), 200, "profile of " + who.email);
  }
  json CheckIn(const Account& who) {
    return Expect(ClientFor(who).Post("/api/v1/checkins", ""), 200, "check-in of " + who.email);
  }

  std::filesystem::path dir_;
  std::string config_path_;
  int answer_keys_ = 0;
};

json WeekProject(const std::string& title, int answers, int reward_aia) {
  json p = CatDogProject(answers, answers);
  p["title"] = title;
  p["reward_aia"] = reward_aia;
  return p;
}

TEST_F(GameWeekTest, WeekOfPlayAddsUpThroughTheApiAndVerifies) {
  // a and b annotate project P together; c (referred by r) and e annotate Q; d fails gold in G.
  Account req = Register("req@week.org", "requester");
  Account a = Register("a@week.org");
  Account b = Register("b@week.org");
  Account c = Register("c@week.org");
  Account d = Register("d@week.org");
  Account e = Register("e@week.org");
  Account r = Register("r@week.org");
  const int64_t p = CreateProject(req, WeekProject("P", 2, 5));
  const int64_t q = CreateProject(req, WeekProject("Q", 2, 10));
  const int64_t g = CreateProject(req, WeekProject("G", 1, 5));
  ASSERT_TRUE(p > 0 && q > 0 && g > 0);
  for (int64_t project : {p, q, g}) FundProject(req, project, 1000);
  GrantCredit("pool:checkin", 10'000);
  json me_r = Expect(ClientFor(r).Get("/api/v1/me"), 200, "me r");
  Expect(ClientFor(c).PostJson("/api/v1/me/referrer", {{"referral_code", me_r["referral_code"]}}),
         204, "c names r as referrer");

  for (int day = 0; day < 7; ++day) {
    SCOPED_TRACE("day " + std::to_string(day) + " (" + DayStart(day) + ")");
    StartDay(day);
    if (HasFatalFailure()) return;

    // a checks in every day: the streak grows and so does the bonus (2 + streak - 1).
    json checkin_a = CheckIn(a);
    EXPECT_EQ(checkin_a["day"], DayStart(day).substr(0, 10));
    EXPECT_EQ(checkin_a["streak"], day + 1);
    EXPECT_EQ(checkin_a["bonus_aia"], 2 + day);
    // b misses Thursday (day 3), which resets the streak, and checks in late on day 5.
    if (day != 3 && day != 5) {
      const int streak = day < 3 ? day + 1 : day - 3;
      json checkin_b = CheckIn(b);
      EXPECT_EQ(checkin_b["streak"], streak);
      EXPECT_EQ(checkin_b["bonus_aia"], 2 + streak - 1);
    }

    // Four tasks of P a day pay a and b 5 AIA each: 20 AIA a day, so with the check-in the
    // daily cap of 20 is reached every day.
    Import(req, p, 4, false, "p" + std::to_string(day));
    EXPECT_EQ(AnswerAll(a, p, "cat"), 4);
    EXPECT_EQ(AnswerAll(b, p, "cat"), 4);
    if (day == 5) {
      // b's check-in after 20 AIA of answers: the streak counts, the bonus is over the cap.
      json late = CheckIn(b);
      EXPECT_EQ(late["streak"], 2);
      EXPECT_EQ(late["bonus_aia"], 0);
      EXPECT_EQ(late["withheld_aia"], 3);
    }

    // The referral: c's referrer r earns half of c's rewards, but only from the answer that
    // brings c to two passed gold questions on.
    if (day == 0) {
      Import(req, q, 1, true, "q0-gold");
      Import(req, q, 1, false, "q0");
    } else if (day == 1) {
      Import(req, q, 1, true, "q1-gold");
    } else if (day == 2) {
      Import(req, q, 2, false, "q2");
    }
    AnswerAll(c, q, "cat");
    AnswerAll(e, q, "cat");
    const int64_t r_expected[] = {0, 5, 15, 15, 15, 15, 15};
    EXPECT_EQ(Profile(r)["balances"]["AIA"], r_expected[day]);

    // d answers gold wrongly on days 0 and 1: 100 -> 60 -> 20 < 30 pauses d (at level 1) for
    // two days with reputation 50; back on day 3, a right answer earns 2 points.
    if (day <= 2) Import(req, g, 1, true, "g" + std::to_string(day));
    if (day <= 1) {
      // One task each day; after day 1's failure d is paused, so no second lease is asked for.
      json leased = NextTask(d, g);
      ASSERT_FALSE(leased.is_null());
      Expect(Answer(d, leased["assignment"]["id"].get<int64_t>(), "dog",
                    "d-gold-" + std::to_string(day)),
             200, "d's wrong gold answer");
      json pd = Profile(d);
      EXPECT_EQ(pd["reputation"], day == 0 ? 60 : 50);
      EXPECT_EQ(pd["paused"], day == 1);
      if (day == 1) {
        EXPECT_EQ(pd["paused_until"], "2026-11-05T00:00:00Z");
      }
    } else if (day == 2) {
      json refused = ExpectError(ClientFor(d).Get("/api/v1/tasks/next?project_id=" +
                                                  std::to_string(g)),
                                 409, "paused d asks for a task");
      EXPECT_EQ(refused["field"], "user");
    } else if (day == 3) {
      EXPECT_EQ(AnswerAll(d, g, "cat"), 1);
      json pd = Profile(d);
      EXPECT_EQ(pd["paused"], false);
      EXPECT_EQ(pd["reputation"], 52);
    }

    // a buys level 2 on day 3: 10 AIA, and 25 AGT minted for reaching it.
    if (day == 3) {
      json before = Profile(a);
      EXPECT_EQ(before["level"], 1);
      EXPECT_EQ(before["xp_to_next"], 0);
      EXPECT_EQ(before["next_level_cost_aia"], 10);
      json up = Expect(ClientFor(a).Post("/api/v1/me/level-up", ""), 200, "level-up of a");
      EXPECT_EQ(up["level"], 2);
      EXPECT_EQ(up["agt_granted"], 25);
      EXPECT_EQ(up["agt_withheld"], 0);
      ExpectError(ClientFor(a).Post("/api/v1/me/level-up", ""), 409, "level 3 without the XP");
    }
  }

  json pa = Profile(a);
  EXPECT_EQ(pa["level"], 2);
  EXPECT_EQ(pa["streak"], 7);
  EXPECT_EQ(pa["balances"]["AIA"], 7 * 20 - 10);  // capped every day, minus the level
  EXPECT_EQ(pa["balances"]["AGT"], 25);
  EXPECT_EQ(pa["gold_accuracy"], nullptr);
  json pb = Profile(b);
  EXPECT_EQ(pb["streak"], 3);  // days 4, 5, 6 after the missed day 3
  EXPECT_EQ(pb["balances"]["AIA"], 7 * 20);
  EXPECT_EQ(pb["balances"]["AGT"], 0);
  json pc = Profile(c);
  EXPECT_EQ(pc["balances"]["AIA"], 20 + 10 + 20);
  EXPECT_EQ(pc["gold_accuracy"], 1.0);
  json pd = Profile(d);
  EXPECT_EQ(pd["balances"]["AIA"], 5);
  EXPECT_DOUBLE_EQ(pd["gold_accuracy"].get<double>(), 1.0 / 3.0);

  json weekly = Expect(ClientFor(a).Get("/api/v1/leaderboard?period=weekly"), 200, "weekly");
  ASSERT_EQ(weekly["entries"].size(), 5u) << weekly.dump();  // a, b, c, e, d: r never answered
  EXPECT_EQ(weekly["entries"][0]["rank"], 1);
  EXPECT_EQ(weekly["entries"][0]["xp"], pa["xp"]);
  EXPECT_EQ(weekly["entries"][1]["xp"], pb["xp"]);  // a and b answered the same tasks
  json daily = Expect(ClientFor(a).Get("/api/v1/leaderboard?period=daily"), 200, "daily");
  EXPECT_EQ(daily["entries"].size(), 2u);  // only a and b answered on Sunday

  // A last restart: the sequencer's final run at each stop has put every entry in the log.
  StartDay(7);
  if (HasFatalFailure()) return;
  HttpClient anyone = Client();
  json checkpoint = Expect(anyone.Get("/api/v1/ledger/checkpoint"), 200, "checkpoint");
  const int64_t tree_size = checkpoint["tree_size"].get<int64_t>();
  ASSERT_GT(tree_size, 50);
  // The public log names a by the pseudonym of a's ledger account, not by a's id.
  const std::string a_account = Profile(a)["ledger_account"].get<std::string>();
  ASSERT_EQ(a_account.rfind("user:", 0), 0u);
  const std::string a_ref = a_account.substr(5);
  EXPECT_NE(a_ref, std::to_string(a.id));
  int64_t agt_grant_id = 0;
  int64_t referral_bonus_id = 0;
  for (int64_t i = 0; i < tree_size && (agt_grant_id == 0 || referral_bonus_id == 0); ++i) {
    json leaf = Expect(anyone.Get("/api/v1/ledger/entries/" + std::to_string(i)), 200, "entry");
    if (leaf.is_null()) break;
    const json& entry = leaf["entry"];
    if (entry["reason"] == "agt_grant") {
      agt_grant_id = entry["id"].get<int64_t>();
      EXPECT_EQ(entry["asset"], "AGT");
      EXPECT_EQ(entry["amount"], 25);
      EXPECT_EQ(entry["reference"], "level:" + a_ref + ":2");
    }
    if (entry["reason"] == "referral_bonus" && referral_bonus_id == 0) {
      referral_bonus_id = entry["id"].get<int64_t>();
    }
  }
  ASSERT_GT(agt_grant_id, 0);
  ASSERT_GT(referral_bonus_id, 0);

  const std::string db = server().database_url();
  ASSERT_TRUE(server().Stop().ok());
  CommandResult ok = Verify(db);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("ledger ok"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("entries: " + std::to_string(tree_size)), std::string::npos)
      << ok.output;

  auto edited_db = DatabaseCopy::Make(db, dir_ / "edited.db");
  ASSERT_TRUE(edited_db.ok()) << edited_db.status().ToString();
  const std::string edited_url = (*edited_db)->url();
  Status edit = ExecSql(edited_url, AllowJournalTampering(edited_url) +
                                        "UPDATE ledger_entries SET amount = 2500 WHERE id = " +
                                        std::to_string(agt_grant_id));
  ASSERT_TRUE(edit.ok()) << edit.ToString();
  CommandResult edited = Verify(edited_url);
  EXPECT_NE(edited.exit_code, 0) << edited.output;
  EXPECT_NE(edited.output.find("entry " + std::to_string(agt_grant_id) + ": edited_entry"),
            std::string::npos)
      << edited.output;

  auto deleted_db = DatabaseCopy::Make(db, dir_ / "deleted.db");
  ASSERT_TRUE(deleted_db.ok()) << deleted_db.status().ToString();
  const std::string deleted_url = (*deleted_db)->url();
  Status removal = ExecSql(deleted_url, AllowJournalTampering(deleted_url) +
                                            "DELETE FROM ledger_entries WHERE id = " +
                                            std::to_string(referral_bonus_id));
  ASSERT_TRUE(removal.ok()) << removal.ToString();
  CommandResult deleted = Verify(deleted_url);
  EXPECT_NE(deleted.exit_code, 0) << deleted.output;
  EXPECT_NE(
      deleted.output.find("entry " + std::to_string(referral_bonus_id) + ": missing_entry"),
      std::string::npos)
      << deleted.output;
}

}  // namespace
}  // namespace tinydata::test
