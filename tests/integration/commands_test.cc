// The server's companion commands against its database: `tinydata user add` (the first admin),
// `tinydata import`, `tinydata export`, `tinydata migrate`, and `serve --demo`.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "api_fixture.h"

namespace tinydata::test {
namespace {

using nlohmann::json;

// Runs `tinydata <args>` through the shell (args are quoted by the caller).
CommandResult RunTinydata(const std::string& args, const std::string& stdin_text = {}) {
  std::string command = std::string("'") + TINYDATA_BINARY + "' " + args;
  if (!stdin_text.empty()) command = "printf '%s\\n' '" + stdin_text + "' | " + command;
  return Shell(command);
}

class CommandsTest : public ApiTest {
 protected:
  std::string Database() { return "'" + server().database_url() + "'"; }
};

TEST_F(CommandsTest, MigrateReportsTheSchemaAndIsIdempotentWhileTheServerRuns) {
  // The server migrated at start; a second migration (a rolling upgrade) finds nothing to do.
  CommandResult again = RunTinydata("migrate --database " + Database());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("(applied: none)"), std::string::npos) << again.output;
  EXPECT_EQ(again.output.find("schema 0"), std::string::npos) << again.output;
  Expect(Client().Get("/healthz"), 200, "server still up");
}

TEST_F(CommandsTest, MigrateOfAnUnreachableDatabaseFailsWithTheReason) {
  CommandResult failed = RunTinydata("migrate --database postgresql://nobody@127.0.0.1:1/none");
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_NE(failed.output.find("cannot connect"), std::string::npos) << failed.output;
}

TEST_F(CommandsTest, UserAddCreatesAnAdminWhoCanReadMetrics) {
  ASSERT_TRUE(server().Stop().ok());
  CommandResult added = RunTinydata("user add --database " + Database() +
                                    " --email ops@example.org --role admin",
                                    "a long admin password");
  ASSERT_EQ(added.exit_code, 0) << added.output;
  EXPECT_NE(added.output.find("roles=admin"), std::string::npos) << added.output;
  ASSERT_TRUE(server().Restart().ok()) << server().log_text();

  HttpClient client = Client();
  json session = Expect(client.PostJson("/api/v1/auth/login", {{"email", "ops@example.org"},
                                                               {"password", "a long admin password"}}),
                        200, "admin login");
  ASSERT_FALSE(session.is_null());
  EXPECT_EQ(session["user"]["roles"], json::array({"admin"}));
  client.SetBearerToken(session["token"].get<std::string>());
  json metrics = Expect(client.Get("/api/v1/admin/metrics"), 200, "metrics");
  EXPECT_TRUE(metrics["store"].contains("answers_per_commit")) << metrics.dump();
}

TEST_F(CommandsTest, MetricsAreForAdminsOnly) {
  Account annotator = Register("ann@example.org");
  ExpectError(ClientFor(annotator).Get("/api/v1/admin/metrics"), 403, "metrics");
}

TEST_F(CommandsTest, UserAddRejectsAnUnknownRole) {
  CommandResult added = RunTinydata("user add --database " + Database() +
                                    " --email x@example.org --role emperor --password 'long enough'");
  EXPECT_EQ(added.exit_code, 1) << added.output;
  EXPECT_NE(added.output.find("role"), std::string::npos) << added.output;
}

TEST_F(CommandsTest, ImportThenExportThroughTheCommandLine) {
  Account requester = Register("req@example.org", "requester");
  const int64_t project = CreateProject(requester, CatDogProject(1, 1));
  ASSERT_TRUE(server().Stop().ok());

  const std::string file = (server().directory() / "tasks.csv").string();
  std::ofstream(file) << "text,gold\nfirst,cat\nsecond,\nthird,\n";
  CommandResult imported = RunTinydata("import --database " + Database() + " --project " +
                                       std::to_string(project) + " '" + file + "'");
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_NE(imported.output.find("imported 3 tasks (1 gold)"), std::string::npos) << imported.output;

  ASSERT_TRUE(server().Restart().ok()) << server().log_text();
  json stats = Expect(ClientFor(requester).Get("/api/v1/projects/" + std::to_string(project) + "/stats"),
                      200, "stats");
  EXPECT_EQ(stats["tasks"]["total"], 3);

  CommandResult exported = RunTinydata("export --database " + Database() + " --project " +
                                       std::to_string(project) + " --format jsonl");
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  std::istringstream lines(exported.output);
  int rows = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    ++rows;
    EXPECT_TRUE(json::parse(line).contains("task_id")) << line;
  }
  EXPECT_EQ(rows, 3);
}

