// Sessions and personal API tokens through the real server: a script's token does what its
// scopes allow and nothing else, and "log out everywhere" ends every token at once.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "api_fixture.h"

namespace tinydata::test {
namespace {

using nlohmann::json;

class TokensTest : public ApiTest {};

TEST_F(TokensTest, AnApiTokenDoesWhatItsScopesAllow) {
  Account requester = Register("req@example.org", "requester");
  const int64_t project = CreateProject(requester, CatDogProject(1, 3));
  ImportJsonl(requester, project, "{\"data\": {\"t\": 1}}\n");
  Account annotator = Register("ann@example.org");
  HttpClient session = ClientFor(annotator);
  json created = Expect(session.PostJson("/api/v1/me/tokens",
                                         {{"name", "labeling script"}, {"scopes", {"annotate"}}}),
                        201, "create token");
  ASSERT_FALSE(created.is_null());
  EXPECT_EQ(created["token"]["kind"], "api");
  EXPECT_EQ(created["token"]["scopes"], json::array({"annotate"}));
  Account bot{annotator.id, annotator.email, created["secret"].get<std::string>()};

  json leased = NextTask(bot, project);
  ASSERT_FALSE(leased.is_null()) << "annotate: lease";
  json answered = Expect(Answer(bot, leased["assignment"]["id"].get<int64_t>(), "cat", "k1"), 200,
                         "annotate: answer");
  EXPECT_TRUE(answered.contains("answer_id"));

  HttpClient script = ClientFor(bot);
  EXPECT_EQ(ExpectError(script.Get("/api/v1/me/profile"), 403, "no read scope")["code"],
            "permission_denied");
  ExpectError(script.PostJson("/api/v1/checkins", json::object()), 403, "check-in is a session's");
  ExpectError(script.PostJson("/api/v1/me/tokens", {{"name", "x"}, {"scopes", {"read"}}}), 403,
              "a token cannot mint tokens");

  json listed = Expect(session.Get("/api/v1/me/tokens"), 200, "list");
  ASSERT_EQ(listed["tokens"].size(), 2u) << listed.dump();
  EXPECT_EQ(listed["tokens"][0]["current"], true);
  Expect(session.Send(boost::beast::http::verb::delete_,
                      "/api/v1/me/tokens/" + created["token"]["id"].get<std::string>()),
         204, "revoke");
  EXPECT_EQ(ExpectError(script.Get("/api/v1/tasks/next"), 401, "revoked")["code"],
            "unauthenticated");
}

TEST_F(TokensTest, BadTokenRequestsNameTheField) {
  Account ann = Register("ann@example.org");
  HttpClient client = ClientFor(ann);
  EXPECT_EQ(ExpectError(client.PostJson("/api/v1/me/tokens", {{"name", "x"}, {"scopes", {"all"}}}),
                        400, "unknown scope")["field"],
            "scopes[0]");
  EXPECT_EQ(ExpectError(client.PostJson("/api/v1/me/tokens",
                                        {{"name", "x"}, {"scopes", {"read"}}, {"expires_in_days", 0}}),
                        400, "expiry")["field"],
            "expires_in_days");
  EXPECT_EQ(ExpectError(client.PostJson("/api/v1/me/tokens", {{"scopes", {"read"}}}), 400,
                        "name")["field"],
            "name");
}

TEST_F(TokensTest, LogoutEverywhereEndsEverySession) {
  Account ann = Register("ann@example.org");
  HttpClient other = Client();
  json second = Expect(other.PostJson("/api/v1/auth/login",
                                      {{"email", "ann@example.org"}, {"password", "correct horse"}}),
                       200, "second sign-in");
  Account laptop{ann.id, ann.email, second["token"].get<std::string>()};
  HttpClient phone = ClientFor(ann);
  Expect(phone.PostJson("/api/v1/auth/logout-all", json::object()), 204, "logout-all");
  EXPECT_EQ(ExpectError(ClientFor(laptop).Get("/api/v1/me"), 401, "laptop")["code"],
            "unauthenticated");
  EXPECT_EQ(ExpectError(ClientFor(ann).Get("/api/v1/me"), 401, "phone")["code"],
            "unauthenticated");
  Expect(other.PostJson("/api/v1/auth/login",
                        {{"email", "ann@example.org"}, {"password", "correct horse"}}),
         200, "signing in again works");
}

class ShortSessionTest : public ApiTest {
 protected:
  std::vector<std::string> ServerArgs() const override {
    return {"--session-idle-hours", "0.0005"};  // 1.8 s
  }
};

TEST_F(ShortSessionTest, AnIdleSessionEnds) {
  Account ann = Register("ann@example.org");
  Expect(ClientFor(ann).Get("/api/v1/me"), 200, "fresh");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  json error = ExpectError(ClientFor(ann).Get("/api/v1/me"), 401, "idle");
  EXPECT_NE(error["message"].get<std::string>().find("unused"), std::string::npos);
}

}  // namespace
}  // namespace tinydata::test
