// Every class of bad input gets a 4xx JSON error `{"error": {code, message, field?}}` that names
// the offending field, and changes nothing.
#include <string>

#include "api_fixture.h"

namespace tinydata::test {
namespace {

using nlohmann::json;

class BadInputTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    requester_ = Register("req@example.org", "requester");
    project_ = CreateProject(requester_, CatDogProject(1, 3));
    ImportJsonl(requester_, project_, R"({"data": {"text": "a"}})" "\n");
    annotator_ = Register("ann@example.org");
  }
  std::string ProjectPath() const { return "/api/v1/projects/" + std::to_string(project_); }

  Account requester_;
  Account annotator_;
  int64_t project_ = 0;
};

TEST_F(BadInputTest, MalformedJsonNamesTheBody) {
  HttpClient client = ClientFor(requester_);
  json error = ExpectError(client.Post("/api/v1/projects", "{\"title\": ",
                                       {{"Content-Type", "application/json"}}),
                           400, "malformed");
  EXPECT_EQ(error["code"], "invalid_argument");
  EXPECT_EQ(error["field"], "body");
}

TEST_F(BadInputTest, NonObjectBodyNamesTheBody) {
  HttpClient client = Client();
  json error = ExpectError(client.PostJson("/api/v1/auth/register", json::array({1, 2})), 400,
                           "array body");
  EXPECT_EQ(error["field"], "body");
}

TEST_F(BadInputTest, WrongTypeNamesTheMember) {
  HttpClient client = ClientFor(requester_);
  json input = CatDogProject();
  input["title"] = 5;
  EXPECT_EQ(ExpectError(client.PostJson("/api/v1/projects", input), 400, "title")["field"],
            "title");
}

TEST_F(BadInputTest, WrongNestedTypeNamesTheNestedPath) {
  HttpClient client = ClientFor(requester_);
  json input = CatDogProject();
  input["overlap"]["max_answers"] = "many";
  EXPECT_EQ(ExpectError(client.PostJson("/api/v1/projects", input), 400, "overlap")["field"],
            "overlap.max_answers");
}

TEST_F(BadInputTest, OutOfRangeValueNamesTheMember) {
  HttpClient client = ClientFor(requester_);
  json input = CatDogProject();
  input["gold_rate"] = 1.5;
  EXPECT_EQ(ExpectError(client.PostJson("/api/v1/projects", input), 400, "gold_rate")["field"],
            "gold_rate");
}

TEST_F(BadInputTest, UnknownMemberIsNamed) {
  HttpClient client = Client();
  json error = ExpectError(
      client.PostJson("/api/v1/auth/register",
                      {{"email", "x@example.org"}, {"password", "correct horse"}, {"rol", "admin"}}),
      400, "typo");
  EXPECT_EQ(error["field"], "rol");
}

TEST_F(BadInputTest, ShortPasswordNamesPassword) {
  HttpClient client = Client();
  EXPECT_EQ(ExpectError(client.PostJson("/api/v1/auth/register",
                                        {{"email", "x@example.org"}, {"password", "short"}}),
                        400, "password")["field"],
            "password");
}

TEST_F(BadInputTest, AnswerOfTheWrongTypeNamesValue) {
  json leased = NextTask(annotator_, project_);
  ASSERT_FALSE(leased.is_null());
  const int64_t id = leased["assignment"]["id"].get<int64_t>();
  EXPECT_EQ(ExpectError(Answer(annotator_, id, 42, "k1"), 400, "number")["field"], "value");
  EXPECT_EQ(ExpectError(Answer(annotator_, id, "horse", "k2"), 400, "unknown option")["field"],
            "value");
  HttpClient client = ClientFor(annotator_);
  EXPECT_EQ(ExpectError(client.PostJson("/api/v1/assignments/" + std::to_string(id) + "/answer",
                                        {{"value", "cat"}, {"duration_ms", "slow"}}),
                        400, "duration")["field"],
            "duration_ms");
  // Nothing above was stored: the assignment still takes a valid answer.
  Expect(Answer(annotator_, id, "cat", "k3"), 200, "valid answer");
}