TEST_F(CommandsTest, ImportReportsRowErrorsWithFileAndLine) {
  Account requester = Register("req@example.org", "requester");
  const int64_t project = CreateProject(requester, CatDogProject());
  ASSERT_TRUE(server().Stop().ok());
  const std::string file = (server().directory() / "bad.jsonl").string();
  std::ofstream(file) << "{\"data\": {}}\n{oops\n";
  CommandResult imported = RunTinydata("import --database " + Database() + " --project " +
                                       std::to_string(project) + " '" + file + "'");
  EXPECT_EQ(imported.exit_code, 1) << imported.output;
  EXPECT_NE(imported.output.find("bad.jsonl:2:"), std::string::npos) << imported.output;
}

class DemoTest : public ApiTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--demo"}; }
};

TEST_F(DemoTest, NewAnnotatorCanAnswerTheDemoAtOnce) {
  Account annotator = Register("new@example.org");
  HttpClient client = ClientFor(annotator);
  json leased = Expect(client.Get("/api/v1/tasks/next"), 200, "demo task");
  ASSERT_FALSE(leased.is_null());
  EXPECT_EQ(leased["project"]["title"], "Product review sentiment");
  json answer = Expect(Answer(annotator, leased["assignment"]["id"].get<int64_t>(), "positive", "d1"),
                       200, "answer");
  EXPECT_TRUE(answer.contains("answer_id"));
}

TEST_F(DemoTest, RestartDoesNotSeedTwice) {
  ASSERT_TRUE(server().Stop().ok());
  ASSERT_TRUE(server().Restart().ok()) << server().log_text();
  HttpClient client = Client();
  json session = Expect(client.PostJson("/api/v1/auth/login",
                                        {{"email", "demo-requester@tinydata.local"},
                                         {"password", "demo-requester"}}),
                        200, "demo requester login");
  ASSERT_FALSE(session.is_null());
  client.SetBearerToken(session["token"].get<std::string>());
  json projects = Expect(client.Get("/api/v1/projects"), 200, "projects");
  EXPECT_EQ(projects["projects"].size(), 1u);
}

class MetaTest : public ApiTest {};

TEST_F(MetaTest, HealthzAnswersOk) {
  EXPECT_EQ(Expect(Client().Get("/healthz"), 200, "healthz")["status"], "ok");
}

TEST_F(MetaTest, OpenApiDocumentDescribesTheAnswerEndpoint) {
  json doc = Expect(Client().Get("/api/openapi.json"), 200, "openapi");
  EXPECT_EQ(doc["openapi"], "3.0.3");
  EXPECT_TRUE(doc["paths"]["/api/v1/assignments/{id}/answer"].contains("post")) << doc["paths"].dump();
  EXPECT_TRUE(doc["components"]["schemas"].contains("Error"));
}

TEST_F(MetaTest, WebAppIsServedForNonApiPaths) {
  auto response = Client().Get("/projects/7");
  ASSERT_TRUE(response.ok());
  // The SPA fallback (when web/dist is built) or a 404; never an API JSON error.
  if (response->status == 200) {
    EXPECT_EQ(response->Header("Content-Type").rfind("text/html", 0), 0u);
  } else {
    EXPECT_EQ(response->status, 404);
  }
}

}  // namespace
}  // namespace tinydata::test
