// Gold that cannot be farmed, through the real server on each backend: control items say
// correct or not and never the answer, training items explain theirs, every annotator meets the
// gold pool in an order of their own and never more gold than real work, confident retired items
// join the pool, and answers far faster than is typical here or from a worker whose answers say
// nothing about the truth are held until the project's owner (or a verifier) releases or rejects
// them.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api_fixture.h"

namespace tinydata::test {
namespace {

using nlohmann::json;

class GoldTest : public ApiTest {
 protected:
  // Re-inference every second, and a fast rule that applies at test speed: over 6 answers whose
  // median is at least 20 ms, an answer under a quarter of it is held; two such answers hold all
  // of a worker's answers.
  std::vector<std::string> ServerArgs() const override {
    return {"--maintenance-seconds",    "1", "--hold-min-typical-ms", "20",
            "--hold-min-timed-answers", "6", "--hold-fast-answers",   "2"};
  }

  std::string ProjectPath(int64_t project) { return "/api/v1/projects/" + std::to_string(project); }

  // Leases and answers, `wait_ms` between the two (the time the server sees), claiming
  // `duration_ms` (the client's own measure; the server takes the smaller).
  json AnswerNext(const Account& who, int64_t project, const json& value, int wait_ms = 0,
                  int64_t duration_ms = 900) {
    json leased = NextTask(who, project);
    if (leased.is_null()) return nullptr;
    if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    const int64_t assignment = leased["assignment"]["id"].get<int64_t>();
    json reply = Expect(
        ClientFor(who).PostJson("/api/v1/assignments/" + std::to_string(assignment) + "/answer",
                                {{"value", value}, {"duration_ms", duration_ms}},
                                {{"Idempotency-Key", who.email + std::to_string(assignment)}}),
        200, "answer of " + who.email);
    return {{"task", leased["task"]}, {"reply", reply}};
  }

