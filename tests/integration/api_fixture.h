// What the integration suites share: a real server per test (ApiTest), accounts, projects and
// the calls of docs/api.md as one-liners that check the HTTP status and hand back the JSON.
//
// The helpers record a gtest failure (with the response body) when the status differs from the
// expected one and return a null JSON value, so a test reads as the journey it checks.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"

namespace tinydata::test {

struct Account {
  int64_t id = 0;
  std::string email;
  std::string token;
};

// The options every integration server starts with: the real binary, a fresh database of the
// backend the environment names (support/postgres.h), no access log, and `extra_args`.
ServerProcessOptions IntegrationServerOptions(std::vector<std::string> extra_args = {});

// The JSON body of `response` when it succeeded with `expected_status`; otherwise a gtest
// failure naming `what` and a null value.
nlohmann::json Expect(const Result<HttpResponse>& response, int expected_status,
                      const std::string& what);

// The `error` object of a response that failed with `expected_status`, else a gtest failure.
nlohmann::json ExpectError(const Result<HttpResponse>& response, int expected_status,
                           const std::string& what);

// A single-choice project_input with options "cat" and "dog".
nlohmann::json CatDogProject(int min_answers = 3, int max_answers = 3, double gold_rate = 0.0);

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Extra `serve` arguments of a suite's servers (e.g. a short lease).
  virtual std::vector<std::string> ServerArgs() const { return {}; }

  ServerProcess& server() { return *server_; }
  // A new keep-alive client without a token.
  HttpClient Client() const { return server_->Client(); }
  // A new client that sends `account`'s token.
  HttpClient ClientFor(const Account& account) const;

  // POST /api/v1/auth/register; `role` "annotator" or "requester".
  Account Register(const std::string& email, const std::string& role = "annotator");
  // POST /api/v1/projects as `owner`; the project's id (0 after a failure).
  int64_t CreateProject(const Account& owner, const nlohmann::json& input);
  // POST /api/v1/projects/{id}/tasks?format=jsonl; the {imported, gold} reply.
  nlohmann::json ImportJsonl(const Account& owner, int64_t project_id, const std::string& body);
  // GET /api/v1/tasks/next?project_id=; the leased task, or null on 204.
  nlohmann::json NextTask(const Account& annotator, int64_t project_id);
  // POST /api/v1/assignments/{id}/answer with an Idempotency-Key; the raw response.
  Result<HttpResponse> Answer(const Account& annotator, int64_t assignment_id,
                              const nlohmann::json& value, const std::string& key);

  // The operator: an admin created with `tinydata user add` while the server is briefly
  // stopped, as an operator does before the first start; made once per test, then signed in.
  const Account& Operator();
  // POST /api/v1/admin/credits as the operator: `amount` AIA for the account of `email`, or for
  // the pool named by `pool:<name>`. The new balance (-1 after a failure).
  int64_t GrantCredit(const std::string& email_or_pool, int64_t amount);
  // Credits `owner` and funds the project from it: the way a requester pays for labels.
  void FundProject(const Account& owner, int64_t project_id, int64_t amount);

 private:
  std::unique_ptr<ServerProcess> server_;
  Account operator_;
  int grants_ = 0;
};

// Runs a shell command; its exit code and combined output.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult Shell(const std::string& command);

}  // namespace tinydata::test