TEST_F(BadInputTest, MissingValueIsNamed) {
  json leased = NextTask(annotator_, project_);
  HttpClient client = ClientFor(annotator_);
  EXPECT_EQ(ExpectError(client.PostJson("/api/v1/assignments/" +
                                            std::to_string(leased["assignment"]["id"].get<int64_t>()) +
                                            "/answer",
                                        {{"duration_ms", 5}}),
                        400, "no value")["field"],
            "value");
}

TEST_F(BadInputTest, OverlongIdempotencyKeyIsNamed) {
  json leased = NextTask(annotator_, project_);
  EXPECT_EQ(ExpectError(Answer(annotator_, leased["assignment"]["id"].get<int64_t>(), "cat",
                               std::string(201, 'k')),
                        400, "key")["field"],
            "Idempotency-Key");
}

TEST_F(BadInputTest, BadQueryParameterIsNamed) {
  HttpClient client = ClientFor(annotator_);
  EXPECT_EQ(ExpectError(client.Get("/api/v1/tasks/next?project_id=seven"), 400, "query")["field"],
            "project_id");
  HttpClient owner = ClientFor(requester_);
  EXPECT_EQ(ExpectError(owner.Get(ProjectPath() + "/export?format=xml"), 400, "format")["field"],
            "format");
  EXPECT_EQ(ExpectError(owner.Get(ProjectPath() + "/tasks?limit=0"), 400, "limit")["field"],
            "limit");
}

TEST_F(BadInputTest, UnknownIdsAreNotFound) {
  HttpClient owner = ClientFor(requester_);
  ExpectError(owner.Get("/api/v1/projects/999999"), 404, "project");
  ExpectError(owner.Get("/api/v1/projects/999999/stats"), 404, "stats");
  ExpectError(Answer(annotator_, 999999, "cat", "k"), 404, "assignment");
  ExpectError(ClientFor(annotator_).Get("/api/v1/tasks/next?project_id=999999"), 404, "next");
  ExpectError(owner.Get("/api/v1/projects/abc"), 404, "non-numeric id");
  ExpectError(owner.Get("/api/v1/nothing-here"), 404, "unknown route");
}

TEST_F(BadInputTest, ForeignProjectsAreNotFound) {
  Account other = Register("other@example.org", "requester");
  HttpClient client = ClientFor(other);
  ExpectError(client.Get(ProjectPath()), 404, "get");
  ExpectError(client.Get(ProjectPath() + "/stats"), 404, "stats");
  ExpectError(client.Get(ProjectPath() + "/export"), 404, "export");
  ExpectError(client.Get(ProjectPath() + "/tasks"), 404, "tasks");
  ExpectError(client.PatchJson(ProjectPath(), {{"title", "mine now"}}), 404, "patch");
  ExpectError(client.Post(ProjectPath() + "/pause", ""), 404, "pause");
  ExpectError(client.Post(ProjectPath() + "/tasks?format=jsonl", R"({"data": {}})"), 404,
              "import");
}

TEST_F(BadInputTest, ForeignAssignmentIsNotFound) {
  json leased = NextTask(annotator_, project_);
  Account thief = Register("thief@example.org");
  ExpectError(Answer(thief, leased["assignment"]["id"].get<int64_t>(), "cat", "k"), 404,
              "foreign assignment");
}

TEST_F(BadInputTest, AnnotatorCannotCreateProjects) {
  HttpClient client = ClientFor(annotator_);
  EXPECT_EQ(ExpectError(client.PostJson("/api/v1/projects", CatDogProject()), 403, "annotator")
                ["code"],
            "permission_denied");
}

