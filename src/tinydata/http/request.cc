#include "tinydata/http/request.h"

#include <charconv>
#include <string>

#include "tinydata/core/json.h"

namespace tinydata::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IEqualsPrefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != prefix[i]) return false;
  }
  return true;
}

}  // namespace

Result<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return Status::InvalidArgument("truncated percent-escape in \"" + std::string(in) + "\"");
      }
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return Status::InvalidArgument("invalid percent-escape in \"" + std::string(in) + "\"");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<QueryParams> QueryParams::Parse(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    Result<std::string> name = PercentDecode(raw_name, true);
    if (!name.ok()) return Status::InvalidArgument(name.status().message(), "query");
    Result<std::string> value = PercentDecode(raw_value, true);
    if (!value.ok()) return Status::InvalidArgument(value.status().message(), "query");
    params.entries_.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

std::optional<std::string_view> QueryParams::Get(std::string_view name) const {
  for (const auto& [k, v] : entries_) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<std::string_view> QueryParams::GetAll(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [k, v] : entries_) {
    if (k == name) values.emplace_back(v);
  }
  return values;
}

Result<int64_t> QueryParams::GetInt(std::string_view name, int64_t fallback) const {
  std::optional<std::string_view> raw = Get(name);
  if (!raw) return fallback;
  std::optional<int64_t> value = ParseInt64(*raw);
  if (!value) {
    return Status::InvalidArgument(
        "query parameter " + std::string(name) + " must be an integer, got \"" +
            std::string(*raw) + "\"",
        std::string(name));
  }
  return *value;
}

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t value = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string_view Request::PathParam(std::string_view name) const {
  for (const auto& [k, v] : path_params_) {
    if (k == name) return v;
  }
  return {};
}

Result<int64_t> Request::PathInt(std::string_view name) const {
  std::string_view raw = PathParam(name);
  std::optional<int64_t> value = ParseInt64(raw);
  if (!value) {
    return Status::InvalidArgument(
        "path parameter " + std::string(name) + " must be an integer, got \"" +
            std::string(raw) + "\"",
        std::string(name));
  }
  return *value;
}

Result<nlohmann::json> ParseJsonBody(const Request& request) {
  return ParseJsonObject(request.body(), "body");
}

Result<nlohmann::json> ParseJsonObject(std::string_view text, std::string_view field) {
  const std::string field_name(field);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::InvalidArgument("request body is empty; expected a JSON object", field_name);
  }
  TD_ASSIGN_OR_RETURN(nlohmann::json value, ParseJson(text, field, kMaxJsonDepth));
  if (!value.is_object()) {
    return Status::InvalidArgument(
        std::string("expected a JSON object, got ") + value.type_name(), field_name);
  }
  return value;
}

Result<std::string_view> BearerToken(const Request& request) {
  return BearerTokenOf(request.header(beast_http::field::authorization));
}

Result<std::string_view> BearerTokenOf(std::string_view auth) {
  if (auth.empty()) {
    return Status::Unauthenticated("missing Authorization: Bearer <token> header");
  }
  constexpr std::string_view kScheme = "bearer ";
  if (!IEqualsPrefix(auth, kScheme)) {
    return Status::Unauthenticated("Authorization header must use the Bearer scheme");
  }
  std::string_view token = auth.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return Status::Unauthenticated("empty bearer token");
  return token;
}

Status CheckRequestFraming(const beast_http::request_header<>& header) {
  const size_t hosts = header.count(beast_http::field::host);
  if (hosts > 1 || (hosts == 0 && header.version() >= 11)) {
    return Status::InvalidArgument(
        hosts == 0 ? "an HTTP/1.1 request needs a Host header" : "more than one Host header",
        "Host");
  }
  if (header.count(beast_http::field::content_length) > 1) {
    return Status::InvalidArgument("more than one Content-Length header", "Content-Length");
  }
  const size_t encodings = header.count(beast_http::field::transfer_encoding);
  if (encodings == 0) return Status::Ok();
  if (encodings > 1) {
    return Status::InvalidArgument("more than one Transfer-Encoding header", "Transfer-Encoding");
  }
  std::string_view coding = header[beast_http::field::transfer_encoding];
  while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) {
    coding.remove_prefix(1);
  }
  while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) {
    coding.remove_suffix(1);
  }
  if (!IEqualsPrefix(coding, "chunked") || coding.size() != 7) {
    return Status::InvalidArgument(
        "Transfer-Encoding must be exactly \"chunked\", got \"" + std::string(coding) + "\"",
        "Transfer-Encoding");
  }
  if (header.count(beast_http::field::content_length) > 0) {
    return Status::InvalidArgument("Transfer-Encoding and Content-Length together",
                                   "Content-Length");
  }
  return Status::Ok();
}

}  // namespace tinydata::http
