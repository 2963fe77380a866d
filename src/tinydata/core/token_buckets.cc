#include "tinydata/core/token_buckets.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace tinydata {
namespace {

constexpr int64_t kSweepEveryMs = 10'000;

}  // namespace

TokenBuckets::Bucket& TokenBuckets::Refreshed(const std::string& key, int64_t now_ms) {
  if (now_ms - last_sweep_ms_ > kSweepEveryMs || buckets_.size() > options_.max_tracked) {
    Sweep(now_ms);
  }
  auto [it, added] = buckets_.try_emplace(key, Bucket{burst(), now_ms});
  Bucket& bucket = it->second;
  if (!added && now_ms > bucket.refreshed_ms) {
    const double elapsed = static_cast<double>(now_ms - bucket.refreshed_ms) / 1000.0;
    bucket.tokens = std::min(burst(), bucket.tokens + elapsed * options_.per_second);
    bucket.refreshed_ms = now_ms;
  }
  return bucket;
}

int64_t TokenBuckets::SecondsUntilToken(const Bucket& bucket) const {
  if (bucket.tokens >= 1.0) return 0;
  const double wait = (1.0 - bucket.tokens) / options_.per_second;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait)));
}

int64_t TokenBuckets::Take(const std::string& key, int64_t now_ms) {
  if (unlimited()) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& bucket = Refreshed(key, now_ms);
  const int64_t wait = SecondsUntilToken(bucket);
  if (wait == 0) bucket.tokens -= 1.0;
  return wait;
}

int64_t TokenBuckets::WaitSeconds(const std::string& key, int64_t now_ms) {
  if (unlimited()) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  return SecondsUntilToken(Refreshed(key, now_ms));
}

void TokenBuckets::Charge(const std::string& key, int64_t now_ms) {
  if (unlimited()) return;
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& bucket = Refreshed(key, now_ms);
  bucket.tokens = std::max(0.0, bucket.tokens - 1.0);
}

void TokenBuckets::Reset(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  buckets_.erase(key);
}

void TokenBuckets::Sweep(int64_t now_ms) {
  last_sweep_ms_ = now_ms;
  std::erase_if(buckets_, [&](const auto& entry) {
    const double elapsed = static_cast<double>(now_ms - entry.second.refreshed_ms) / 1000.0;
    return entry.second.tokens + elapsed * options_.per_second >= burst();
  });
  if (buckets_.size() <= options_.max_tracked) return;
  std::vector<std::pair<int64_t, std::string>> by_age;
  by_age.reserve(buckets_.size());
  for (const auto& [key, bucket] : buckets_) by_age.emplace_back(bucket.refreshed_ms, key);
  const size_t drop = buckets_.size() - options_.max_tracked;
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop),
                   by_age.end());
  for (size_t i = 0; i < drop; ++i) buckets_.erase(by_age[i].second);
}

}  // namespace tinydata
