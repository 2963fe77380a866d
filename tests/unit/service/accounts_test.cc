#include "platform_fixture.h"

namespace tinydata::service {
namespace {

using Accounts = PlatformTest;

RegisterRequest Req(const std::string& email, const std::string& role = "annotator") {
  RegisterRequest r;
  r.email = email;
  r.password = "long enough";
  r.role = role;
  return r;
}

TEST_F(Accounts, RegisterIssuesATokenThatAuthenticates) {
  auto session = platform_->Register(Req("Ann@Example.com"));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(session->user.email, "ann@example.com");
  EXPECT_EQ(session->user.display_name, "ann");
  EXPECT_EQ(session->token.size(), 64u);
  auto who = platform_->AuthenticateToken(session->token);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->user_id, session->user.id);
  EXPECT_TRUE(who->Has(store::kRoleAnnotator));
  EXPECT_FALSE(who->Has(store::kRoleRequester));
}

TEST_F(Accounts, PasswordIsStoredAsArgon2id) {
  auto session = platform_->Register(Req("ann@example.com"));
  ASSERT_TRUE(session.ok());
  auto user = platform_->GetUser(session->user.id);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->password_hash.rfind("$argon2id$", 0), 0u);
}

TEST_F(Accounts, LogoutRevokesTheToken) {
  auto session = platform_->Register(Req("ann@example.com"));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(platform_->Logout(session->token).ok());
  EXPECT_EQ(platform_->AuthenticateToken(session->token).status().code(),
            StatusCode::kUnauthenticated);
  Reopen();
  EXPECT_EQ(platform_->AuthenticateToken(session->token).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(Accounts, LoginChecksThePassword) {
  ASSERT_TRUE(platform_->Register(Req("ann@example.com")).ok());
  EXPECT_TRUE(platform_->Login("ann@example.com", "long enough").ok());
  EXPECT_EQ(platform_->Login("ann@example.com", "wrong one!").status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(platform_->Login("bob@example.com", "long enough").status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(Accounts, FailedSignInsOfAnAccountAreThrottled) {
  ASSERT_TRUE(platform_->Register(Req("ann@example.com")).ok());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(platform_->Login("ann@example.com", "wrong one!").status().code(),
              StatusCode::kUnauthenticated);
  }
  int64_t retry_after = 0;
  auto throttled = platform_->Login("ann@example.com", "long enough", "", &retry_after);
  EXPECT_EQ(throttled.status().code(), StatusCode::kResourceExhausted)
      << "even the right password waits: the guesser must not learn it was right";
  EXPECT_EQ(retry_after, 60);
  clock_.Advance(60'000);
  EXPECT_TRUE(platform_->Login("ann@example.com", "long enough").ok());
  // A success fills the account's budget again.
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(platform_->Login("ann@example.com", "nope nope").ok());
  EXPECT_TRUE(platform_->Login("ann@example.com", "long enough").ok());
}

TEST_F(Accounts, UnknownEmailsAreThrottledLikeKnownOnes) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(platform_->Login("nobody@example.com", "whatever!").status().code(),
              StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(platform_->Login("nobody@example.com", "whatever!").status().code(),
            StatusCode::kResourceExhausted);
}

TEST_F(Accounts, FailedSignInsFromOneAddressAreThrottledAcrossAccounts) {
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(platform_->Login("user" + std::to_string(i) + "@example.com", "guess guess",
                               "198.51.100.7")
                  .status()
                  .code(),
              StatusCode::kUnauthenticated);
  }
  int64_t retry_after = 0;
  EXPECT_EQ(platform_->Login("fresh@example.com", "guess guess", "198.51.100.7", &retry_after)
                .status()
                .code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(retry_after, 6);
  EXPECT_EQ(platform_->Login("fresh@example.com", "guess guess", "203.0.113.1").status().code(),
            StatusCode::kUnauthenticated)
      << "another address has its own budget";
}

TEST_F(Accounts, DuplicateEmailIsRefused) {
  ASSERT_TRUE(platform_->Register(Req("ann@example.com")).ok());
  auto again = platform_->Register(Req("ANN@example.com"));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().field(), "email");
}

TEST_F(Accounts, BadRegistrationsNameTheField) {
  RegisterRequest short_password = Req("ann@example.com");
  short_password.password = "short";
  EXPECT_EQ(platform_->Register(short_password).status().field(), "password");
  EXPECT_EQ(platform_->Register(Req("not-an-email")).status().field(), "email");
  EXPECT_EQ(platform_->Register(Req("ann@example.com", "admin")).status().field(), "role");
  EXPECT_EQ(platform_->Register(Req("ann@example.com", "wizard")).status().field(), "role");
}

TEST_F(Accounts, ControlCharactersAreRefused) {
  EXPECT_EQ(platform_->Register(Req(std::string("ann\0@example.com", 16))).status().field(),
            "email");
  EXPECT_EQ(platform_->Register(Req("ann\x7f@example.com")).status().field(), "email");
  RegisterRequest named = Req("ann@example.com");
  named.display_name = "Ann\nAdmin";
  EXPECT_EQ(platform_->Register(named).status().field(), "display_name");
}

TEST_F(Accounts, AddUserGrantsAnyRole) {
  auto admin = platform_->AddUser("root@example.com", "long enough", "Root", store::kRoleAdmin);
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->roles, static_cast<uint32_t>(store::kRoleAdmin));
  EXPECT_EQ(RoleNames(admin->roles), std::vector<std::string>{"admin"});
}

TEST_F(Accounts, UnknownTokenIsUnauthenticated) {
  EXPECT_EQ(platform_->AuthenticateToken("deadbeef").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(platform_->AuthenticateToken("").status().code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace tinydata::service
