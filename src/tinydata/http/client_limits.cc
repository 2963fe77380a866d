#include "tinydata/http/client_limits.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tinydata::http {

bool ClientLimits::OpenConnection(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t& open = connections_[address];
  if (options_.max_connections_per_address > 0 && open >= options_.max_connections_per_address) {
    if (open == 0) connections_.erase(address);
    return false;
  }
  ++open;
  return true;
}

void ClientLimits::CloseConnection(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = connections_.find(address);
  if (it == connections_.end()) return;
  if (--it->second == 0) connections_.erase(it);
}

int64_t ClientLimits::TakeRequest(const std::string& address, Clock::time_point now) {
  if (options_.requests_per_second <= 0) return 0;
  const double burst = std::max(1.0, options_.burst);
  std::lock_guard<std::mutex> lock(mu_);
  if (now - last_sweep_ > std::chrono::seconds(10) || buckets_.size() > options_.max_tracked) {
    Sweep(now);
  }
  auto [it, added] = buckets_.try_emplace(address, Bucket{burst, now});
  Bucket& bucket = it->second;
  if (!added) {
    const double elapsed = std::chrono::duration<double>(now - bucket.refreshed).count();
    if (elapsed > 0) {
      bucket.tokens = std::min(burst, bucket.tokens + elapsed * options_.requests_per_second);
      bucket.refreshed = now;
    }
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0;
  }
  const double wait = (1.0 - bucket.tokens) / options_.requests_per_second;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait)));
}

void ClientLimits::Sweep(Clock::time_point now) {
  last_sweep_ = now;
  const double burst = std::max(1.0, options_.burst);
  std::erase_if(buckets_, [&](const auto& entry) {
    const double elapsed = std::chrono::duration<double>(now - entry.second.refreshed).count();
    return entry.second.tokens + elapsed * options_.requests_per_second >= burst;
  });
  if (buckets_.size() <= options_.max_tracked) return;
  std::vector<std::pair<Clock::time_point, std::string>> by_age;
  by_age.reserve(buckets_.size());
  for (const auto& [key, bucket] : buckets_) by_age.emplace_back(bucket.refreshed, key);
  const size_t drop = buckets_.size() - options_.max_tracked;
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop),
                   by_age.end());
  for (size_t i = 0; i < drop; ++i) buckets_.erase(by_age[i].second);
}

}  // namespace tinydata::http
