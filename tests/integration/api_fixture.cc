#include "api_fixture.h"

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

}  // namespace tinydata::test
