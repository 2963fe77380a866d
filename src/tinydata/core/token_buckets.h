// TokenBuckets: a token bucket per key (a client address, an account), for rate limits.
//
// A bucket holds up to `burst` tokens and gains `per_second` tokens a second; a key seen for the
// first time starts full. Buckets that are full again are forgotten, so the table holds only the
// keys active in the last burst / per_second seconds, and never more than `max_tracked` (the
// least recently used are dropped first, which can only be generous to them).
//
// Time is passed in (`now_ms`, any clock that does not go back), so the class reads no clock.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tinydata {

struct TokenBucketOptions {
  double per_second = 1;  // <= 0: no limit, every call succeeds
  double burst = 1;       // at least 1 is used
  size_t max_tracked = 100'000;
};

class TokenBuckets {
 public:
  explicit TokenBuckets(TokenBucketOptions options) : options_(options) {}

  // Takes one token of `key`: 0 when there was one, otherwise the whole seconds (>= 1) until
  // there will be (nothing is taken then).
  int64_t Take(const std::string& key, int64_t now_ms);
  // 0 when `key` has a token now, otherwise the whole seconds until it will; takes nothing.
  int64_t WaitSeconds(const std::string& key, int64_t now_ms);
  // Takes a token of `key` if it has one (a failure that costs whether or not it was allowed).
  void Charge(const std::string& key, int64_t now_ms);
  // Fills `key`'s bucket again.
  void Reset(const std::string& key);

  bool unlimited() const { return options_.per_second <= 0; }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t refreshed_ms = 0;
  };
  double burst() const { return options_.burst < 1 ? 1.0 : options_.burst; }
  // The key's bucket refilled up to `now_ms`. Caller holds mu_.
  Bucket& Refreshed(const std::string& key, int64_t now_ms);
  int64_t SecondsUntilToken(const Bucket& bucket) const;
  // Drops full buckets, and the least recently used beyond max_tracked. Caller holds mu_.
  void Sweep(int64_t now_ms);

  const TokenBucketOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  int64_t last_sweep_ms_ = 0;
};

}  // namespace tinydata
