// The full journey of docs/api.md against the real server: a requester creates a project and
// imports tasks with a gold item, three annotators answer until every task retires, and the
// stats and the export tell what happened.
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "api_fixture.h"

namespace tinydata::test {
namespace {

using nlohmann::json;

class JourneyTest : public ApiTest {};

// Three regular items and one gold item; `truth` is what a careful annotator answers.
constexpr char kTasks[] =
    R"({"data": {"image": "/img/1.png", "truth": "cat"}})"
    "\n"
    R"({"data": {"image": "/img/2.png", "truth": "dog"}})"
    "\n"
    R"({"data": {"image": "/img/3.png", "truth": "cat"}})"
    "\n"
    R"({"data": {"image": "/img/4.png", "truth": "dog"}, "gold": "dog"})"
    "\n";

std::vector<json> ParseJsonl(const std::string& text) {
  std::vector<json> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) rows.push_back(json::parse(line));
  }
  return rows;
}

TEST_F(JourneyTest, ThreeAnnotatorsRetireEveryTaskAndTheExportHoldsTheConsensus) {
  Account requester = Register("req@example.org", "requester");
  const int64_t project = CreateProject(requester, CatDogProject(3, 3));
  ASSERT_GT(project, 0);
  json imported = ImportJsonl(requester, project, kTasks);
  EXPECT_EQ(imported, (json{{"imported", 4}, {"gold", 1}, {"training", 0}}));

  std::vector<Account> annotators = {Register("ann1@example.org"), Register("ann2@example.org"),
                                     Register("ann3@example.org")};
  std::set<std::pair<int64_t, int64_t>> seen;  // (annotator, task): never twice
  int gold_feedback = 0;
  for (size_t a = 0; a < annotators.size(); ++a) {
    for (int round = 0; round < 10; ++round) {
      json leased = NextTask(annotators[a], project);
      if (leased.is_null()) break;
      ASSERT_TRUE(leased.contains("assignment")) << leased.dump();
      EXPECT_FALSE(leased["task"].contains("gold")) << "gold leaked: " << leased.dump();
      EXPECT_EQ(leased["project"]["question"]["type"], "single_choice");
      const int64_t task = leased["task"]["id"].get<int64_t>();
      EXPECT_TRUE(seen.insert({a, task}).second) << "task " << task << " handed out twice";
      std::string value = leased["task"]["data"]["truth"].get<std::string>();
      // The third annotator gets the first image wrong; the majority still wins.
      if (a == 2 && leased["task"]["data"]["image"] == "/img/1.png") value = "dog";
      json result = Expect(Answer(annotators[a], leased["assignment"]["id"].get<int64_t>(), value,
                                  "k-" + std::to_string(a) + "-" + std::to_string(task)),
                           200, "answer");
      ASSERT_FALSE(result.is_null());
      EXPECT_TRUE(result.contains("answer_id"));
      if (result.contains("gold")) {
        ++gold_feedback;
        EXPECT_EQ(result["gold"]["correct"], true);
        // A control item says whether the answer was right, never what the right answer is.
        EXPECT_FALSE(result["gold"].contains("expected")) << result.dump();
        EXPECT_FALSE(result["gold"].contains("explanation")) << result.dump();
      }
      // The third answer of a task (min = max = 3) retires it; a gold item stays in the pool.
      EXPECT_EQ(result["task_retired"].get<bool>(), a == 2 && !result.contains("gold"))
          << result.dump();
    }
  }
  EXPECT_EQ(seen.size(), 12u);
  EXPECT_EQ(gold_feedback, 3);

  HttpClient owner = ClientFor(requester);
  json stats = Expect(owner.Get("/api/v1/projects/" + std::to_string(project) + "/stats"), 200,
                      "stats");
  EXPECT_EQ(stats["tasks"], (json{{"total", 4}, {"open", 0}, {"retired", 3}, {"gold", 1}}));
  EXPECT_EQ(stats["answers"], 12);
  EXPECT_DOUBLE_EQ(stats["completion"].get<double>(), 1.0);

  auto exported = owner.Get("/api/v1/projects/" + std::to_string(project) + "/export?format=jsonl");
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  ASSERT_EQ(exported->status, 200) << exported->body;
  EXPECT_EQ(exported->Header("Content-Type"), "application/x-ndjson");
  for (const Account& a : annotators) {
    EXPECT_EQ(exported->body.find(a.email), std::string::npos) << "an email leaked into the export";
  }
  std::vector<json> rows = ParseJsonl(exported->body);
  ASSERT_EQ(rows.size(), 4u);
  std::set<std::string> pseudonyms;
  for (const json& row : rows) {
    EXPECT_EQ(row["consensus"], row["data"]["truth"]) << row.dump();
    EXPECT_GT(row["confidence"].get<double>(), 0.5) << row.dump();
    ASSERT_EQ(row["answers"].size(), 3u) << row.dump();
    for (const json& answer : row["answers"]) {
      const std::string annotator = answer["annotator"].get<std::string>();
      EXPECT_EQ(annotator.rfind("a-", 0), 0u) << annotator;
      EXPECT_EQ(annotator.size(), 14u) << annotator;
      pseudonyms.insert(annotator);
      const bool agrees = answer["value"] == row["consensus"];
      EXPECT_EQ(answer["verdict"], agrees ? "accepted" : "rejected") << row.dump();
    }
  }
  EXPECT_EQ(pseudonyms.size(), 3u);
}

