// A referral code given at sign-up: an unknown code is refused before the account exists, a
// known one records the referrer at once (so redeeming another code later is refused).
#include <string>

#include "api_fixture.h"

namespace tinydata::test {
namespace {

using nlohmann::json;

class ReferralSignupTest : public ApiTest {};

TEST_F(ReferralSignupTest, UnknownCodeIsRefusedAndCreatesNoAccount) {
  HttpClient client = Client();
  json input = {{"email", "new@example.org"}, {"password", "correct horse"},
                {"referral_code", "no-such-code"}};
  json error = ExpectError(client.PostJson("/api/v1/auth/register", input), 404, "unknown code");
  EXPECT_EQ(error["field"], "referral_code");

  input.erase("referral_code");
  Expect(client.PostJson("/api/v1/auth/register", input), 201, "same email, no code");
}

TEST_F(ReferralSignupTest, KnownCodeRecordsTheReferrerAtSignUp) {
  Account referrer = Register("referrer@example.org");
  Account other = Register("other@example.org");
  json me = Expect(ClientFor(referrer).Get("/api/v1/me"), 200, "referrer's me");
  const std::string code = me["referral_code"].get<std::string>();
  ASSERT_FALSE(code.empty());

  json session = Expect(Client().PostJson("/api/v1/auth/register",
                                          {{"email", "referee@example.org"},
                                           {"password", "correct horse"},
                                           {"referral_code", code}}),
                        201, "register with code");
  Account referee;
  referee.id = session["user"]["id"].get<int64_t>();
  referee.token = session["token"].get<std::string>();

  json other_me = Expect(ClientFor(other).Get("/api/v1/me"), 200, "other's me");
  json error = ExpectError(
      ClientFor(referee).PostJson("/api/v1/me/referrer",
                                  {{"referral_code", other_me["referral_code"]}}),
      409, "second referrer");
  EXPECT_EQ(error["field"], "referral_code");
}

}  // namespace
}  // namespace tinydata::test
