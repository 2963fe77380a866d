// Clock: where the service gets the time. Injected so that domain code never reads the system
// clock and tests can move time forward (lease expiry) deterministically.
#pragma once

#include <atomic>
#include <cstdint>

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

}  // namespace tinydata::service
