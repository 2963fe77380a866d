// libFuzzer harness: bytes as a client sends them on one connection. Each request is parsed by
// Beast's request_parser with the limits of http/server.cc (header 16 KiB, body 1 MiB) and
// taken through what the server runs before a handler: the framing check, the router's path
// resolution, the query string, then the path parameters and the bearer token a handler reads.
// Keep-alive requests follow one another as on a real connection. No server is started.
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "fuzz_check.h"
#include "tinydata/http/request.h"
#include "tinydata/http/router.h"

namespace tinydata::fuzz {
namespace {

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

constexpr uint32_t kHeaderLimitBytes = 16 * 1024;  // http::ServerOptions::max_header_bytes
constexpr size_t kBodyLimitBytes = http::kJsonBodyLimitBytes;
constexpr int kMaxRequestsPerConnection = 8;

// Routes shaped like the /api/v1 ones (http/api_*.cc), plus two that use a plain {name}
// parameter, which the API has no route for yet. Parameters declared :int are all called "id"
// or "index", so the checks below know which ones the router promises are integers.
http::Router MakeRouter() {
  auto ok = [](http::Request&) { return http::Response{}; };
  http::Router router;
  router.Get("/api/v1/projects", ok).Post("/api/v1/projects", ok);
  router.Get("/api/v1/projects/{id:int}", ok).Patch("/api/v1/projects/{id:int}", ok);
  router.Get("/api/v1/projects/{id:int}/export", ok);
  router.Post("/api/v1/projects/{id:int}/tasks", ok, {.max_body_bytes = kBodyLimitBytes});
  router.Post("/api/v1/projects/{id:int}/pause", ok);
  router.Get("/api/v1/tasks/next", ok);
  router.Get("/api/v1/tasks/{name}", ok);
  router.Post("/api/v1/assignments/{id:int}/answer", ok);
  router.Get("/api/v1/ledger/entries/{index:int}", ok);
  router.Get("/api/v1/ledger/checkpoint", ok);
  router.Get("/api/v1/users/{name}/badges/{index:int}", ok);
  router.Post("/api/v1/auth/login", ok).Get("/api/v1/me", ok);
  router.SetFallback(ok);
  FUZZ_CHECK(router.status().ok());
  return router;
}

const http::Router& TheRouter() {
  static const http::Router router = MakeRouter();
  return router;
}

void CheckResolution(const http::Router::Resolution& r) {
  using Kind = http::Router::Resolution::Kind;
  switch (r.kind) {
    case Kind::kRoute:
      FUZZ_CHECK(r.handler != nullptr && r.sync_handler != nullptr);
      FUZZ_CHECK(!r.path.empty() && r.path.front() == '/');
      for (const auto& [name, value] : r.params) FUZZ_CHECK(!value.empty());
      break;
    case Kind::kFallback:
      FUZZ_CHECK(r.handler != nullptr && r.params.empty());
      break;
    case Kind::kMethodNotAllowed:
    case Kind::kOptions:
      FUZZ_CHECK(r.allow.find("OPTIONS") != std::string::npos);
      break;
    case Kind::kBadPath:
      FUZZ_CHECK(!r.error.ok());
      break;
    case Kind::kNotFound:
      break;
  }
}

// What handlers read from a routed request.
void ReadAsHandlersDo(const http::Request& request) {
  for (std::string_view name : {"id", "index"}) {
    if (!request.PathParam(name).empty()) FUZZ_CHECK(request.PathInt(name).ok());
  }
  (void)request.PathParam("name");
  Result<std::string_view> token = http::BearerToken(request);
  if (token.ok()) {
    FUZZ_CHECK(!token->empty() && token->front() != ' ' && token->back() != ' ');
  }
  for (const auto& [name, value] : request.query().entries()) {
    FUZZ_CHECK(request.query().Get(name).has_value());
    FUZZ_CHECK(!request.query().GetAll(name).empty());
  }
  (void)request.query().GetInt("limit", 50);
}

// Parses and handles one request at the start of `input`. Returns the bytes it took when the
// connection stays open for another request, 0 when the server would close it (or wait for
// more bytes than the input has).
size_t ServeOne(std::string_view input) {
  beast_http::request_parser<beast_http::string_body> parser;
  parser.header_limit(kHeaderLimitBytes);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  beast::error_code ec;
  size_t used = 0;
  while (!parser.is_header_done()) {
    const size_t n = parser.put(boost::asio::buffer(input.data() + used, input.size() - used), ec);
    used += n;
    if (ec || n == 0) return 0;
  }

  auto& header = parser.get();
  // The server refuses a request with ambiguous framing before it reads the body, and closes.
  if (!http::CheckRequestFraming(header).ok()) return 0;
  const beast_http::verb method = header.method();
  const bool keep_alive = header.keep_alive();
  const std::string_view target = header.target();
  const size_t question = target.find('?');
  const std::string_view raw_path = target.substr(0, question);
  http::Router::Resolution resolution = TheRouter().Resolve(method, raw_path);
  CheckResolution(resolution);
  // Like the server, a view into the parser's target until the query is parsed.
  const std::string_view raw_query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (Result<std::string> path = http::PercentDecode(raw_path, false); path.ok()) {
    FUZZ_CHECK(path->size() <= raw_path.size());
  }

  if (boost::optional<uint64_t> length = parser.content_length();
      length && *length > resolution.max_body_bytes) {
    return 0;
  }
  parser.body_limit(resolution.max_body_bytes);
  parser.eager(true);
  while (!parser.is_done()) {
    const size_t n = parser.put(boost::asio::buffer(input.data() + used, input.size() - used), ec);
    used += n;
    if (ec || n == 0) return 0;
  }
  FUZZ_CHECK(parser.get().body().size() <= resolution.max_body_bytes);

  using Kind = http::Router::Resolution::Kind;
  if (resolution.kind == Kind::kRoute || resolution.kind == Kind::kFallback) {
    Result<http::QueryParams> query = http::QueryParams::Parse(raw_query);
    if (query.ok()) {
      http::Request request(parser.release(), std::move(resolution.path), std::move(*query));
      request.set_path_params(std::move(resolution.params));
      ReadAsHandlersDo(request);
    }
  }
  return keep_alive ? used : 0;
}

void FuzzConnection(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < kMaxRequestsPerConnection && !input.empty(); ++i) {
    const size_t used = ServeOne(input);
    if (used == 0) return;
    FUZZ_CHECK(used <= input.size());
    input.remove_prefix(used);
  }
}

}  // namespace
}  // namespace tinydata::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tinydata::fuzz::FuzzConnection(data, size);
  return 0;
}
