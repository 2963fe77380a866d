// Sessions end when idle or old, "log out everywhere" ends them all, and personal API tokens do
// only what their scopes allow until they expire.
#include "platform_fixture.h"

namespace tinydata::service {
namespace {

using Sessions = PlatformTest;
constexpr int64_t kDayMs = 86'400'000;

Session SignUp(Platform& platform, const std::string& email) {
  RegisterRequest r;
  r.email = email;
  r.password = "long enough";
  auto session = platform.Register(r);
  EXPECT_TRUE(session.ok()) << session.status().ToString();
  return session.ok() ? *session : Session{};
}

TEST_F(Sessions, AnUnusedSessionEndsAfterAWeek) {
  const Session s = SignUp(*platform_, "ann@example.com");
  clock_.Advance(7 * kDayMs - 1000);
  EXPECT_TRUE(platform_->AuthenticateToken(s.token).ok());
  clock_.Advance(7 * kDayMs);
  auto expired = platform_->AuthenticateToken(s.token);
  EXPECT_EQ(expired.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(expired.status().message().find("unused"), std::string::npos);
}

TEST_F(Sessions, UseKeepsASessionAliveAcrossRestartsUntilItIsAMonthOld) {
  const Session s = SignUp(*platform_, "ann@example.com");
  for (int week = 0; week < 4; ++week) {
    clock_.Advance(6 * kDayMs);
    ASSERT_TRUE(platform_->AuthenticateToken(s.token).ok()) << "week " << week;
    Reopen();  // the last use is stored, not only cached
  }
  clock_.Advance(6 * kDayMs);  // 30 days old
  auto old = platform_->AuthenticateToken(s.token);
  EXPECT_EQ(old.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(old.status().message().find("too old"), std::string::npos);
}

TEST_F(Sessions, LogoutEverywhereEndsEverySessionAndApiToken) {
  const Session phone = SignUp(*platform_, "ann@example.com");
  auto laptop = platform_->Login("ann@example.com", "long enough");
  ASSERT_TRUE(laptop.ok());
  const Session other = SignUp(*platform_, "bob@example.com");
  auto caller = platform_->AuthenticateToken(laptop->token);
  ASSERT_TRUE(caller.ok());
  auto api = platform_->CreateApiToken(*caller, {"ci", kScopeRead, 30});
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  ASSERT_TRUE(platform_->LogoutEverywhere(*caller).ok());
  for (const std::string& token : {phone.token, laptop->token, api->secret}) {
    EXPECT_EQ(platform_->AuthenticateToken(token).status().code(), StatusCode::kUnauthenticated);
  }
  EXPECT_TRUE(platform_->AuthenticateToken(other.token).ok()) << "another user stays signed in";
  Reopen();
  EXPECT_EQ(platform_->AuthenticateToken(phone.token).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(Sessions, ApiTokensCarryTheirScopesAndExpire) {
  const Session s = SignUp(*platform_, "ann@example.com");
  auto caller = platform_->AuthenticateToken(s.token);
  ASSERT_TRUE(caller.ok());
  EXPECT_TRUE(caller->Allows(kScopeAccount));
  auto api = platform_->CreateApiToken(*caller, {"labeling bot", kScopeAnnotate, 2});
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  EXPECT_EQ(api->token.kind, store::TokenKind::kApi);
  EXPECT_EQ(api->token.name, "labeling bot");
  auto bot = platform_->AuthenticateToken(api->secret);
  ASSERT_TRUE(bot.ok());
  EXPECT_TRUE(bot->Allows(kScopeAnnotate));
  EXPECT_FALSE(bot->Allows(kScopeRead));
  EXPECT_FALSE(bot->Allows(kScopeAccount));
  // A token cannot mint tokens or sign its owner out everywhere.
  EXPECT_EQ(platform_->CreateApiToken(*bot, {"x", kScopeRead, 1}).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(platform_->LogoutEverywhere(*bot).code(), StatusCode::kPermissionDenied);
  // Unused for longer than a session may be: an API token lives until its own expiry.
  clock_.Advance(2 * kDayMs - 1000);
  EXPECT_TRUE(platform_->AuthenticateToken(api->secret).ok());
  clock_.Advance(1000);
  EXPECT_EQ(platform_->AuthenticateToken(api->secret).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(Sessions, BadApiTokenRequestsNameTheField) {
  const Session s = SignUp(*platform_, "ann@example.com");
  auto caller = platform_->AuthenticateToken(s.token);
  ASSERT_TRUE(caller.ok());
  EXPECT_EQ(platform_->CreateApiToken(*caller, {" ", kScopeRead, 30}).status().field(), "name");
  EXPECT_EQ(platform_->CreateApiToken(*caller, {"x", 0, 30}).status().field(), "scopes");
  EXPECT_EQ(platform_->CreateApiToken(*caller, {"x", kScopeAccount, 30}).status().field(),
            "scopes");
  EXPECT_EQ(platform_->CreateApiToken(*caller, {"x", kScopeRead, 366}).status().field(),
            "expires_in_days");
  EXPECT_EQ(ParseScopes({"read", "write"}, "scopes").status().field(), "scopes[1]");
}

TEST_F(Sessions, TokensAreListedAndRevokedByTheirId) {
  const Session s = SignUp(*platform_, "ann@example.com");
  auto caller = platform_->AuthenticateToken(s.token);
  ASSERT_TRUE(caller.ok());
  clock_.Advance(1000);
  auto api = platform_->CreateApiToken(*caller, {"ci", kScopeRead | kScopeProjects, 30});
  ASSERT_TRUE(api.ok());
  auto listed = platform_->ListTokens(*caller);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].kind, store::TokenKind::kSession);
  const nlohmann::json current = TokenJson((*listed)[0], *caller);
  EXPECT_EQ(current["current"], true);
  const nlohmann::json ci = TokenJson((*listed)[1], *caller);
  EXPECT_EQ(ci["scopes"], nlohmann::json::array({"read", "projects"}));
  EXPECT_EQ(ci["current"], false);
  EXPECT_FALSE(ci.contains("secret"));

  const Session other = SignUp(*platform_, "bob@example.com");
  auto bob = platform_->AuthenticateToken(other.token);
  EXPECT_EQ(platform_->RevokeToken(*bob, api->token.public_id).code(), StatusCode::kNotFound)
      << "nobody revokes another user's token";
  ASSERT_TRUE(platform_->RevokeToken(*caller, api->token.public_id).ok());
  EXPECT_EQ(platform_->AuthenticateToken(api->secret).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(platform_->AuthenticateToken(s.token).ok());
}

}  // namespace
}  // namespace tinydata::service
