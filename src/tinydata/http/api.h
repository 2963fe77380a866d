// The /api/v1 face of the platform (docs/api.md): what every api_<noun>.cc shares, and the one
// place that registers them all.
//
// Adding a group of endpoints: write api_<noun>.{h,cc} with
//   void Register<Noun>Routes(ApiRoutes& routes, const ApiContext& context);
// that adds documented routes (and their component schemas) through `routes`, using the
// helpers below for authentication, JSON bodies and off-loading blocking work; then call it from
// RegisterApi in api.cc. Dependencies the new group needs (a ledger, a game service) become
// members of ApiContext.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "tinydata/core/status.h"
#include "tinydata/http/api_routes.h"
#include "tinydata/http/reply.h"
#include "tinydata/http/request.h"
#include "tinydata/http/router.h"
#include "tinydata/http/work_queue.h"
#include "tinydata/service/game_service.h"
#include "tinydata/service/ledger_service.h"
#include "tinydata/service/platform.h"

namespace tinydata::http {

struct ApiContext {
  // The use cases. Must outlive the Server.
  service::Platform* platform = nullptr;
  // Runs handlers that block for more than a moment (Argon2id hashing, use cases that wait for
  // their commit, imports), so the server's I/O threads keep serving. Must outlive the Server.
  boost::asio::thread_pool* blocking_pool = nullptr;
  // Runs password hashing (register, login) on threads of its own with a bounded backlog, so a
  // flood of sign-ins cannot starve the other routes (a full backlog is 503 with Retry-After).
  // Null: the blocking pool. Must outlive the Server.
  WorkQueue* password_work = nullptr;
  // Reported by /healthz and the OpenAPI document.
  std::string version = "0";
  // Rewards, game and ledger (api_game.cc, api_ledger.cc); their routes exist only when set.
  // Must outlive the Server.
  service::GameService* game = nullptr;
  service::LedgerService* ledger = nullptr;
};

// An authenticated request handler: runs only after the bearer token resolved to a principal.
using AuthedHandler = std::function<Response(Request&, const service::Principal&)>;
using AuthedAsyncHandler =
    std::function<void(Request&, const service::Principal&, Responder)>;

// Authenticates `Authorization: Bearer <token>`: 401 unauthenticated (with WWW-Authenticate)
// when it is missing, malformed, unknown, revoked or expired; 403 permission_denied when the
// token lacks `scope` (service::Scope; an API token never has kScopeAccount, 0 admits any
// token); otherwise calls `handler`.
Handler Authed(const ApiContext& context, uint32_t scope, AuthedHandler handler);
AsyncHandler AuthedAsync(const ApiContext& context, uint32_t scope, AuthedAsyncHandler handler);
// Like Authed, but `handler` runs on the blocking pool.
AsyncHandler AuthedBlocking(const ApiContext& context, uint32_t scope, AuthedHandler handler);
// Runs an unauthenticated `handler` on the blocking pool.
AsyncHandler Blocking(const ApiContext& context, Handler handler);
// Runs an unauthenticated `handler` that hashes a password on context.password_work.
AsyncHandler PasswordWork(const ApiContext& context, Handler handler);

// A route gate (RouteOptions::admit) that lets only requests with a valid bearer token read
// their body, for routes that take large bodies: an anonymous upload is refused with 401 before
// a byte of it is read.
HeaderGate AdmitAuthenticated(const ApiContext& context);

// 403 permission_denied unless the principal holds `role` (or is an admin).
Status RequireRole(const service::Principal& principal, store::Role role,
                   std::string_view what);

// Registers every route of the API (/api/v1/..., /healthz, /api/openapi.json) on `router`.
// The OpenAPI document is generated from the registered routes once registration is over;
// it is returned too (it is what GET /api/openapi.json serves).
nlohmann::json RegisterApi(Router& router, const ApiContext& context);

}  // namespace tinydata::http
