// What handlers return: a Response (status, headers, and either a body string or a streamed
// body), and the one place that maps tinydata::StatusCode to an HTTP status and the error body
// `{"error": {"code", "message", "field"}}` of docs/api.md.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/status.hpp>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tinydata/core/status.h"

namespace tinydata::http {

namespace beast_http = boost::beast::http;

// Produces a streamed body one piece at a time. The server calls it repeatedly on the
// connection's I/O thread, each time with an empty `chunk`; the producer appends the next piece
// (any size; empty is allowed) and sets `done` with or after the last one. A non-ok Status
// aborts the response: the connection is closed without the terminating chunk, so the client
// sees a truncated transfer instead of a silently short file. May block briefly (e.g. a
// database read per chunk); it holds one I/O thread while it runs.
using BodyProducer = std::function<Status(std::string& chunk, bool& done)>;

// A response under construction. Either `body` is sent with a Content-Length, or `producer` is
// set and the body is streamed: with `content_length` set the server sends exactly that many
// bytes (closing the connection if the producer delivers a different amount), otherwise it uses
// chunked transfer encoding.
struct Response {
  beast_http::status status = beast_http::status::ok;
  beast_http::fields headers;  // Content-Type and any extra headers
  std::string body;
  BodyProducer producer;
  std::optional<uint64_t> content_length;
  // Ask the server to close the connection after this response.
  bool close_connection = false;
};

// The HTTP status for a Status code: invalid_argument 400, unauthenticated 401,
// permission_denied 403, not_found 404, already_exists/conflict/failed_precondition 409,
// resource_exhausted 429, data_loss/internal 500, unavailable 503 (and 200 for ok).
beast_http::status HttpStatusFor(StatusCode code);

// `{"error": {"code", "message", "field"?}}` with the status HttpStatusFor(status.code()).
// The field member is present only when the Status names one. An ok Status is a bug in the
// caller and becomes a 500 internal error.
Response ErrorReply(const Status& status);
// An error that has no StatusCode of its own (405 method_not_allowed, 413 payload_too_large,
// 408 request_timeout, 431 header_too_large, ...), in the same body shape.
Response ErrorReply(beast_http::status http_status, std::string_view code, std::string_view message,
                    std::string_view field = {});

// `value` serialized as application/json with the given status.
Response JsonReply(beast_http::status http_status, const nlohmann::json& value);
inline Response JsonReply(const nlohmann::json& value) {
  return JsonReply(beast_http::status::ok, value);
}
// An already serialized JSON text, for handlers that build JSON without nlohmann.
Response RawJsonReply(beast_http::status http_status, std::string json_text);
// 204 No Content.
Response NoContentReply();
// A body with an explicit content type, e.g. ("text/csv; charset=utf-8", ...).
Response TextReply(beast_http::status http_status, std::string_view content_type,
                   std::string body);
// A streamed (chunked) body of the given content type; see BodyProducer.
Response StreamReply(std::string_view content_type, BodyProducer producer);

// The value of `Result<T>` as a JSON reply, or its error. `to_json` maps T to nlohmann::json.
template <typename T, typename ToJson>
Response ReplyFromResult(const Result<T>& result, ToJson to_json,
                         beast_http::status ok_status = beast_http::status::ok) {
  if (!result.ok()) return ErrorReply(result.status());
  return JsonReply(ok_status, to_json(result.value()));
}

}  // namespace tinydata::http
