// The clocks the service can run on, and the RFC 3339 instants that start them.
#include "tinydata/service/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace tinydata::service {
namespace {

constexpr int64_t kMonday9am = 1'793'610'000'000;  // 2026-11-02T09:00:00Z

TEST(ParseRfc3339Test, ReadsUtcInstant) {
  EXPECT_EQ(ParseRfc3339Ms("2026-11-02T09:00:00Z").value(), kMonday9am);
}

TEST(ParseRfc3339Test, ReadsMillisecondsAndTruncatesFinerFractions) {
  EXPECT_EQ(ParseRfc3339Ms("2026-11-02T09:00:00.25Z").value(), kMonday9am + 250);
  EXPECT_EQ(ParseRfc3339Ms("2026-11-02T09:00:00.123999Z").value(), kMonday9am + 123);
}

TEST(ParseRfc3339Test, AppliesNumericOffset) {
  EXPECT_EQ(ParseRfc3339Ms("2026-11-02T10:30:00+01:30").value(), kMonday9am);
  EXPECT_EQ(ParseRfc3339Ms("2026-11-02T04:00:00-05:00").value(), kMonday9am);
}

TEST(ParseRfc3339Test, AcceptsLowerCaseSeparators) {
  EXPECT_EQ(ParseRfc3339Ms("2026-11-02t09:00:00z").value(), kMonday9am);
}

TEST(ParseRfc3339Test, ReadsDatesBeforeTheEpoch) {
  EXPECT_EQ(ParseRfc3339Ms("1969-12-31T23:59:59Z").value(), -1000);
}

TEST(ParseRfc3339Test, RefusesMissingOffset) {
  Result<int64_t> r = ParseRfc3339Ms("2026-11-02T09:00:00");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("offset is missing"), std::string::npos);
}

TEST(ParseRfc3339Test, RefusesImpossibleDate) {
  Result<int64_t> r = ParseRfc3339Ms("2026-02-30T09:00:00Z");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no such date"), std::string::npos);
}

TEST(ParseRfc3339Test, RefusesMalformedText) {
  for (const char* text : {"", "2026-11-02", "2026-11-02 09:00:00Z", "2026-11-02T9:00:00Z",
                           "2026-11-02T24:00:00Z", "2026-11-02T09:00:00.Z",
                           "2026-11-02T09:00:00Zjunk", "2026-11-02T09:00:00+0100", "tomorrow"}) {
    EXPECT_FALSE(ParseRfc3339Ms(text).ok()) << text;
  }
}

TEST(OffsetClockTest, StartsAtTheGivenInstant) {
  OffsetClock clock(kMonday9am);
  const int64_t now = clock.NowMs();
  EXPECT_GE(now, kMonday9am);
  EXPECT_LT(now, kMonday9am + 1000);
}

TEST(OffsetClockTest, RunsAtRealSpeed) {
  OffsetClock clock(kMonday9am);
  const int64_t first = clock.NowMs();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const int64_t elapsed = clock.NowMs() - first;
  EXPECT_GE(elapsed, 30);
  EXPECT_LT(elapsed, 5000);
}

}  // namespace
}  // namespace tinydata::service
