// HttpClient: the one HTTP/1.1 client of the test suites. Keeps one connection alive across
// requests (reconnecting when the server closed it), with a deadline on every operation so a
// broken server fails a test instead of hanging it.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tinydata/core/status.h"

namespace tinydata::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  boost::beast::http::fields headers;
  std::string body;
  bool keep_alive = false;

  // A header value, empty when absent.
  std::string Header(std::string_view name) const;
  // The body parsed as JSON; a discarded value (is_discarded()) when it is not JSON.
  nlohmann::json Json() const;
};

class HttpClient {
 public:
  // Connects lazily on the first request. `timeout` bounds each connect, write and read.
  HttpClient(std::string host, uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Sent as `Authorization: Bearer <token>` with every request; empty to stop.
  void SetBearerToken(std::string token) { bearer_token_ = std::move(token); }

  // Sends one request and reads its response. A request on a reused connection that the server
  // had already closed (nothing received) is retried once on a new connection. Errors:
  // Unavailable for connection failures and timeouts, Internal for unparsable responses.
  Result<HttpResponse> Send(boost::beast::http::verb method, std::string_view target,
                            std::string body = {}, const Headers& headers = {});
  Result<HttpResponse> Get(std::string_view target, const Headers& headers = {});
  Result<HttpResponse> Delete(std::string_view target, const Headers& headers = {});
  Result<HttpResponse> Post(std::string_view target, std::string body,
                            const Headers& headers = {});
  // These set Content-Type: application/json.
  Result<HttpResponse> PostJson(std::string_view target, const nlohmann::json& body,
                                const Headers& headers = {});
  Result<HttpResponse> PatchJson(std::string_view target, const nlohmann::json& body,
                                 const Headers& headers = {});
  Result<HttpResponse> PutJson(std::string_view target, const nlohmann::json& body,
                               const Headers& headers = {});

  // Low level, for protocol tests: write bytes as they are (connecting first if needed) and
  // read one response. ReadResponse fails with Unavailable when the server closes the
  // connection (message "closed") or the deadline passes (message "timeout").
  Status WriteRaw(std::string_view bytes);
  Result<HttpResponse> ReadResponse();

  // Closes the connection; the next request opens a new one.
  void Close();
  bool connected() const;
  // Connections opened so far, to check that keep-alive reuses one.
  int connections_opened() const { return connections_opened_; }

 private:
  struct Io;
  Status Connect();

  std::string host_;
  uint16_t port_;
  std::chrono::milliseconds timeout_;
  std::string bearer_token_;
  std::unique_ptr<Io> io_;
  int connections_opened_ = 0;
  int requests_on_connection_ = 0;
  bool head_request_ = false;  // the response being read answers a HEAD: no body follows
};

}  // namespace tinydata::test
