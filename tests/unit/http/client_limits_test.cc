#include "tinydata/http/client_limits.h"

#include <gtest/gtest.h>

namespace tinydata::http {
namespace {

using namespace std::chrono_literals;

TEST(ClientLimitsTest, BurstThenTheSustainedRate) {
  ClientLimits limits({.max_connections_per_address = 0, .requests_per_second = 2, .burst = 3});
  const auto t0 = ClientLimits::Clock::time_point{} + 1000s;
  EXPECT_EQ(limits.TakeRequest("a", t0), 0);
  EXPECT_EQ(limits.TakeRequest("a", t0), 0);
  EXPECT_EQ(limits.TakeRequest("a", t0), 0);
  EXPECT_EQ(limits.TakeRequest("a", t0), 1);
  EXPECT_EQ(limits.TakeRequest("b", t0), 0) << "budgets are per address";
  EXPECT_EQ(limits.TakeRequest("a", t0 + 500ms), 0) << "half a second refills one request";
  EXPECT_EQ(limits.TakeRequest("a", t0 + 500ms), 1);
}

TEST(ClientLimitsTest, RetryAfterCoversTheWait) {
  ClientLimits limits({.max_connections_per_address = 0, .requests_per_second = 0.1, .burst = 1});
  const auto t0 = ClientLimits::Clock::time_point{} + 1000s;
  EXPECT_EQ(limits.TakeRequest("a", t0), 0);
  EXPECT_EQ(limits.TakeRequest("a", t0), 10);
  EXPECT_EQ(limits.TakeRequest("a", t0 + 10s), 0);
}

TEST(ClientLimitsTest, ZeroRateMeansNoLimit) {
  ClientLimits limits({.max_connections_per_address = 0, .requests_per_second = 0, .burst = 0});
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(limits.TakeRequest("a", {}), 0);
}

TEST(ClientLimitsTest, ConnectionsAreCountedPerAddress) {
  ClientLimits limits({.max_connections_per_address = 2, .requests_per_second = 0, .burst = 0});
  EXPECT_TRUE(limits.OpenConnection("a"));
  EXPECT_TRUE(limits.OpenConnection("a"));
  EXPECT_FALSE(limits.OpenConnection("a"));
  EXPECT_TRUE(limits.OpenConnection("b"));
  limits.CloseConnection("a");
  EXPECT_TRUE(limits.OpenConnection("a"));
}

TEST(ClientLimitsTest, TheTableStaysBounded) {
  ClientLimits limits({.max_connections_per_address = 0,
                       .requests_per_second = 1,
                       .burst = 5,
                       .max_tracked = 100});
  auto t = ClientLimits::Clock::time_point{} + 1000s;
  for (int i = 0; i < 10'000; ++i) {
    t += 1ms;
    EXPECT_EQ(limits.TakeRequest("10.0.0." + std::to_string(i), t), 0);
  }
  // A client seen long ago starts again with a full budget after it was forgotten.
  EXPECT_EQ(limits.TakeRequest("10.0.0.1", t), 0);
}

}  // namespace
}  // namespace tinydata::http
