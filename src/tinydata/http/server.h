// Server: an HTTP/1.1 server on Boost.Beast/Asio that hands requests to a Router.
//
// - A pool of I/O threads (ServerOptions::threads) runs one io_context; each connection is a
//   strand, so its requests are handled one after another even when a client pipelines them.
//   Handlers run on these threads (see router.h for when to use an AsyncHandler instead).
// - Keep-alive, per-route body limits (413 payload_too_large before the handler runs), a header
//   size limit (431), `Expect: 100-continue`, HEAD for GET routes, chunked streamed bodies.
// - Timeouts close slow or idle connections: a new connection must deliver a complete header
//   within header_timeout (so a slowloris client cannot hold a connection by trickling bytes);
//   between requests a keep-alive connection may idle for idle_timeout, after which the next
//   header must again arrive within header_timeout; body_timeout and write_timeout bound each
//   body read and response write.
// - Limits, checked before a request is routed or its body read: framing (CheckRequestFraming;
//   400), per-client connections and request rate (ClientLimits; 429 with Retry-After), a cap
//   on all connections and on the bytes of request bodies held at once (503 with Retry-After),
//   and the route's HeaderGate (e.g. authentication of an upload). A refused request closes its
//   connection, since its unread body cannot be skipped safely.
// - Every response carries `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`
//   and `X-Frame-Options: DENY`, and, unless the handler set its own, `Cache-Control: no-store`
//   and `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` (the API's; the
//   web app's files set theirs, static_files.h).
// - Shutdown(): stop accepting, close idle connections, let requests in flight finish (their
//   responses carry `Connection: close`), force-close whatever is left after shutdown_grace.
//   Wait() returns when that is done, so the caller can then flush and close the database.
// - One access-log line per request on the spdlog logger (info level):
//   `http method=GET path=/api/v1/me status=200 duration_us=153 bytes_in=0 bytes_out=512`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/http/client_limits.h"
#include "tinydata/http/router.h"

namespace spdlog {
class logger;
}

namespace tinydata::http {

namespace internal {
class ServerState;
}  // namespace internal

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port; see Server::port()
  int threads = 0;       // I/O threads; 0 means std::thread::hardware_concurrency()
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds body_timeout{60'000};
  std::chrono::milliseconds write_timeout{60'000};
  std::chrono::milliseconds shutdown_grace{10'000};
  size_t max_header_bytes = 16 * 1024;
  // One info line per request. The logger defaults to spdlog's default logger.
  bool access_log = true;
  std::shared_ptr<spdlog::logger> logger;
  // Start a graceful Shutdown() on SIGINT/SIGTERM; a second signal force-closes at once.
  bool shutdown_on_signals = false;
  // Open connections in all; one more is answered 503 and closed.
  size_t max_connections = 10'000;
  // Per client address: open connections and request rate (429 with Retry-After).
  ClientLimitOptions client_limits;
  // Addresses of reverse proxies whose X-Forwarded-For is believed: a request's client is then
  // the last address of that header that is not itself a trusted proxy. Connections of a
  // trusted proxy do not count against the per-address connection limit.
  std::vector<std::string> trusted_proxies;
  // Bytes of request bodies being read or handled at once, over all connections (a chunked body
  // counts as its route's limit until it is read); a request that would exceed it gets 503.
  size_t max_inflight_body_bytes = size_t{256} << 20;
};

// Parses "host:port" ("127.0.0.1:8080", "[::1]:8080", "0.0.0.0:0") into options->address and
// options->port. InvalidArgument naming `field` when malformed.
Status ParseListenAddress(std::string_view text, ServerOptions* options,
                          std::string_view field = "listen");

class Server {
 public:
  // The router is fixed for the server's lifetime.
  Server(ServerOptions options, Router router);
  // Shuts down gracefully and waits if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the I/O threads; returns once the port accepts connections.
  // Fails with the router's registration error, InvalidArgument for a bad address, or
  // Unavailable when the port cannot be bound. Call at most once.
  Status Start();

  // The bound port (useful with port 0). Valid after a successful Start().
  uint16_t port() const;

  // Begins a graceful shutdown. Thread-safe and idempotent; returns at once. Not
  // async-signal-safe: from a signal handler, use shutdown_on_signals instead.
  void Shutdown();

  // Blocks until Shutdown() has been called and finished (every connection closed or the grace
  // period over), then stops the I/O threads. Returns at once if Start() never succeeded.
  void Wait();

  // Open connections right now (for tests and metrics).
  size_t open_connections() const;

 private:
  std::unique_ptr<internal::ServerState> impl_;
};

}  // namespace tinydata::http
