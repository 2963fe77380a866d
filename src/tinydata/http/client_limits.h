// What one client (one IP address) may take of the server: open connections and a request rate.
// The server consults ClientLimits when it accepts a connection and when a request header has
// arrived, before the request is routed or its body read.
//
// Requests are budgeted by a token bucket per address (core/token_buckets.h): `burst` requests
// at once, refilled at `requests_per_second`.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tinydata/core/token_buckets.h"

namespace tinydata::http {

struct ClientLimitOptions {
  // Open connections per address; 0 = no limit.
  size_t max_connections_per_address = 64;
  // Sustained requests per second per address, and how many may come at once; 0 = no limit.
  double requests_per_second = 100;
  double burst = 300;
  size_t max_tracked = 100'000;
};

class ClientLimits {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ClientLimits(ClientLimitOptions options)
      : options_(options),
        requests_({options.requests_per_second, options.burst, options.max_tracked}) {}

  // Counts a new connection of `address`; false (nothing counted) when it already has the most
  // it may hold.
  bool OpenConnection(const std::string& address);
  // Forgets a connection counted by OpenConnection.
  void CloseConnection(const std::string& address);

  // Takes one request from the address's budget at `now`: 0 when it may go on, otherwise the
  // whole seconds (>= 1) until it may send the next one (for Retry-After).
  int64_t TakeRequest(const std::string& address, Clock::time_point now);

  const ClientLimitOptions& options() const { return options_; }

 private:
  const ClientLimitOptions options_;
  TokenBuckets requests_;
  std::mutex mu_;
  std::unordered_map<std::string, size_t> connections_;
};

}  // namespace tinydata::http
