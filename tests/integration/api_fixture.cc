#include "api_fixture.h"

#include <sys/wait.h>

#include <cstdio>
#include <utility>

namespace tinydata::test {

using nlohmann::json;

ServerProcessOptions IntegrationServerOptions(std::vector<std::string> extra_args) {
  ServerProcessOptions options;
  options.binary = TINYDATA_BINARY;
  options.extra_args = {"--no-access-log"};
  options.extra_args.insert(options.extra_args.end(), extra_args.begin(), extra_args.end());
  return options;
}

json Expect(const Result<HttpResponse>& response, int expected_status, const std::string& what) {
  if (!response.ok()) {
    ADD_FAILURE() << what << ": " << response.status().ToString();
    return nullptr;
  }
  if (response->status != expected_status) {
    ADD_FAILURE() << what << ": status " << response->status << " (expected " << expected_status
                  << "): " << response->body;
    return nullptr;
  }
  if (response->body.empty()) return json::object();
  json body = response->Json();
  if (body.is_discarded()) {
    ADD_FAILURE() << what << ": not JSON: " << response->body;
    return nullptr;
  }
  return body;
}

json ExpectError(const Result<HttpResponse>& response, int expected_status,
                 const std::string& what) {
  json body = Expect(response, expected_status, what);
  if (body.is_null()) return nullptr;
  if (!body.contains("error") || !body["error"].is_object() ||
      !body["error"].contains("code") || !body["error"].contains("message")) {
    ADD_FAILURE() << what << ": not an error body: " << body.dump();
    return nullptr;
  }
  return body["error"];
}

json CatDogProject(int min_answers, int max_answers, double gold_rate) {
  return {{"title", "Cats and dogs"},
          {"instructions", "Which animal is in the picture?"},
          {"question",
           {{"type", "single_choice"},
            {"options",
             {{{"value", "cat"}, {"label", "Cat"}}, {{"value", "dog"}, {"label", "Dog"}}}}}},
          {"domain", "general"},
          {"tier", 1},
          {"min_level", 1},
          {"overlap",
           {{"min_answers", min_answers},
            {"max_answers", max_answers},
            {"target_confidence", 0.9}}},
          {"reward_aia", 5},
          {"gold_rate", gold_rate}};
}

void ApiTest::SetUp() {
  auto server = ServerProcess::Start(IntegrationServerOptions(ServerArgs()));
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  server_ = std::move(*server);
}

HttpClient ApiTest::ClientFor(const Account& account) const {
  HttpClient client = server_->Client();
  client.SetBearerToken(account.token);
  return client;
}

Account ApiTest::Register(const std::string& email, const std::string& role) {
  HttpClient client = Client();
  json body = Expect(client.PostJson("/api/v1/auth/register",
                                     {{"email", email}, {"password", "correct horse"},
                                      {"role", role}}),
                     201, "register " + email);
  Account account;
  account.email = email;
  if (body.is_null()) return account;
  account.id = body["user"]["id"].get<int64_t>();
  account.token = body["token"].get<std::string>();
  return account;
}

int64_t ApiTest::CreateProject(const Account& owner, const json& input) {
  HttpClient client = ClientFor(owner);
  json project = Expect(client.PostJson("/api/v1/projects", input), 201, "create project");
  return project.is_null() ? 0 : project["id"].get<int64_t>();
}

json ApiTest::ImportJsonl(const Account& owner, int64_t project_id, const std::string& body) {
  HttpClient client = ClientFor(owner);
  return Expect(client.Post("/api/v1/projects/" + std::to_string(project_id) +
                                "/tasks?format=jsonl",
                            body, {{"Content-Type", "application/x-ndjson"}}),
                201, "import");
}

json ApiTest::NextTask(const Account& annotator, int64_t project_id) {
  HttpClient client = ClientFor(annotator);
  auto response = client.Get("/api/v1/tasks/next?project_id=" + std::to_string(project_id));
  if (response.ok() && response->status == 204) return nullptr;
  return Expect(response, 200, "tasks/next for " + annotator.email);
}

Result<HttpResponse> ApiTest::Answer(const Account& annotator, int64_t assignment_id,
                                     const json& value, const std::string& key) {
  HttpClient client = ClientFor(annotator);
  return client.PostJson("/api/v1/assignments/" + std::to_string(assignment_id) + "/answer",
                         {{"value", value}, {"duration_ms", 900}}, {{"Idempotency-Key", key}});
}

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

const Account& ApiTest::Operator() {
  if (!operator_.token.empty()) return operator_;
  const std::string email = "operator@example.org";
  Result<int> stopped = server_->Stop();
  EXPECT_TRUE(stopped.ok() && *stopped == 0) << server_->log_text();
  CommandResult added = Shell(std::string("'") + TINYDATA_BINARY + "' user add --database '" +
                              server_->database_url() + "' --email " + email +
                              " --role admin --password 'operator password'");
  EXPECT_EQ(added.exit_code, 0) << added.output;
  Status restarted = server_->Restart();
  EXPECT_TRUE(restarted.ok()) << restarted.ToString() << server_->log_text();
  HttpClient client = Client();
  json session = Expect(client.PostJson("/api/v1/auth/login",
                                        {{"email", email}, {"password", "operator password"}}),
                        200, "operator login");
  if (session.is_null()) return operator_;
  operator_.id = session["user"]["id"].get<int64_t>();
  operator_.email = email;
  operator_.token = session["token"].get<std::string>();
  return operator_;
}

int64_t ApiTest::GrantCredit(const std::string& email_or_pool, int64_t amount) {
  HttpClient client = ClientFor(Operator());
  json body = {{"amount_aia", amount}, {"reference", "invoice-" + std::to_string(++grants_)}};
  if (email_or_pool.rfind("pool:", 0) == 0) {
    body["pool"] = email_or_pool.substr(5);
  } else {
    body["email"] = email_or_pool;
  }
  json granted = Expect(client.PostJson("/api/v1/admin/credits", body), 201, "credit grant");
  return granted.is_null() ? -1 : granted["balance_aia"].get<int64_t>();
}

void ApiTest::FundProject(const Account& owner, int64_t project_id, int64_t amount) {
  ASSERT_GT(GrantCredit(owner.email, amount), 0);
  HttpClient client = ClientFor(owner);
  Expect(client.PostJson("/api/v1/projects/" + std::to_string(project_id) + "/fund",
                         {{"amount_aia", amount}},
                         {{"Idempotency-Key", "fund-" + std::to_string(project_id) + "-" +
                                                  std::to_string(++grants_)}}),
         200, "fund");
}

}  // namespace tinydata::test