TEST_F(BadInputTest, MissingOrUnknownTokenIsUnauthenticated) {
  HttpClient anonymous = Client();
  auto response = anonymous.Get("/api/v1/me");
  EXPECT_EQ(ExpectError(response, 401, "no token")["code"], "unauthenticated");
  EXPECT_EQ(response->Header("WWW-Authenticate"), "Bearer");
  HttpClient forged = Client();
  forged.SetBearerToken("0123456789abcdef");
  ExpectError(forged.Get("/api/v1/tasks/next"), 401, "unknown token");
}

TEST_F(BadInputTest, WrongPasswordIsUnauthenticated) {
  HttpClient client = Client();
  ExpectError(client.PostJson("/api/v1/auth/login",
                              {{"email", "ann@example.org"}, {"password", "wrong horse"}}),
              401, "login");
}

TEST_F(BadInputTest, DuplicateEmailIsAConflictNamingEmail) {
  HttpClient client = Client();
  json error = ExpectError(client.PostJson("/api/v1/auth/register",
                                           {{"email", "ann@example.org"},
                                            {"password", "correct horse"}}),
                           409, "duplicate");
  EXPECT_EQ(error["field"], "email");
}

TEST_F(BadInputTest, OversizedJsonBodyIsRefused) {
  HttpClient client = Client();
  const std::string big = "{\"email\": \"" + std::string(size_t{1} << 20, 'x') + "\"}";
  EXPECT_EQ(ExpectError(client.Post("/api/v1/auth/register", big,
                                    {{"Content-Type", "application/json"}}),
                        413, "1 MiB + JSON")["code"],
            "payload_too_large");
}

TEST_F(BadInputTest, OversizedUploadIsRefused) {
  HttpClient client = ClientFor(requester_);
  const std::string big((size_t{64} << 20) + 1, '\n');
  EXPECT_EQ(ExpectError(client.Post(ProjectPath() + "/tasks?format=jsonl", big), 413,
                        "64 MiB + upload")["code"],
            "payload_too_large");
}

TEST_F(BadInputTest, ImportRowErrorsImportNothing) {
  HttpClient client = ClientFor(requester_);
  const std::string file = R"({"data": {"text": "ok"}})"
                           "\n"
                           "{not json\n"
                           R"({"data": {"text": "bad gold"}, "gold": "horse"})"
                           "\n";
  auto response = client.Post(ProjectPath() + "/tasks?format=jsonl", file);
  json body = Expect(response, 400, "row errors");
  ASSERT_TRUE(body.contains("errors")) << response->body;
  ASSERT_GE(body["errors"].size(), 1u);
  EXPECT_EQ(body["errors"][0]["line"], 2);
  EXPECT_EQ(body["error"]["code"], "invalid_argument");
  json stats = Expect(client.Get(ProjectPath() + "/stats"), 200, "stats");
  EXPECT_EQ(stats["tasks"]["total"], 1) << "a bad file must import nothing";
}

TEST_F(BadInputTest, GoldThatDoesNotFitTheQuestionIsARowError) {
  HttpClient client = ClientFor(requester_);
  json body = Expect(client.Post(ProjectPath() + "/tasks?format=jsonl",
                                 R"({"data": {"text": "x"}, "gold": "horse"})" "\n"),
                     400, "bad gold");
  ASSERT_EQ(body["errors"].size(), 1u) << body.dump();
  EXPECT_EQ(body["errors"][0]["line"], 1);
  EXPECT_EQ(body["errors"][0]["field"], "gold");
}

TEST_F(BadInputTest, MissingUploadFormatIsNamed) {
  HttpClient client = ClientFor(requester_);
  EXPECT_EQ(ExpectError(client.Post(ProjectPath() + "/tasks", "a,b\n1,2\n",
                                    {{"Content-Type", "application/octet-stream"}}),
                        400, "format")["field"],
            "format");
}

TEST_F(BadInputTest, WrongMethodIsMethodNotAllowed) {
  HttpClient client = ClientFor(requester_);
  auto response = client.Delete(ProjectPath());
  EXPECT_EQ(ExpectError(response, 405, "delete")["code"], "method_not_allowed");
}

}  // namespace
}  // namespace tinydata::test
