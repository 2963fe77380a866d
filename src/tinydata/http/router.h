// Router: maps a method and a path to a handler.
//
// Patterns are absolute paths whose segments are literals or parameters:
//   "/api/v1/projects/{id:int}"        {name:int} matches only a decimal int64 segment
//   "/api/v1/assignments/{id}/answer"  {name} matches any non-empty segment
// Literal segments win over parameters at the same position ("/tasks/next" beats "/tasks/{id}"),
// and int parameters over plain ones. Segments are percent-decoded before matching.
//
// Resolution results: a route; 405 with an Allow header when the path matches but the method
// does not (HEAD falls back to the GET route, OPTIONS answers 204 with Allow); otherwise the
// fallback handler (the static files / SPA handler) if one is set, else 404 JSON.
//
// Threading model: handlers run on the server's I/O threads, one request at a time per
// connection, so a synchronous Handler suits anything that finishes in well under a millisecond
// or so (JSON decoding, a SQLite read). Work that waits (a write queued to the single database
// writer, a group commit) should use an AsyncHandler: it returns at once and completes the
// Responder later from any thread, so the I/O threads keep serving other connections while many
// requests share one commit.
//
// Build the router fully before handing it to the Server; it is immutable (and safe to share
// between threads) afterwards.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/http/reply.h"
#include "tinydata/http/request.h"

namespace tinydata::http {

// docs/api.md: request bodies are limited to 1 MiB for JSON and 64 MiB for task uploads.
inline constexpr size_t kJsonBodyLimitBytes = size_t{1} << 20;
inline constexpr size_t kUploadBodyLimitBytes = size_t{64} << 20;

// Decides from the request header alone, before the body is read, whether the request may go
// on (e.g. that it carries a valid bearer token), so a large body is never read for a client
// that would be refused anyway. Runs on an I/O thread: must be quick. A non-ok Status is the
// response (ErrorReply) and the connection closes after it.
using HeaderGate = std::function<Status(const beast_http::request_header<>& header)>;

struct RouteOptions {
  // Larger bodies are refused with 413 payload_too_large before the handler runs.
  size_t max_body_bytes = kJsonBodyLimitBytes;
  // Optional; see HeaderGate.
  HeaderGate admit = {};
};

// Completes one request. Copyable; every copy refers to the same request. The first Send wins
// and later ones are ignored. Send may be called from any thread. If every copy is destroyed
// without a Send, the client gets a 500 internal error, so a forgotten path cannot hang a
// connection. The Request stays valid until Send. The Server must outlive every Responder.
class Responder {
 public:
  using Deliver = std::function<void(Response)>;
  explicit Responder(Deliver deliver);

  void Send(Response response) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

using Handler = std::function<Response(Request&)>;
using AsyncHandler = std::function<void(Request&, Responder)>;

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registration. A malformed pattern or a second handler for the same method and pattern is
  // recorded in status() (the first such error wins) and the Server refuses to start with it.
  Router& Add(beast_http::verb method, std::string_view pattern, Handler handler,
              RouteOptions options = {});
  Router& AddAsync(beast_http::verb method, std::string_view pattern, AsyncHandler handler,
                   RouteOptions options = {});
  Router& Get(std::string_view pattern, Handler h, RouteOptions o = {}) {
    return Add(beast_http::verb::get, pattern, std::move(h), o);
  }
  Router& Post(std::string_view pattern, Handler h, RouteOptions o = {}) {
    return Add(beast_http::verb::post, pattern, std::move(h), o);
  }
  Router& Put(std::string_view pattern, Handler h, RouteOptions o = {}) {
    return Add(beast_http::verb::put, pattern, std::move(h), o);
  }
  Router& Patch(std::string_view pattern, Handler h, RouteOptions o = {}) {
    return Add(beast_http::verb::patch, pattern, std::move(h), o);
  }
  Router& Delete(std::string_view pattern, Handler h, RouteOptions o = {}) {
    return Add(beast_http::verb::delete_, pattern, std::move(h), o);
  }

  // Handles every request whose path matches no route, whatever its method (e.g. StaticFiles).
  Router& SetFallback(Handler handler, RouteOptions options = {});

  // Ok, or the first registration error.
  const Status& status() const { return status_; }

  struct Resolution {
    enum class Kind {
      kRoute,             // `handler` is set, `params` hold the bound path parameters
      kFallback,          // `handler` is the fallback
      kNotFound,          // no route and no fallback
      kMethodNotAllowed,  // `allow` lists the path's methods, e.g. "GET, HEAD, POST"
      kOptions,           // an OPTIONS request for a known path; `allow` as above
      kBadPath,           // `error` explains (malformed percent-encoding, relative path)
    };
    Kind kind = Kind::kNotFound;
    const AsyncHandler* handler = nullptr;
    // Also set when the route was registered with a synchronous Handler, so the server can call
    // it directly instead of going through a Responder.
    const Handler* sync_handler = nullptr;
    size_t max_body_bytes = kJsonBodyLimitBytes;
    const HeaderGate* admit = nullptr;  // the route's gate, when it has one
    std::vector<std::pair<std::string_view, std::string>> params;
    std::string path;  // the decoded path
    std::string allow;
    Status error;
  };

  // Resolves `raw_path` (the request target without its query, still percent-encoded).
  // Thread-safe once registration is over.
  Resolution Resolve(beast_http::verb method, std::string_view raw_path) const;

 private:
  struct Node;
  struct Route;
  void Register(beast_http::verb method, std::string_view pattern, AsyncHandler handler,
                RouteOptions options, Handler sync_handler);
  void Fail(Status status);

  std::unique_ptr<Node> root_;
  std::unique_ptr<Route> fallback_;
  Status status_;
};

// Wraps a synchronous handler as an AsyncHandler.
AsyncHandler MakeAsync(Handler handler);

}  // namespace tinydata::http
