// The request as handlers see it: method, decoded path, typed path parameters, the parsed query
// string, headers and body, plus helpers to read a JSON body and a bearer token.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tinydata/core/json.h"
#include "tinydata/core/status.h"

namespace tinydata::http {

namespace beast_http = boost::beast::http;

// Decodes %XX escapes; with `plus_is_space` (query strings) also '+' to ' '. Fails with
// InvalidArgument on a truncated or non-hex escape.
Result<std::string> PercentDecode(std::string_view in, bool plus_is_space);

// The parsed query string: `a=1&b=x%20y&flag` -> {a:"1"}, {b:"x y"}, {flag:""}, in order.
class QueryParams {
 public:
  QueryParams() = default;

  // Parses the part of a request target after '?'. Fails with InvalidArgument (field "query")
  // on malformed percent-encoding.
  static Result<QueryParams> Parse(std::string_view query);

  // The first value of `name`, or nullopt when absent.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Every value of `name` in order (`?tag=a&tag=b`).
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // The decimal int64 value of `name`, or `fallback` when absent. A present but non-numeric or
  // out-of-range value is InvalidArgument naming the parameter as the field.
  Result<int64_t> GetInt(std::string_view name, int64_t fallback) const;

  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// Parses a whole decimal int64 ("42", "-7"); nullopt for anything else (empty, "4x", overflow).
std::optional<int64_t> ParseInt64(std::string_view s);

// One HTTP request after routing. Owned by the connection; stays valid until the handler's
// Responder has sent the response. Not thread-safe; a handler may read it from the thread that
// completes the request as long as it is the only one doing so.
class Request {
 public:
  using Message = beast_http::request<beast_http::string_body>;

  Request() = default;
  Request(Message message, std::string path, QueryParams query)
      : message_(std::move(message)), path_(std::move(path)), query_(std::move(query)) {}

  beast_http::verb method() const { return message_.method(); }
  // The raw request target, e.g. "/api/v1/projects/7?x=1".
  std::string_view target() const { return message_.target(); }
  // The percent-decoded path without the query, e.g. "/api/v1/projects/7".
  const std::string& path() const { return path_; }
  const QueryParams& query() const { return query_; }
  const std::string& body() const { return message_.body(); }
  // A header value, empty when absent.
  std::string_view header(beast_http::field name) const { return message_[name]; }
  std::string_view header(std::string_view name) const { return message_[name]; }
  const Message& message() const { return message_; }

  // The value bound to `{name}` in the matched route pattern; empty when there is no such
  // parameter.
  std::string_view PathParam(std::string_view name) const;
  // The value of `{name}` as an int64; InvalidArgument naming `name` when it is not one (never
  // fails for `{name:int}` parameters, which only match decimal integers).
  Result<int64_t> PathInt(std::string_view name) const;

  // The client's IP address: the peer's, or the one a trusted proxy forwarded
  // (ServerOptions::trusted_proxies). Empty for a request built outside a server.
  const std::string& client_address() const { return client_address_; }
  void set_client_address(std::string address) { client_address_ = std::move(address); }

  // When the connection started reading this request's header; used for the access log.
  std::chrono::steady_clock::time_point start_time() const { return start_time_; }

  // Set by the router and the server while dispatching.
  void set_path_params(std::vector<std::pair<std::string_view, std::string>> params) {
    path_params_ = std::move(params);
  }
  void set_start_time(std::chrono::steady_clock::time_point t) { start_time_ = t; }

 private:
  Message message_;
  std::string path_;
  QueryParams query_;
  // Names point into the router's patterns, which outlive every request.
  std::vector<std::pair<std::string_view, std::string>> path_params_;
  std::chrono::steady_clock::time_point start_time_{};
  std::string client_address_;
};

// Parses the request body as a JSON object. Errors are InvalidArgument with field "body":
// an empty body, malformed JSON (the message names the byte offset and what was expected),
// nesting deeper than kMaxJsonDepth, or a top-level value that is not an object. The body size
// is bounded beforehand by the route's body limit.
Result<nlohmann::json> ParseJsonBody(const Request& request);
// The same for any text, e.g. one JSONL line.
Result<nlohmann::json> ParseJsonObject(std::string_view text, std::string_view field = "body");

// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
// Unauthenticated when the header is missing, uses another scheme, or the token is empty.
// The view points into `request`'s header, so it is valid only as long as `request` is; a
// temporary request is refused at compile time.
Result<std::string_view> BearerToken(const Request& request);
Result<std::string_view> BearerToken(const Request&& request) = delete;
// The same from the Authorization header's value.
Result<std::string_view> BearerTokenOf(std::string_view authorization);

// Checks the framing rules a request header must follow before its body is read (RFC 9112
// sections 3.2 and 6): exactly one Host header in HTTP/1.1 (at most one in 1.0); at most one
// Content-Length; Transfer-Encoding, when present, exactly "chunked" and never together with
// Content-Length. Anything else is refused (InvalidArgument naming the header), since two
// parties that frame a message differently can be made to see different requests in one
// stream (request smuggling).
Status CheckRequestFraming(const beast_http::request_header<>& header);

}  // namespace tinydata::http
