// Leases: a task leased to one annotator is reserved for lease_seconds, then returns to the
// pool; an answer to an expired lease is refused.
#include <chrono>
#include <thread>

#include "api_fixture.h"

namespace tinydata::test {
namespace {

using nlohmann::json;

class LeaseTest : public ApiTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--lease-seconds", "1"}; }
};

TEST_F(LeaseTest, LeaseIsReservedThenReturnsToThePoolAfterExpiry) {
  Account requester = Register("req@example.org", "requester");
  const int64_t project = CreateProject(requester, CatDogProject(1, 1));
  ImportJsonl(requester, project, R"({"data": {"text": "only one"}})" "\n");
  Account first = Register("first@example.org");
  Account second = Register("second@example.org");

  json lease = NextTask(first, project);
  ASSERT_FALSE(lease.is_null());
  EXPECT_TRUE(NextTask(second, project).is_null()) << "the only slot is leased";

  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  json again = NextTask(second, project);
  ASSERT_FALSE(again.is_null()) << "the expired lease returns the task to the pool";
  EXPECT_EQ(again["task"]["id"], lease["task"]["id"]);

  json error = ExpectError(Answer(first, lease["assignment"]["id"].get<int64_t>(), "cat", "late"),
                           409, "answer after expiry");
  EXPECT_EQ(error["code"], "failed_precondition");
  Expect(Answer(second, again["assignment"]["id"].get<int64_t>(), "cat", "on-time"), 200,
         "answer in time");
}

TEST_F(LeaseTest, ExpiredLeaseIsNeverHandedToTheSameUserAgain) {
  Account requester = Register("req@example.org", "requester");
  const int64_t project = CreateProject(requester, CatDogProject(1, 1));
  ImportJsonl(requester, project, R"({"data": {"text": "only one"}})" "\n");
  Account annotator = Register("ann@example.org");
  ASSERT_FALSE(NextTask(annotator, project).is_null());
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  EXPECT_TRUE(NextTask(annotator, project).is_null()) << "one assignment per (task, user), ever";
}

TEST_F(LeaseTest, LeaseCarriesItsExpiryTime) {
  Account requester = Register("req@example.org", "requester");
  const int64_t project = CreateProject(requester, CatDogProject(1, 1));
  ImportJsonl(requester, project, R"({"data": {"text": "x"}})" "\n");
  json lease = NextTask(Register("ann@example.org"), project);
  ASSERT_FALSE(lease.is_null());
  const std::string expires = lease["assignment"]["expires_at"].get<std::string>();
  EXPECT_EQ(expires.size(), 20u) << expires;  // 2026-11-25T08:14:34Z
  EXPECT_EQ(expires.back(), 'Z') << expires;
}

}  // namespace
}  // namespace tinydata::test
