#include "tinydata/http/reply.h"

#include <utility>

namespace tinydata::http {

beast_http::status HttpStatusFor(StatusCode code) {
  using S = beast_http::status;
  switch (code) {
    case StatusCode::kOk: return S::ok;
    case StatusCode::kInvalidArgument: return S::bad_request;
    case StatusCode::kUnauthenticated: return S::unauthorized;
    case StatusCode::kPermissionDenied: return S::forbidden;
    case StatusCode::kNotFound: return S::not_found;
    case StatusCode::kAlreadyExists: return S::conflict;
    case StatusCode::kConflict: return S::conflict;
    case StatusCode::kAborted: return S::service_unavailable;
    case StatusCode::kFailedPrecondition: return S::conflict;
    case StatusCode::kResourceExhausted: return S::too_many_requests;
    case StatusCode::kDataLoss: return S::internal_server_error;
    case StatusCode::kUnavailable: return S::service_unavailable;
    case StatusCode::kInternal: return S::internal_server_error;
  }
  return S::internal_server_error;
}

Response ErrorReply(const Status& status) {
  if (status.ok()) {
    return ErrorReply(beast_http::status::internal_server_error, "internal",
                      "handler reported an error with an ok status");
  }
  return ErrorReply(HttpStatusFor(status.code()), StatusCodeName(status.code()), status.message(),
                    status.field());
}

Response ErrorReply(beast_http::status http_status, std::string_view code, std::string_view message,
                    std::string_view field) {
  nlohmann::json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  Response response = JsonReply(http_status, nlohmann::json{{"error", std::move(error)}});
  if (http_status == beast_http::status::unauthorized) {
    response.headers.set(beast_http::field::www_authenticate, "Bearer");
  }
  return response;
}

Response JsonReply(beast_http::status http_status, const nlohmann::json& value) {
  // Replace invalid UTF-8 instead of throwing: a reply must never fail to serialize because a
  // stored string was malformed.
  return RawJsonReply(http_status, value.dump(-1, ' ', false,
                                              nlohmann::json::error_handler_t::replace));
}

Response RawJsonReply(beast_http::status http_status, std::string json_text) {
  Response response;
  response.status = http_status;
  response.headers.set(beast_http::field::content_type, "application/json");
  response.body = std::move(json_text);
  return response;
}

Response NoContentReply() {
  Response response;
  response.status = beast_http::status::no_content;
  return response;
}

Response TextReply(beast_http::status http_status, std::string_view content_type,
                   std::string body) {
  Response response;
  response.status = http_status;
  response.headers.set(beast_http::field::content_type, content_type);
  response.body = std::move(body);
  return response;
}

Response StreamReply(std::string_view content_type, BodyProducer producer) {
  Response response;
  response.headers.set(beast_http::field::content_type, content_type);
  response.producer = std::move(producer);
  return response;
}

}  // namespace tinydata::http
