#include "support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdint>
#include <limits>
#include <optional>

namespace tinydata::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

std::string HttpResponse::Header(std::string_view name) const {
  return std::string(headers[name]);
}

nlohmann::json HttpResponse::Json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

struct HttpClient::Io {
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // Runs the async operation started by `start` to completion (the stream's deadline bounds it).
  template <typename Start>
  beast::error_code Run(Start start) {
    beast::error_code result;
    start([&result](beast::error_code ec, size_t) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }
};

HttpClient::HttpClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout), io_(std::make_unique<Io>()) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

bool HttpClient::connected() const { return io_->stream.has_value(); }

void HttpClient::Close() {
  if (io_->stream) {
    beast::error_code ec;
    io_->stream->socket().shutdown(tcp::socket::shutdown_both, ec);
    io_->stream->close();
  }
  io_->stream.reset();
  io_->buffer.clear();
  requests_on_connection_ = 0;
}

Status HttpClient::Connect() {
  Close();
  beast::error_code ec;
  tcp::resolver resolver(io_->ioc);
  auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
  if (ec) return Status::Unavailable("cannot resolve " + host_ + ": " + ec.message());
  io_->stream.emplace(io_->ioc);
  io_->stream->expires_after(timeout_);
  beast::error_code connect_ec;
  io_->stream->async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
    connect_ec = e;
  });
  io_->ioc.restart();
  io_->ioc.run();
  if (connect_ec) {
    io_->stream.reset();
    return Status::Unavailable("cannot connect to " + host_ + ":" + std::to_string(port_) + ": " +
                               connect_ec.message());
  }
  io_->stream->socket().set_option(tcp::no_delay(true), ec);
  ++connections_opened_;
  return Status::Ok();
}

Status HttpClient::WriteRaw(std::string_view bytes) {
  if (!io_->stream) TD_RETURN_IF_ERROR(Connect());
  io_->stream->expires_after(timeout_);
  beast::error_code ec = io_->Run([&](auto done) {
    net::async_write(*io_->stream, net::buffer(bytes.data(), bytes.size()), std::move(done));
  });
  if (ec) {
    Close();
    return Status::Unavailable("write failed: " + ec.message());
  }
  return Status::Ok();
}

Result<HttpResponse> HttpClient::ReadResponse() {
  if (!io_->stream) return Status::Unavailable("closed");
  http::response_parser<http::string_body> parser;
  // Boost 1.74 mishandles body_limit(boost::none) for Content-Length bodies; use the maximum.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  if (head_request_) parser.skip(true);
  io_->stream->expires_after(timeout_);
  beast::error_code ec = io_->Run([&](auto done) {
    http::async_read(*io_->stream, io_->buffer, parser, std::move(done));
  });
  if (ec) {
    const bool closed = ec == http::error::end_of_stream || ec == net::error::eof ||
                        ec == net::error::connection_reset || ec == http::error::partial_message;
    const bool timed_out = ec == beast::error::timeout;
    Close();
    if (closed) return Status::Unavailable("closed");
    if (timed_out) return Status::Unavailable("timeout");
    return Status::Internal("reading the response failed: " + ec.message());
  }
  http::response<http::string_body> message = parser.release();
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  response.keep_alive = message.keep_alive();
  response.body = std::move(message.body());
  response.headers = std::move(message.base());
  if (!response.keep_alive) Close();
  return response;
}

Result<HttpResponse> HttpClient::Send(http::verb method, std::string_view target, std::string body,
                                      const Headers& headers) {
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, host_ + ":" + std::to_string(port_));
  request.set(http::field::user_agent, "tinydata-test");
  if (!bearer_token_.empty()) request.set(http::field::authorization, "Bearer " + bearer_token_);
  for (const auto& [name, value] : headers) request.set(name, value);
  const bool has_body = !body.empty() || method == http::verb::post ||
                        method == http::verb::put || method == http::verb::patch;
  request.body() = std::move(body);
  if (has_body) request.prepare_payload();
  request.keep_alive(true);

  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = io_->stream.has_value() && requests_on_connection_ > 0;
    if (!io_->stream) TD_RETURN_IF_ERROR(Connect());
    ++requests_on_connection_;
    head_request_ = method == http::verb::head;
    io_->stream->expires_after(timeout_);
    beast::error_code ec = io_->Run(
        [&](auto done) { http::async_write(*io_->stream, request, std::move(done)); });
    if (ec) {
      Close();
      if (reused) continue;
      return Status::Unavailable("write failed: " + ec.message());
    }
    Result<HttpResponse> response = ReadResponse();
    head_request_ = false;
    if (!response.ok() && reused && response.status().message() == "closed") continue;
    return response;
  }
  return Status::Unavailable("the server closed the connection twice");
}

Result<HttpResponse> HttpClient::Get(std::string_view target, const Headers& headers) {
  return Send(http::verb::get, target, {}, headers);
}

Result<HttpResponse> HttpClient::Delete(std::string_view target, const Headers& headers) {
  return Send(http::verb::delete_, target, {}, headers);
}

Result<HttpResponse> HttpClient::Post(std::string_view target, std::string body,
                                      const Headers& headers) {
  return Send(http::verb::post, target, std::move(body), headers);
}

namespace {
Headers WithJsonType(const Headers& headers) {
  Headers all = headers;
  all.emplace_back("Content-Type", "application/json");
  return all;
}
}  // namespace

Result<HttpResponse> HttpClient::PostJson(std::string_view target, const nlohmann::json& body,
                                          const Headers& headers) {
  return Send(http::verb::post, target, body.dump(), WithJsonType(headers));
}

Result<HttpResponse> HttpClient::PatchJson(std::string_view target, const nlohmann::json& body,
                                           const Headers& headers) {
  return Send(http::verb::patch, target, body.dump(), WithJsonType(headers));
}

Result<HttpResponse> HttpClient::PutJson(std::string_view target, const nlohmann::json& body,
                                         const Headers& headers) {
  return Send(http::verb::put, target, body.dump(), WithJsonType(headers));
}

}  // namespace tinydata::test