TEST_F(JourneyTest, ExportsCsvAndLabelStudioJson) {
  Account requester = Register("req@example.org", "requester");
  const int64_t project = CreateProject(requester, CatDogProject(1, 1));
  ImportJsonl(requester, project, R"({"data": {"text": "a"}})" "\n" R"({"data": {"text": "b"}})" "\n");
  Account annotator = Register("ann@example.org");
  for (int i = 0; i < 2; ++i) {
    json leased = NextTask(annotator, project);
    ASSERT_FALSE(leased.is_null());
    Expect(Answer(annotator, leased["assignment"]["id"].get<int64_t>(), "cat", "k" + std::to_string(i)),
           200, "answer");
  }
  HttpClient owner = ClientFor(requester);
  const std::string base = "/api/v1/projects/" + std::to_string(project) + "/export?format=";
  auto csv = owner.Get(base + "csv");
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->Header("Content-Type").rfind("text/csv", 0), 0u);
  // RFC 4180 rows end in CRLF.
  EXPECT_EQ(csv->body.rfind("task_id,data,consensus,confidence,answers\r\n", 0), 0u) << csv->body;
  auto ls = owner.Get(base + "labelstudio");
  ASSERT_TRUE(ls.ok());
  json tasks = Expect(ls, 200, "labelstudio export");
  ASSERT_TRUE(tasks.is_array()) << ls->body;
  EXPECT_EQ(tasks.size(), 2u);
}

TEST_F(JourneyTest, RequesterSeesOnlyOwnProjects) {
  Account alice = Register("alice@example.org", "requester");
  Account bob = Register("bob@example.org", "requester");
  const int64_t mine = CreateProject(alice, CatDogProject());
  CreateProject(bob, CatDogProject());
  HttpClient client = ClientFor(alice);
  json list = Expect(client.Get("/api/v1/projects"), 200, "list");
  ASSERT_EQ(list["projects"].size(), 1u);
  EXPECT_EQ(list["projects"][0]["id"], mine);
  EXPECT_EQ(list["projects"][0]["owner_id"], alice.id);
}

TEST_F(JourneyTest, PausedProjectHandsOutNothingUntilResumed) {
  Account requester = Register("req@example.org", "requester");
  const int64_t project = CreateProject(requester, CatDogProject());
  ImportJsonl(requester, project, R"({"data": {"text": "a"}})" "\n");
  HttpClient owner = ClientFor(requester);
  const std::string path = "/api/v1/projects/" + std::to_string(project);
  EXPECT_EQ(Expect(owner.Post(path + "/pause", ""), 200, "pause")["status"], "paused");
  Account annotator = Register("ann@example.org");
  HttpClient client = ClientFor(annotator);
  auto paused = client.Get("/api/v1/tasks/next?project_id=" + std::to_string(project));
  ASSERT_TRUE(paused.ok());
  EXPECT_NE(paused->status, 200) << paused->body;
  EXPECT_EQ(Expect(owner.Post(path + "/resume", ""), 200, "resume")["status"], "active");
  EXPECT_FALSE(NextTask(annotator, project).is_null());
}

TEST_F(JourneyTest, LogoutRevokesTheToken) {
  Account annotator = Register("ann@example.org");
  HttpClient client = ClientFor(annotator);
  EXPECT_EQ(Expect(client.Get("/api/v1/me"), 200, "me")["email"], "ann@example.org");
  Expect(client.Post("/api/v1/auth/logout", ""), 204, "logout");
  ExpectError(client.Get("/api/v1/me"), 401, "me after logout");
  HttpClient fresh = Client();
  json session = Expect(fresh.PostJson("/api/v1/auth/login",
                                       {{"email", "ann@example.org"}, {"password", "correct horse"}}),
                        200, "login");
  EXPECT_EQ(session["user"]["id"], annotator.id);
}

}  // namespace
}  // namespace tinydata::test
