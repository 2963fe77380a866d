// The economy through the real server: AIA enters only by the operator's credit grants, a
// requester funds projects from their own credit, nobody is served (nor paid for) their own
// tasks, and concurrent requests create nothing (referral loops, double funding).
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "api_fixture.h"

namespace tinydata::test {
namespace {

using nlohmann::json;

class EconomyTest : public ApiTest {
 protected:
  std::string FundPath(int64_t project) {
    return "/api/v1/projects/" + std::to_string(project) + "/fund";
  }
  int64_t Aia(const Account& who) {
    json profile = Expect(ClientFor(who).Get("/api/v1/me/profile"), 200, "profile");
    return profile.is_null() ? -1 : profile["balances"]["AIA"].get<int64_t>();
  }
};

// Funding used to mint AIA: a requester funded their own project with any amount and paid
// themselves from it; ~2^63 broke the treasury for everyone.
TEST_F(EconomyTest, FundingWithoutCreditCreatesNothing) {
  Account req = Register("req@example.org", "requester");
  const int64_t project = CreateProject(req, CatDogProject(1, 1));
  HttpClient client = ClientFor(req);
  json broke = ExpectError(client.PostJson(FundPath(project), {{"amount_aia", 1000}},
                                           {{"Idempotency-Key", "f1"}}),
                           409, "no credit");
  EXPECT_EQ(broke["field"], "amount_aia");
  json huge = ExpectError(client.PostJson(FundPath(project), {{"amount_aia", 9223372036854775807}},
                                          {{"Idempotency-Key", "f2"}}),
                          400, "2^63");
  EXPECT_EQ(huge["field"], "amount_aia");
  json checkpoint;
  for (int i = 0; i < 30 && checkpoint.is_null(); ++i) {
    auto r = Client().Get("/api/v1/ledger/checkpoint");
    if (r.ok() && r->status == 200) checkpoint = r->Json();
    if (checkpoint.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_FALSE(checkpoint.is_null());
  EXPECT_EQ(checkpoint["tree_size"], 0) << "nothing was posted";
  EXPECT_EQ(Aia(req), 0);

  // Credit arrives as a grant for a payment; funding then moves it, and only it.
  EXPECT_EQ(GrantCredit(req.email, 300), 300);
  Expect(client.PostJson(FundPath(project), {{"amount_aia", 200}}, {{"Idempotency-Key", "f3"}}),
         200, "funded");
  EXPECT_EQ(Aia(req), 100);
  json over = ExpectError(client.PostJson(FundPath(project), {{"amount_aia", 101}},
                                          {{"Idempotency-Key", "f4"}}),
                          409, "more than the credit");
  EXPECT_EQ(over["field"], "amount_aia");
  json reused = ExpectError(client.PostJson(FundPath(project), {{"amount_aia", 50}},
                                            {{"Idempotency-Key", "f3"}}),
                            409, "key of another amount");
  EXPECT_EQ(reused["field"], "Idempotency-Key");
  EXPECT_EQ(Aia(req), 100);
}

TEST_F(EconomyTest, OnlyAnAdminGrantsCreditAndEachReferenceOnce) {
  Account req = Register("req@example.org", "requester");
  json refused = ExpectError(
      ClientFor(req).PostJson("/api/v1/admin/credits",
                              {{"email", req.email}, {"amount_aia", 10}, {"reference", "x"}}),
      403, "a requester granting themselves");
  EXPECT_EQ(refused["code"], "permission_denied");
  HttpClient op = ClientFor(Operator());
  json granted = Expect(op.PostJson("/api/v1/admin/credits", {{"email", req.email},
                                                             {"amount_aia", 10},
                                                             {"reference", "INV-7"}}),
                        201, "grant");
  EXPECT_EQ(granted["balance_aia"], 10);
  EXPECT_EQ(granted["account"].get<std::string>().rfind("user:", 0), 0u);
  json twice = ExpectError(op.PostJson("/api/v1/admin/credits", {{"email", req.email},
                                                                 {"amount_aia", 10},
                                                                 {"reference", "INV-7"}}),
                           409, "same reference");
  EXPECT_EQ(twice["field"], "reference");
  EXPECT_EQ(ExpectError(op.PostJson("/api/v1/admin/credits", {{"email", "nobody@example.org"},
                                                              {"amount_aia", 10},
                                                              {"reference", "INV-8"}}),
                        404, "unknown email")["field"],
            "email");
  EXPECT_EQ(ExpectError(op.PostJson("/api/v1/admin/credits", {{"email", req.email},
                                                              {"amount_aia", 1'000'000'000'001},
                                                              {"reference", "INV-9"}}),
                        400, "above the bound")["field"],
            "amount_aia");
  EXPECT_EQ(Aia(req), 10);
}

// A requester used to be served their own tasks and paid from their own budget.
TEST_F(EconomyTest, AnOwnerIsNeverServedTheirOwnTasks) {
  Account req = Register("req@example.org", "requester");
  const int64_t project = CreateProject(req, CatDogProject(1, 1));
  ImportJsonl(req, project, "{\"data\": {\"t\": 1}}\n");
  HttpClient client = ClientFor(req);
  json error = ExpectError(client.Get("/api/v1/tasks/next?project_id=" + std::to_string(project)),
                           409, "own project");
  EXPECT_EQ(error["field"], "project_id");
  auto any = client.Get("/api/v1/tasks/next");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->status, 204) << "the only open project is the caller's own";
  Account ann = Register("ann@example.org");
  EXPECT_FALSE(NextTask(ann, project).is_null()) << "others are served";
}

// 25 pairs of users naming each other at the same moment used to leave referral loops.
TEST_F(EconomyTest, ConcurrentMutualReferralsNeverLoop) {
  constexpr int kPairs = 25;
  std::vector<Account> users;
  std::vector<std::string> codes;
  for (int i = 0; i < 2 * kPairs; ++i) {
    users.push_back(Register("u" + std::to_string(i) + "@example.org"));
    codes.push_back(Expect(ClientFor(users.back()).Get("/api/v1/me"), 200, "me")["referral_code"]
                        .get<std::string>());
  }
  std::vector<int> status(2 * kPairs, 0);
  std::latch start(2 * kPairs);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2 * kPairs; ++i) {
    threads.emplace_back([&, i] {
      const int partner = i % 2 == 0 ? i + 1 : i - 1;
      HttpClient client = ClientFor(users[i]);
      start.arrive_and_wait();
      auto r = client.PostJson("/api/v1/me/referrer", {{"referral_code", codes[partner]}});
      status[i] = r.ok() ? r->status : -1;
    });
  }
  for (std::thread& t : threads) t.join();
  int loops = 0;
  for (int p = 0; p < kPairs; ++p) {
    const int a = status[2 * p];
    const int b = status[2 * p + 1];
    EXPECT_TRUE((a == 204 && b == 409) || (a == 409 && b == 204)) << "pair " << p << ": " << a
                                                                   << " / " << b;
    if (a == 204 && b == 204) ++loops;
  }
  EXPECT_EQ(loops, 0);
}

}  // namespace
}  // namespace tinydata::test
