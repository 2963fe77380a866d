// Clock: where the service gets the time. Injected so that domain code never reads the system
// clock and tests can move time forward (lease expiry) deterministically.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "tinydata/core/status.h"

namespace tinydata::service {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix time in milliseconds (UTC). Thread-safe.
  virtual int64_t NowMs() const = 0;
};

// The system's wall clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
};

// A clock that stands still until told to move; for tests and replays. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_ms) : now_ms_(now_ms) {}
  int64_t NowMs() const override { return now_ms_.load(std::memory_order_relaxed); }
  void Set(int64_t now_ms) { now_ms_.store(now_ms, std::memory_order_relaxed); }
  void Advance(int64_t delta_ms) { now_ms_.fetch_add(delta_ms, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_ms_;
};

// A clock that starts at a chosen instant and runs at real speed from there:
// NowMs() = start_ms + (monotonic time elapsed since construction). For demos, replays and
// tests of a server process (`tinydata serve --clock-start`); it never jumps when the system
// clock is adjusted. Thread-safe.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(int64_t start_ms)
      : start_ms_(start_ms), started_(std::chrono::steady_clock::now()) {}
  int64_t NowMs() const override;

 private:
  const int64_t start_ms_;
  const std::chrono::steady_clock::time_point started_;
};

// Parses an RFC 3339 date-time with an explicit offset ("2026-11-02T09:00:00Z",
// "2026-11-02T09:00:00.250Z", "2026-11-02T10:00:00+01:00") into Unix milliseconds (UTC);
// fractions finer than a millisecond are truncated. InvalidArgument (no field: the caller names
// it) saying what is wrong for anything else, e.g. a missing offset or 2026-02-30.
Result<int64_t> ParseRfc3339Ms(std::string_view text);

}  // namespace tinydata::service
