#include "tinydata/http/api.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <exception>
#include <utility>

#include "tinydata/http/api_annotate.h"
#include "tinydata/http/api_auth.h"
#include "tinydata/http/api_game.h"
#include "tinydata/http/api_ledger.h"
#include "tinydata/http/api_meta.h"
#include "tinydata/http/api_openapi.h"
#include "tinydata/http/api_projects.h"

namespace tinydata::http {

namespace {

Result<service::Principal> Authenticate(service::Platform& platform, const Request& request,
                                        uint32_t scope) {
  TD_ASSIGN_OR_RETURN(std::string_view token, BearerToken(request));
  TD_ASSIGN_OR_RETURN(service::Principal principal, platform.AuthenticateToken(token));
  if ((principal.scopes & scope) != scope) {
    const std::vector<std::string> names = service::ScopeNames(scope);
    return Status::PermissionDenied(
        names.empty() ? std::string("an API token cannot do this; sign in")
                      : "this API token lacks the " + names.front() + " scope");
  }
  return principal;
}

// Runs `fn` on the pool (inline when there is none); an escaping exception becomes a 500, since
// a pool thread has no server around it to catch it.
void RunOnPool(boost::asio::thread_pool* pool, std::function<Response()> fn, Responder responder) {
  auto run = [fn = std::move(fn), responder]() {
    try {
      responder.Send(fn());
    } catch (const std::exception& e) {
      spdlog::error("http blocking handler threw: {}", e.what());
      responder.Send(ErrorReply(Status::Internal("internal error")));
    }
  };
  if (pool == nullptr) return run();
  boost::asio::post(*pool, std::move(run));
}

}  // namespace

Handler Authed(const ApiContext& context, uint32_t scope, AuthedHandler handler) {
  service::Platform* platform = context.platform;
  return [platform, scope, handler = std::move(handler)](Request& request) -> Response {
    Result<service::Principal> principal = Authenticate(*platform, request, scope);
    if (!principal.ok()) return ErrorReply(principal.status());
    return handler(request, *principal);
  };
}

AsyncHandler AuthedAsync(const ApiContext& context, uint32_t scope, AuthedAsyncHandler handler) {
  service::Platform* platform = context.platform;
  return [platform, scope, handler = std::move(handler)](Request& request, Responder responder) {
    Result<service::Principal> principal = Authenticate(*platform, request, scope);
    if (!principal.ok()) return responder.Send(ErrorReply(principal.status()));
    handler(request, *principal, std::move(responder));
  };
}

AsyncHandler AuthedBlocking(const ApiContext& context, uint32_t scope, AuthedHandler handler) {
  return Blocking(context, Authed(context, scope, std::move(handler)));
}

AsyncHandler Blocking(const ApiContext& context, Handler handler) {
  auto shared = std::make_shared<Handler>(std::move(handler));
  boost::asio::thread_pool* pool = context.blocking_pool;
  return [shared, pool](Request& request, Responder responder) {
    RunOnPool(pool, [shared, &request] { return (*shared)(request); }, std::move(responder));
  };
}

HeaderGate AdmitAuthenticated(const ApiContext& context) {
  service::Platform* platform = context.platform;
  return [platform](const beast_http::request_header<>& header) -> Status {
    TD_ASSIGN_OR_RETURN(std::string_view token,
                        BearerTokenOf(header[beast_http::field::authorization]));
    return platform->AuthenticateToken(token).status();
  };
}

AsyncHandler PasswordWork(const ApiContext& context, Handler handler) {
  if (context.password_work == nullptr) return Blocking(context, std::move(handler));
  auto shared = std::make_shared<Handler>(std::move(handler));
  WorkQueue* queue = context.password_work;
  return [shared, queue](Request& request, Responder responder) {
    const bool queued = queue->TryPost([shared, &request, responder] {
      try {
        responder.Send((*shared)(request));
      } catch (const std::exception& e) {
        spdlog::error("http password handler threw: {}", e.what());
        responder.Send(ErrorReply(Status::Internal("internal error")));
      }
    });
    if (!queued) {
      Response busy = ErrorReply(Status::Unavailable("too many sign-ins at once; retry shortly"));
      busy.headers.set(beast_http::field::retry_after, "1");
      responder.Send(std::move(busy));
    }
  };
}

Status RequireRole(const service::Principal& principal, store::Role role, std::string_view what) {
  if (principal.Has(role) || principal.is_admin()) return Status::Ok();
  const std::vector<std::string> names = service::RoleNames(role);
  return Status::PermissionDenied(std::string(what) + " needs the " +
                                  (names.empty() ? std::string("?") : names.front()) + " role");
}

nlohmann::json RegisterApi(Router& router, const ApiContext& context) {
  ApiRoutes routes(router);
  RegisterAuthRoutes(routes, context);
  RegisterProjectRoutes(routes, context);
  RegisterAnnotateRoutes(routes, context);
  RegisterGameRoutes(routes, context);
  RegisterLedgerRoutes(routes, context);
  RegisterMetaRoutes(routes, context);
  // Last, so that the document describes every route above (itself included).
  return RegisterOpenApiRoute(routes, context);
}

}  // namespace tinydata::http
