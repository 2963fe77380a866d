#include "tinydata/http/client_limits.h"

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
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return requests_.Take(address, now_ms);
}

}  // namespace tinydata::http