  json Stats(const Account& owner, int64_t project) {
    return Expect(ClientFor(owner).Get(ProjectPath(project) + "/stats"), 200, "stats");
  }
  json Reviews(const Account& owner, int64_t project) {
    return Expect(ClientFor(owner).Get(ProjectPath(project) + "/reviews"), 200, "reviews");
  }
  int64_t Aia(const Account& who) {
    json profile = Expect(ClientFor(who).Get("/api/v1/me/profile"), 200, "profile");
    return profile.is_null() ? -1 : profile["balances"]["AIA"].get<int64_t>();
  }
  // Polls `ready` (about every 100 ms) for up to `seconds`.
  template <typename Fn>
  bool WaitFor(Fn ready, int seconds = 15) {
    for (int i = 0; i < seconds * 10; ++i) {
      if (ready()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return ready();
  }
};

std::string Items(int count, const std::string& tag, const char* gold = nullptr) {
  std::string body;
  for (int i = 0; i < count; ++i) {
    const std::string truth = i % 2 ? "dog" : "cat";
    body += R"({"data":{"img":")" + tag + std::to_string(i) + R"(","truth":")" + truth + R"("})";
    if (gold != nullptr) body += std::string(R"(,"gold":")") + gold + "\"";
    body += "}\n";
  }
  return body;
}

TEST_F(GoldTest, ControlItemsSayOnlyCorrectOrNotTrainingItemsExplainTheirAnswer) {
  Account req = Register("req@gold.org", "requester");
  const int64_t project = CreateProject(req, CatDogProject(1, 1, 0.5));
  ASSERT_GT(project, 0);
  json imported = ImportJsonl(
      req, project,
      R"({"data":{"img":"teach"},"gold":"cat","training":true,"explanation":"Whiskers and a short muzzle."})"
      "\n" +
          Items(2, "control", "dog") + Items(4, "work"));
  EXPECT_EQ(imported["imported"], 7);
  EXPECT_EQ(imported["gold"], 3);
  EXPECT_EQ(imported["training"], 1);

  Account a = Register("a@gold.org");
  // The training item comes first; after the answer it tells what was right and why, and it
  // pays nothing.
  json first = AnswerNext(a, project, "dog");
  ASSERT_FALSE(first.is_null());
  EXPECT_EQ(first["task"]["data"]["img"], "teach");
  EXPECT_EQ(first["reply"]["gold"], (json{{"correct", false},
                                          {"training", true},
                                          {"expected", "cat"},
                                          {"explanation", "Whiskers and a short muzzle."}}));
  EXPECT_EQ(first["reply"]["reward_pending_aia"], 0);

  int control = 0;
  for (json step; !(step = AnswerNext(a, project, "cat")).is_null();) {
    const json& task = step["task"];
    for (const char* hidden : {"gold", "training", "explanation"}) {
      EXPECT_FALSE(task.contains(hidden)) << task.dump();
    }
    const json& reply = step["reply"];
    if (task["data"]["img"].get<std::string>().rfind("control", 0) == 0) {
      ++control;
      // Wrong, and nothing says what would have been right.
      EXPECT_EQ(reply["gold"], (json{{"correct", false}})) << reply.dump();
      EXPECT_EQ(reply.dump().find("dog"), std::string::npos) << reply.dump();
    } else {
      EXPECT_FALSE(reply.contains("gold")) << reply.dump();
    }
  }
  EXPECT_EQ(control, 2);
  json stats = Stats(req, project);
  EXPECT_EQ(stats["tasks"]["gold"], 3);
  EXPECT_EQ(stats["tasks"]["retired"], 4);  // the work items; gold stays in the pool
  EXPECT_EQ(stats["annotator_accuracy"][0]["answers"], 7);
}

TEST_F(GoldTest, EachAnnotatorMeetsTheGoldPoolInAnOrderOfTheirOwnAndNeverMoreThanTheirWork) {
  Account req = Register("req@gold.org", "requester");
  const int64_t project = CreateProject(req, CatDogProject(5, 5, 1.0));
  ASSERT_GT(project, 0);
  ImportJsonl(req, project, Items(12, "gold", "cat") + Items(40, "work"));

  std::vector<std::vector<std::string>> orders;
  for (int u = 0; u < 3; ++u) {
    Account who = Register("u" + std::to_string(u) + "@gold.org");
    std::vector<std::string> gold;
    std::string kinds;
    for (int i = 0; i < 12; ++i) {
      json step = AnswerNext(who, project, "cat");
      ASSERT_FALSE(step.is_null());
      const bool is_gold = step["reply"].contains("gold");
      kinds += is_gold ? 'G' : 'R';
      if (is_gold) gold.push_back(step["task"]["data"]["img"].get<std::string>());
    }
    // Gold rate 1, yet after the first five gold items a user gets gold only while they had less
    // gold than real work: 5 gold, then regular ones until the sixth gold one.
    EXPECT_EQ(kinds, "GGGGGRRRRRRG") << who.email;
    EXPECT_EQ(std::set<std::string>(gold.begin(), gold.end()).size(), gold.size())
        << "a gold item twice";
    orders.push_back(gold);
  }
  EXPECT_FALSE(orders[0] == orders[1] && orders[1] == orders[2])
      << "three annotators met the gold items in the same order";
}

TEST_F(GoldTest, ConfidentRetiredItemsJoinTheGoldPool) {
  Account req = Register("req@gold.org", "requester");
  json input = CatDogProject(3, 3, 0.0);
  input["gold_promotion_confidence"] = 0.6;
  const int64_t project = CreateProject(req, input);
  ASSERT_GT(project, 0);
  ImportJsonl(req, project, Items(1, "item"));
  for (int u = 0; u < 3; ++u) {
    json step = AnswerNext(Register("u" + std::to_string(u) + "@gold.org"), project, "cat");
    ASSERT_FALSE(step.is_null());
    EXPECT_EQ(step["reply"]["task_retired"], u == 2);
  }
  EXPECT_EQ(Stats(req, project)["tasks"]["gold"], 1);

  // A newcomer meets the item as gold, judged by its consensus at once.
  Account late = Register("late@gold.org");
  json step = AnswerNext(late, project, "dog");
  ASSERT_FALSE(step.is_null());
  EXPECT_EQ(step["task"]["data"]["img"], "item0");
  EXPECT_EQ(step["reply"]["gold"], (json{{"correct", false}}));
  EXPECT_TRUE(NextTask(late, project).is_null());
  // The export still labels the item with its consensus.
  auto exported = ClientFor(req).Get(ProjectPath(project) + "/export?format=jsonl");
  ASSERT_TRUE(exported.ok());
  EXPECT_EQ(json::parse(exported->body)["consensus"], "cat");
}

TEST_F(GoldTest, FastAnswersAreHeldUntilTheOwnerReleasesOrRejectsThem) {
  Account req = Register("req@gold.org", "requester");
  json input = CatDogProject(1, 1, 0.0);
  input["reward_aia"] = 10;
  const int64_t project = CreateProject(req, input);
  ASSERT_GT(project, 0);
  FundProject(req, project, 1000);
  ImportJsonl(req, project, Items(24, "item"));

  // An honest annotator takes about 40 ms an answer: the project's typical time.
  Account honest = Register("honest@gold.org");
  for (int i = 0; i < 8; ++i) ASSERT_FALSE(AnswerNext(honest, project, "cat", 40).is_null());
  ASSERT_TRUE(WaitFor([&] { return Stats(req, project)["answer_time"]["answers"] >= 8; }))
      << Stats(req, project).dump();
  EXPECT_GE(Stats(req, project)["answer_time"]["typical_ms"].get<int64_t>(), 35);

  // Two bots claim to answer in 1 ms: held from the first such answer, and from the second on
  // every answer is held, however slow.
  Account bot = Register("bot@gold.org");
  Account bot2 = Register("bot2@gold.org");
  for (const Account* who : {&bot, &bot2}) {
    ASSERT_FALSE(AnswerNext(*who, project, "cat", 0, 1).is_null());
    ASSERT_FALSE(AnswerNext(*who, project, "cat", 0, 1).is_null());
    ASSERT_FALSE(AnswerNext(*who, project, "cat", 60).is_null());
  }
  json stats = Stats(req, project);
  EXPECT_EQ(stats["review"], (json{{"held_answers", 6}, {"workers_under_review", 2}}));
  EXPECT_EQ(stats["tasks"]["retired"], 8);  // held answers retire nothing
  EXPECT_EQ(Aia(bot), 0);

  json reviews = Reviews(req, project)["reviews"];
  ASSERT_EQ(reviews.size(), 2u) << reviews.dump();
  for (const json& r : reviews) {
    EXPECT_EQ(r["state"], "held");
    EXPECT_EQ(r["fast_answers"], 2);
    EXPECT_EQ(r["held_answers"], 3);
    // "answered in 1 ms" (the client's claim), or 0 when the server saw less.
    EXPECT_EQ(r["reason"].get<std::string>().rfind("answered in ", 0), 0u) << r;
    EXPECT_NE(r["reason"].get<std::string>().find("typically take"), std::string::npos) << r;
    EXPECT_EQ(r["annotator"].get<std::string>().rfind("a-", 0), 0u);
  }
  // Only the owner (or a verifier or admin) sees and decides reviews.
  ExpectError(ClientFor(honest).Get(ProjectPath(project) + "/reviews"), 404, "reviews by others");
  const std::string first = reviews[0]["annotator"], second = reviews[1]["annotator"];
  ExpectError(ClientFor(honest).Post(ProjectPath(project) + "/reviews/" + first + "/release", ""),
              404, "release by others");
  json unknown = ExpectError(
      ClientFor(req).Post(ProjectPath(project) + "/reviews/a-nobody/release", ""), 404, "unknown");
  EXPECT_EQ(unknown["field"], "annotator");

  // Reject one: their held answers are rejected, unpaid, and no more tasks come.
  json rejected =
      Expect(ClientFor(req).Post(ProjectPath(project) + "/reviews/" + second + "/reject", ""), 200,
             "reject");
  EXPECT_EQ(rejected["state"], "rejected");
  ExpectError(ClientFor(req).Post(ProjectPath(project) + "/reviews/" + second + "/release", ""),
              409, "release after reject");
  // Release the other: their answers are judged and paid once their items retire.
  json released =
      Expect(ClientFor(req).Post(ProjectPath(project) + "/reviews/" + first + "/release", ""), 200,
             "release");
  EXPECT_EQ(released["state"], "released");
  EXPECT_EQ(released["held_answers"], 0);

  // Which bot was which: the rejected one is refused new tasks.
  const Account* rejected_bot = nullptr;
  const Account* released_bot = nullptr;
  for (const Account* who : {&bot, &bot2}) {
    auto next = ClientFor(*who).Get("/api/v1/tasks/next?project_id=" + std::to_string(project));
    ASSERT_TRUE(next.ok());
    if (next->status == 409) {
      EXPECT_EQ(next->Json()["error"]["field"], "project_id");
      rejected_bot = who;
    } else {
      released_bot = who;
      if (next->status == 200) {  // give the lease back by answering it slowly
        std::this_thread::sleep_for(std::chrono::milliseconds(60));
        const int64_t id = next->Json()["assignment"]["id"].get<int64_t>();
        Expect(Answer(*who, id, "cat", "late-" + std::to_string(id)), 200, "answer");
      }
    }
  }
  ASSERT_TRUE(rejected_bot != nullptr && released_bot != nullptr);

  // The honest annotator finishes the project; the held items retire with their answers.
  while (!AnswerNext(honest, project, "cat", 40).is_null()) {
  }
  stats = Stats(req, project);
  EXPECT_EQ(stats["tasks"]["open"], 0) << stats.dump();
  EXPECT_EQ(stats["review"]["held_answers"], 0);
  EXPECT_EQ(Aia(*rejected_bot), 0);
  EXPECT_GE(Aia(*released_bot), 30);  // three released answers, accepted and paid
  auto exported = ClientFor(req).Get(ProjectPath(project) + "/export?format=jsonl");
  ASSERT_TRUE(exported.ok());
  int rejected_answers = 0;
  std::istringstream rows(exported->body);
  for (std::string line; std::getline(rows, line);) {
    const json row = json::parse(line);
    for (const json& a : row["answers"]) {
      if (a["verdict"] == "rejected") ++rejected_answers;
      EXPECT_NE(a["verdict"], "pending") << line;
    }
  }
  EXPECT_EQ(rejected_answers, 3) << exported->body;
}

TEST_F(GoldTest, AWorkerWhoseAnswersSayNothingIsHeldAndLeavesTheConsensus) {
  Account req = Register("req@gold.org", "requester");
  // Four answers an item: nothing retires before the hold.
  const int64_t project = CreateProject(req, CatDogProject(4, 4, 0.0));
  ASSERT_GT(project, 0);
  ImportJsonl(req, project, Items(30, "item"));
  auto truth_of = [](const json& task) { return task["data"]["truth"]; };
  // A bot says "cat" to everything, first (so the hold finds all its answers open).
  Account bot = Register("bot@gold.org");
  int answered = 0;
  for (json leased; !(leased = NextTask(bot, project)).is_null(); ++answered) {
    Expect(Answer(bot, leased["assignment"]["id"].get<int64_t>(), "cat",
                  "bot" + leased["assignment"]["id"].dump()),
           200, "bot answer");
  }
  EXPECT_EQ(answered, 30);
  // Two careful annotators answer everything right: on the dog items they contradict the bot.
  for (const char* email : {"h1@gold.org", "h2@gold.org"}) {
    Account who = Register(email);
    for (json leased; !(leased = NextTask(who, project)).is_null();) {
      Expect(Answer(who, leased["assignment"]["id"].get<int64_t>(), truth_of(leased["task"]),
                    email + leased["assignment"]["id"].dump()),
             200, "answer");
    }
  }
  // The next re-inference sees a spam score near 1 and holds the bot.
  json review;
  ASSERT_TRUE(WaitFor([&] {
    json list = Reviews(req, project)["reviews"];
    if (list.empty()) return false;
    review = list[0];
    return true;
  })) << "no review after the re-inference";
  EXPECT_EQ(review["state"], "held");
  EXPECT_GE(review["spam_score"].get<double>(), 0.9) << review;
  EXPECT_NE(review["reason"].get<std::string>().find("spam score"), std::string::npos) << review;
  EXPECT_EQ(review["held_answers"], 30) << review;
  EXPECT_EQ(Stats(req, project)["review"]["held_answers"], 30);

  // Two more careful annotators finish: every item gets its true label.
  for (const char* email : {"h3@gold.org", "h4@gold.org"}) {
    Account who = Register(email);
    for (json leased; !(leased = NextTask(who, project)).is_null();) {
      Expect(Answer(who, leased["assignment"]["id"].get<int64_t>(), truth_of(leased["task"]),
                    email + leased["assignment"]["id"].dump()),
             200, "answer");
    }
  }
  auto exported = ClientFor(req).Get(ProjectPath(project) + "/export?format=jsonl");
  ASSERT_TRUE(exported.ok());
  std::istringstream rows(exported->body);
  int items = 0;
  for (std::string line; std::getline(rows, line); ++items) {
    json row = json::parse(line);
    EXPECT_EQ(row["consensus"], row["data"]["truth"]) << line;
  }
  EXPECT_EQ(items, 30);
  Expect(ClientFor(req).Post(ProjectPath(project) + "/reviews/" +
                                 review["annotator"].get<std::string>() + "/reject",
                             ""),
         200, "reject the bot");
  EXPECT_EQ(Stats(req, project)["review"]["workers_under_review"], 0);
}

}  // namespace
}  // namespace tinydata::test

namespace tinydata::test {
namespace {

using nlohmann::json;

// Referral bonuses start after two gold passes, and only passes on items the referrer never had
// count: a referrer who saw the gold items could have told the referee the answers.
class ReferralGoldTest : public ApiTest {
 protected:
  void SetUp() override {
    std::string dir = (std::filesystem::temp_directory_path() / "tinydata-refgold-XXXXXX").string();
    ASSERT_NE(::mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    std::ofstream(dir_ / "game.json")
        << R"({"referral_min_gold_passes": 2, "referral_bonus_bps": 5000,
               "daily_reward_cap_aia": 100000})";
    ApiTest::SetUp();
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::vector<std::string> ServerArgs() const override {
    return {"--game-config", (dir_ / "game.json").string()};
  }
  int64_t Aia(const Account& who) {
    json profile = Expect(ClientFor(who).Get("/api/v1/me/profile"), 200, "profile");
    return profile.is_null() ? -1 : profile["balances"]["AIA"].get<int64_t>();
  }
  // Leases and answers "cat"; whether the task was gold (null when none was left).
  json AnswerCat(const Account& who, int64_t project) {
    json leased = NextTask(who, project);
    if (leased.is_null()) return nullptr;
    const int64_t id = leased["assignment"]["id"].get<int64_t>();
    json reply = Expect(Answer(who, id, "cat", who.email + std::to_string(id)), 200, "answer");
    return reply.contains("gold");
  }
  std::filesystem::path dir_;
};

TEST_F(ReferralGoldTest, PassesOnGoldTheReferrerHadDoNotStartTheBonus) {
  Account req = Register("req@ref.org", "requester");
  json input = CatDogProject(1, 1, 1.0);
  input["reward_aia"] = 10;
  const int64_t project = CreateProject(req, input);
  ASSERT_GT(project, 0);
  FundProject(req, project, 10'000);
  ImportJsonl(req, project,
              R"({"data":{"img":"g1"},"gold":"cat"})"
              "\n"
              R"({"data":{"img":"g2"},"gold":"cat"})"
              "\n");
  std::string work;
  for (int i = 0; i < 20; ++i) work += R"({"data":{"img":"w)" + std::to_string(i) + "\"}}\n";
  ImportJsonl(req, project, work);

  Account r = Register("r@ref.org");
  json me_r = Expect(ClientFor(r).Get("/api/v1/me"), 200, "me");
  Account c = Register("c@ref.org");
  Expect(ClientFor(c).PostJson("/api/v1/me/referrer", {{"referral_code", me_r["referral_code"]}}),
         204, "c names r");
  // The referrer meets both gold items first.
  EXPECT_EQ(AnswerCat(r, project), true);
  EXPECT_EQ(AnswerCat(r, project), true);
  const int64_t r_own = Aia(r);
  EXPECT_EQ(r_own, 20);

  // The referee passes the same two, then does real work: no bonus for r.
  EXPECT_EQ(AnswerCat(c, project), true);
  EXPECT_EQ(AnswerCat(c, project), true);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(AnswerCat(c, project), false);
  EXPECT_EQ(Aia(c), 50);
  EXPECT_EQ(Aia(r), r_own) << "a bonus from passes on gold the referrer had";

  // Two gold items the referrer never had: from the second pass on, r earns half of c's rewards.
  ImportJsonl(req, project,
              R"({"data":{"img":"g3"},"gold":"cat"})"
              "\n"
              R"({"data":{"img":"g4"},"gold":"cat"})"
              "\n");
  EXPECT_EQ(AnswerCat(c, project), true);
  EXPECT_EQ(AnswerCat(c, project), true);
  EXPECT_EQ(AnswerCat(c, project), false);
  EXPECT_EQ(Aia(c), 80);
  EXPECT_EQ(Aia(r), r_own + 5 + 5) << "the second unrevealed pass and the answer after it";
}

}  // namespace
}  // namespace tinydata::test
