#include "tinydata/http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace tinydata::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kReadChunkBytes = 8 * 1024;
// How long a connection we close after an error keeps draining what the client still sends, so
// the kernel does not answer unread data with a RST that would destroy our error response.
constexpr std::chrono::milliseconds kLingerTimeout{1000};
// Draining reads in large pieces: a client may still be sending most of a 64 MiB upload, and
// each read costs a handler call, so small reads could use up the deadline before the client is
// done (and the reset would come all the same).
constexpr size_t kLingerChunkBytes = 64 * 1024;
constexpr std::chrono::milliseconds kForceCloseWait{500};

// RFC 7231 IMF-fixdate, recomputed at most once a second per thread.
std::string_view HttpDate() {
  thread_local std::time_t cached_second = 0;
  thread_local char buffer[64];
  thread_local size_t length = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    length = std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return std::string_view(buffer, length);
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// A parse error in what the client sent, as opposed to the connection ending.
bool IsMalformedRequest(beast::error_code ec) {
  static const beast::error_category& http_category =
      beast_http::make_error_code(beast_http::error::bad_target).category();
  return ec && ec.category() == http_category && ec != beast_http::error::end_of_stream &&
         ec != beast_http::error::partial_message && ec != beast_http::error::header_limit &&
         ec != beast_http::error::body_limit;
}

}  // namespace


namespace internal {

class Session;

class ServerState {
 public:
  ServerState(ServerOptions options, Router router)
      : options_(std::move(options)),
        router_(std::move(router)),
        logger_(options_.logger ? options_.logger : spdlog::default_logger()),
        threads_count_(options_.threads > 0
                           ? options_.threads
                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
        limits_(options_.client_limits),
        ioc_(threads_count_),
        acceptor_(net::make_strand(ioc_)),
        signals_(acceptor_.get_executor()) {}

  Status Start();
  void Shutdown();
  void ForceClose();
  void Wait();

  uint16_t port() const { return port_; }
  size_t open_connections() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sessions_.size();
  }

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  spdlog::logger& logger() const { return *logger_; }
  net::io_context& ioc() { return ioc_; }

  // Registers a new connection; false when the server is shutting down.
  bool Register(uint64_t id, const std::shared_ptr<Session>& session);
  void Unregister(uint64_t id);
  bool draining() const { return draining_.load(std::memory_order_acquire); }

  ClientLimits& limits() { return limits_; }
  bool IsTrustedProxy(std::string_view address) const {
    for (const std::string& proxy : options_.trusted_proxies) {
      if (proxy == address) return true;
    }
    return false;
  }
  // Reserves `bytes` of the request body budget; false (nothing reserved) when it is spent.
  bool ReserveBody(size_t bytes) {
    size_t used = body_bytes_.load(std::memory_order_relaxed);
    do {
      if (used + bytes > options_.max_inflight_body_bytes) return false;
    } while (!body_bytes_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void ReleaseBody(size_t bytes) { body_bytes_.fetch_sub(bytes, std::memory_order_relaxed); }

 private:
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void WaitForSignal();
  template <typename Fn>
  void ForEachSession(Fn fn);

  const ServerOptions options_;
  const Router router_;
  std::shared_ptr<spdlog::logger> logger_;
  const int threads_count_;

  // Declared before ioc_ so that sessions destroyed with the io_context can still unregister
  // and give back their body budget and connection count.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions_;
  bool shutdown_requested_ = false;
  Clock::time_point shutdown_started_;
  bool started_ = false;
  bool waited_ = false;
  std::atomic<bool> draining_{false};
  uint64_t next_session_id_ = 1;  // used on the acceptor strand only
  std::atomic<size_t> body_bytes_{0};
  ClientLimits limits_;

  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  std::optional<net::steady_timer> accept_retry_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
};

// One connection. Every member runs on the connection's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // `peer` is the connection's remote address; `counted` tells whether it was counted in the
  // per-address connection limit (ClientLimits::OpenConnection).
  Session(tcp::socket&& socket, ServerState& server, uint64_t id, std::string peer, bool counted)
      : stream_(std::move(socket)),
        server_(server),
        id_(id),
        peer_(std::move(peer)),
        counted_(counted) {}

  ~Session() {
    ReleaseBody();
    if (counted_) server_.limits().CloseConnection(peer_);
    server_.Unregister(id_);
  }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // Answers a connection the server will not serve (`status` 429 or 503) and closes it.
  void Refuse(beast_http::status status, std::string message) {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this(), status, message = std::move(message)]() mutable {
                    self->first_request_ = false;
                    Response response = ErrorReply(status, "resource_exhausted", message);
                    response.headers.set(beast_http::field::retry_after, "1");
                    self->WriteEarlyResponse(std::move(response));
                  });
  }

  // Called on shutdown: idle connections close now, busy ones after their current response.
  void BeginDrain() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->draining_ = true;
      if (self->state_ == State::kIdle || self->state_ == State::kReadingHeader) {
        self->stream_.cancel();
      }
    });
  }

  void ForceClose() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->server_.logger().debug("http force-closing a connection in state {}",
                                   static_cast<int>(self->state_));
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

 private:
  enum class State { kIdle, kReadingHeader, kReadingBody, kHandling, kWriting, kClosing };

  const ServerOptions& options() const { return server_.options(); }

  void WaitForRequest() {
    state_ = State::kIdle;
    if (draining_) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    stream_.expires_after(first_request_ ? options().header_timeout : options().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->OnFirstBytes(ec, n);
                            });
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec) return Close();  // idle timeout, client gone, or shutdown
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    state_ = State::kReadingHeader;
    first_request_ = false;
    start_time_ = Clock::now();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options().max_header_bytes));
    // The route, and so the body limit, is known only after the header. Until then the parser
    // must not refuse a large Content-Length on its own (OnHeader checks it against the
    // route). Boost 1.74 mishandles body_limit(boost::none), hence the maximum.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    stream_.expires_after(options().header_timeout);
    beast_http::async_read_header(stream_, buffer_, *parser_,
                                  [self = shared_from_this()](beast::error_code ec, size_t) {
                                    self->OnHeader(ec);
                                  });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == beast_http::error::header_limit) {
      return WriteEarlyError(beast_http::status::request_header_fields_too_large,
                             "header_too_large",
                             "request header exceeds " +
                                 std::to_string(options().max_header_bytes) + " bytes");
    }
    if (ec == beast::error::timeout && buffer_.size() > 0) {
      return WriteEarlyError(beast_http::status::request_timeout, "request_timeout",
                             "request header not received in time");
    }
    if (IsMalformedRequest(ec)) {
      return WriteEarlyError(beast_http::status::bad_request, "invalid_argument",
                             "malformed HTTP request: " + ec.message());
    }
    if (ec) return Close();

    auto& header = parser_->get();
    method_ = header.method();
    version_ = header.version();
    keep_alive_ = header.keep_alive();
    if (Status framing = CheckRequestFraming(header); !framing.ok()) {
      path_for_log_ = std::string(header.target().substr(0, header.target().find('?')));
      return WriteEarlyResponse(ErrorReply(framing));
    }
    client_address_ = ClientAddressOf(header);
    if (const int64_t wait = server_.limits().TakeRequest(client_address_, Clock::now());
        wait > 0) {
      path_for_log_ = std::string(header.target().substr(0, header.target().find('?')));
      Response response = ErrorReply(beast_http::status::too_many_requests, "resource_exhausted",
                                     "too many requests from " + client_address_ +
                                         "; retry after " + std::to_string(wait) + " s");
      response.headers.set(beast_http::field::retry_after, std::to_string(wait));
      return WriteEarlyResponse(std::move(response));
    }
    std::string_view target = header.target();
    const size_t question = target.find('?');
    resolution_ = server_.router().Resolve(method_, target.substr(0, question));
    raw_query_ = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    path_for_log_ = std::string(target.substr(0, question));

    const size_t limit = resolution_.max_body_bytes;
    if (boost::optional<uint64_t> length = parser_->content_length(); length && *length > limit) {
      return WriteEarlyError(beast_http::status::payload_too_large, "payload_too_large",
                             "request body of " + std::to_string(*length) +
                                 " bytes exceeds the limit of " + std::to_string(limit) + " bytes");
    }
    if (resolution_.admit != nullptr) {
      if (Status admitted = (*resolution_.admit)(header); !admitted.ok()) {
        return WriteEarlyResponse(ErrorReply(admitted));
      }
    }
    if (!parser_->is_done()) {
      // The body's bytes are budgeted before any is read; a chunked body may use its whole limit.
      const boost::optional<uint64_t> length = parser_->content_length();
      const size_t wanted = length ? static_cast<size_t>(*length) : limit;
      if (!server_.ReserveBody(wanted)) {
        Response response =
            ErrorReply(beast_http::status::service_unavailable, "unavailable",
                       "the server is reading too many request bodies; retry shortly");
        response.headers.set(beast_http::field::retry_after, "1");
        return WriteEarlyResponse(std::move(response));
      }
      reserved_body_bytes_ = wanted;
    }
    parser_->body_limit(limit);
    if (IEquals(header[beast_http::field::expect], "100-continue") && !parser_->is_done()) {
      continue_.emplace(beast_http::status::continue_, version_);
      stream_.expires_after(options().write_timeout);
      beast_http::async_write(stream_, *continue_,
                              [self = shared_from_this()](beast::error_code ec, size_t) {
                                if (ec) return self->Close();
                                self->ReadBody();
                              });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    state_ = State::kReadingBody;
    if (parser_->is_done()) return OnBody({});
    stream_.expires_after(options().body_timeout);
    beast_http::async_read(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, size_t) {
                             self->OnBody(ec);
                           });
  }

  void OnBody(beast::error_code ec) {
    if (ec == beast_http::error::body_limit) {
      return WriteEarlyError(beast_http::status::payload_too_large, "payload_too_large",
                             "request body exceeds the limit of " +
                                 std::to_string(resolution_.max_body_bytes) + " bytes");
    }
    if (ec == beast::error::timeout) {
      return WriteEarlyError(beast_http::status::request_timeout, "request_timeout",
                             "request body not received in time");
    }
    if (IsMalformedRequest(ec)) {
      return WriteEarlyError(beast_http::status::bad_request, "invalid_argument",
                             "malformed HTTP request body: " + ec.message());
    }
    if (ec) {
      server_.logger().debug("http connection lost while reading a body: {}", ec.message());
      return Close();
    }
    Dispatch();
  }

  void Dispatch() {
    state_ = State::kHandling;
    // No timer runs while the handler works; the server's shutdown grace bounds it.
    stream_.expires_never();
    bytes_in_ = parser_->get().body().size();
    using Kind = Router::Resolution::Kind;
    switch (resolution_.kind) {
      case Kind::kBadPath:
        return WriteResponse(ErrorReply(resolution_.error));
      case Kind::kNotFound:
        return WriteResponse(ErrorReply(beast_http::status::not_found, "not_found",
                                        "no route for " +
                                            std::string(beast_http::to_string(method_)) + " " +
                                            resolution_.path));
      case Kind::kMethodNotAllowed: {
        Response response = ErrorReply(
            beast_http::status::method_not_allowed, "method_not_allowed",
            std::string(beast_http::to_string(method_)) + " is not allowed on " +
                resolution_.path + "; allowed: " + resolution_.allow);
        response.headers.set(beast_http::field::allow, resolution_.allow);
        return WriteResponse(std::move(response));
      }
      case Kind::kOptions: {
        Response response = NoContentReply();
        response.headers.set(beast_http::field::allow, resolution_.allow);
        return WriteResponse(std::move(response));
      }
      case Kind::kRoute:
      case Kind::kFallback:
        break;
    }
    Result<QueryParams> query = QueryParams::Parse(raw_query_);
    if (!query.ok()) return WriteResponse(ErrorReply(query.status()));

    request_ = Request(parser_->release(), std::move(resolution_.path), std::move(*query));
    request_.set_path_params(std::move(resolution_.params));
    request_.set_start_time(start_time_);
    request_.set_client_address(client_address_);
    parser_.reset();

    if (resolution_.sync_handler != nullptr) {
      Response response;
      try {
        response = (*resolution_.sync_handler)(request_);
      } catch (const std::exception& e) {
        server_.logger().error("http handler for {} {} threw: {}",
                               beast_http::to_string(method_), path_for_log_, e.what());
        response = ErrorReply(Status::Internal("internal error"));
      }
      return WriteResponse(std::move(response));
    }
    Responder responder([self = shared_from_this()](Response response) {
      net::post(self->stream_.get_executor(),
                [self, response = std::move(response)]() mutable {
                  self->WriteResponse(std::move(response));
                });
    });
    try {
      (*resolution_.handler)(request_, responder);
    } catch (const std::exception& e) {
      server_.logger().error("http handler for {} {} threw: {}", beast_http::to_string(method_),
                             path_for_log_, e.what());
      responder.Send(ErrorReply(Status::Internal("internal error")));
    }
  }

  // Errors found before a request could be dispatched: the rest of the stream cannot be trusted
  // (an unread body, a broken header), so the connection closes after the reply.
  void WriteEarlyError(beast_http::status status, std::string_view code, std::string message) {
    WriteEarlyResponse(ErrorReply(status, code, message));
  }
  void WriteEarlyResponse(Response response) {
    keep_alive_ = false;
    early_error_ = true;
    if (version_ == 0) version_ = 11;
    if (path_for_log_.empty()) path_for_log_ = "-";
    WriteResponse(std::move(response));
  }

  // The client of a request: the peer, or for a trusted proxy the last forwarded address that
  // is not itself a trusted proxy.
  std::string ClientAddressOf(const beast_http::request_header<>& header) const {
    if (!server_.IsTrustedProxy(peer_)) return peer_;
    std::string_view forwarded = header["X-Forwarded-For"];
    while (!forwarded.empty()) {
      const size_t comma = forwarded.rfind(',');
      std::string_view hop =
          comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1);
      forwarded = comma == std::string_view::npos ? std::string_view() : forwarded.substr(0, comma);
      while (!hop.empty() && (hop.front() == ' ' || hop.front() == '\t')) hop.remove_prefix(1);
      while (!hop.empty() && (hop.back() == ' ' || hop.back() == '\t')) hop.remove_suffix(1);
      if (hop.empty()) continue;
      beast::error_code ec;
      net::ip::make_address(std::string(hop), ec);
      if (ec) break;  // not an address: believe nothing further left
      if (!server_.IsTrustedProxy(hop)) return std::string(hop);
    }
    return peer_;
  }

  void ReleaseBody() {
    if (reserved_body_bytes_ > 0) server_.ReleaseBody(reserved_body_bytes_);
    reserved_body_bytes_ = 0;
  }

  void SetCommonHeaders(beast_http::fields& fields) {
    fields.set(beast_http::field::server, "tinydata");
    fields.set(beast_http::field::date, HttpDate());
    fields.set("X-Content-Type-Options", "nosniff");
    fields.set("Referrer-Policy", "no-referrer");
    fields.set("X-Frame-Options", "DENY");
    if (fields.find(beast_http::field::cache_control) == fields.end()) {
      fields.set(beast_http::field::cache_control, "no-store");
    }
    if (fields.find("Content-Security-Policy") == fields.end()) {
      fields.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    }
  }

  void WriteResponse(Response response) {
    if (state_ == State::kClosing) return;
    state_ = State::kWriting;
    status_ = response.status;
    keep_alive_ = keep_alive_ && !response.close_connection && !draining_ &&
                  !server_.draining();
    const bool head = method_ == beast_http::verb::head;
    if (response.producer) return WriteStreamed(std::move(response), head);

    res_.emplace(std::piecewise_construct, std::make_tuple(std::move(response.body)),
                 std::make_tuple(std::move(response.headers)));
    res_->result(response.status);
    res_->version(version_ == 10 ? 10 : 11);
    SetCommonHeaders(*res_);
    res_->keep_alive(keep_alive_);
    const bool bodiless = response.status == beast_http::status::no_content ||
                          response.status == beast_http::status::not_modified;
    if (!bodiless) res_->content_length(res_->body().size());
    bytes_out_ = res_->body().size();
    if (head) res_->body().clear();
    stream_.expires_after(options().write_timeout);
    beast_http::async_write(stream_, *res_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              self->OnWritten(ec);
                            });
  }

  void WriteStreamed(Response response, bool head) {
    producer_ = std::move(response.producer);
    expected_length_ = response.content_length;
    bytes_out_ = 0;
    streamed_head_.emplace(std::piecewise_construct, std::make_tuple(),
                           std::make_tuple(std::move(response.headers)));
    streamed_head_->result(response.status);
    streamed_head_->version(version_ == 10 ? 10 : 11);
    SetCommonHeaders(*streamed_head_);
    if (expected_length_) {
      streamed_head_->content_length(*expected_length_);
    } else if (version_ == 10) {
      keep_alive_ = false;  // HTTP/1.0 has no chunking: the body ends when the connection does
    } else {
      streamed_head_->chunked(true);
    }
    streamed_head_->keep_alive(keep_alive_);
    serializer_.emplace(*streamed_head_);
    stream_.expires_after(options().write_timeout);
    beast_http::async_write_header(stream_, *serializer_,
                                   [self = shared_from_this(), head](beast::error_code ec, size_t) {
                                     if (ec) return self->Abort("writing the header", ec);
                                     if (head) return self->OnWritten({});
                                     self->ProduceNext();
                                   });
  }

  void ProduceNext() {
    chunk_.clear();
    bool done = false;
    Status status;
    try {
      status = producer_(chunk_, done);
    } catch (const std::exception& e) {
      status = Status::Internal(e.what());
    }
    if (!status.ok()) {
      server_.logger().error("http stream for {} {} failed after {} bytes: {}",
                             beast_http::to_string(method_), path_for_log_, bytes_out_,
                             status.ToString());
      return Abort("producing the body", {});
    }
    bytes_out_ += chunk_.size();
    if (expected_length_ && bytes_out_ > *expected_length_) {
      server_.logger().error("http stream for {} produced more than its {} byte length",
                             path_for_log_, *expected_length_);
      return Abort("producing the body", {});
    }
    const bool chunked = streamed_head_->chunked();
    auto after = [self = shared_from_this(), done](beast::error_code ec, size_t) {
      if (ec) return self->Abort("writing the body", ec);
      if (done) return self->FinishStream();
      self->ProduceNext();
    };
    if (chunk_.empty()) {
      if (done) return FinishStream();
      return net::post(stream_.get_executor(),
                       [self = shared_from_this()] { self->ProduceNext(); });
    }
    stream_.expires_after(options().write_timeout);
    if (chunked) {
      net::async_write(stream_, beast_http::make_chunk(net::buffer(chunk_)), std::move(after));
    } else {
      net::async_write(stream_, net::buffer(chunk_), std::move(after));
    }
  }

  void FinishStream() {
    if (expected_length_ && bytes_out_ != *expected_length_) {
      server_.logger().error("http stream for {} ended at {} of its {} bytes", path_for_log_,
                             bytes_out_, *expected_length_);
      return Abort("producing the body", {});
    }
    producer_ = nullptr;
    if (!streamed_head_->chunked()) return OnWritten({});
    stream_.expires_after(options().write_timeout);
    net::async_write(stream_, beast_http::make_chunk_last(),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnWritten(ec);
                     });
  }

  void Abort(const char* what, beast::error_code ec) {
    if (ec) {
      server_.logger().debug("http connection closed while {}: {}", what, ec.message());
    }
    LogAccess();
    producer_ = nullptr;
    state_ = State::kClosing;
    stream_.close();
  }

  void OnWritten(beast::error_code ec) {
    LogAccess();
    ReleaseBody();
    res_.reset();
    serializer_.reset();
    streamed_head_.reset();
    continue_.reset();
    request_ = Request();
    if (ec) {
      state_ = State::kClosing;
      return stream_.close();
    }
    if (!keep_alive_) return Close();
    WaitForRequest();
  }

  void LogAccess() {
    if (!options().access_log) return;
    spdlog::logger& log = server_.logger();
    if (!log.should_log(spdlog::level::info)) return;
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_time_).count();
    log.info("http method={} path={} status={} duration_us={} bytes_in={} bytes_out={}",
             beast_http::to_string(method_), path_for_log_, static_cast<unsigned>(status_), us,
             bytes_in_, bytes_out_);
  }

  // Half-closes. When the client may still be sending (an unread body after an early error, or
  // pipelined requests), drains its data until it closes too or a short deadline passes, so the
  // kernel does not answer unread data with a reset that would destroy the final response.
  void Close() {
    if (state_ == State::kClosing) return;
    state_ = State::kClosing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || !(early_error_ || buffer_.size() > 0)) return stream_.close();
    buffer_.clear();
    stream_.expires_after(kLingerTimeout);
    Linger();
  }

  void Linger() {
    stream_.async_read_some(buffer_.prepare(kLingerChunkBytes),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->stream_.close();
                              self->buffer_.clear();
                              self->Linger();
                            });
  }

  beast::tcp_stream stream_;
  ServerState& server_;
  const uint64_t id_;
  const std::string peer_;
  const bool counted_;
  std::string client_address_;
  size_t reserved_body_bytes_ = 0;
  beast::flat_buffer buffer_;
  State state_ = State::kIdle;
  bool first_request_ = true;
  bool draining_ = false;
  bool early_error_ = false;

  // The request being served.
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  Router::Resolution resolution_;
  Request request_;
  std::string_view raw_query_;  // points into the parser's target until dispatch
  std::string path_for_log_;
  beast_http::verb method_ = beast_http::verb::unknown;
  unsigned version_ = 0;
  bool keep_alive_ = false;
  Clock::time_point start_time_;
  beast_http::status status_ = beast_http::status::ok;
  size_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;

  // The response being written.
  std::optional<beast_http::response<beast_http::empty_body>> continue_;
  std::optional<beast_http::response<beast_http::string_body>> res_;
  std::optional<beast_http::response<beast_http::empty_body>> streamed_head_;
  std::optional<beast_http::response_serializer<beast_http::empty_body>> serializer_;
  BodyProducer producer_;
  std::optional<uint64_t> expected_length_;
  std::string chunk_;
};

Status ServerState::Start() {
  TD_RETURN_IF_ERROR(router_.status());
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(options_.address, ec);
  if (ec) {
    return Status::InvalidArgument("invalid listen address \"" + options_.address + "\"",
                                   "listen");
  }
  const tcp::endpoint endpoint(address, options_.port);
  const std::string where = options_.address + ":" + std::to_string(options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable("cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint(ec).port();

  if (options_.shutdown_on_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    WaitForSignal();
  }
  Accept();
  // Once the acceptor closes, a connection whose async handler is still working has no I/O
  // pending; the guard keeps the threads alive to deliver its response.
  work_.emplace(ioc_.get_executor());
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
  }
  threads_.reserve(threads_count_);
  for (int i = 0; i < threads_count_; ++i) {
    threads_.emplace_back([this] {
      while (true) {
        try {
          ioc_.run();
          return;
        } catch (const std::exception& e) {
          logger_->error("http I/O thread caught: {}", e.what());
        }
      }
    });
  }
  logger_->info("http listening on {}:{} with {} I/O threads", options_.address, port_,
                threads_count_);
  return Status::Ok();
}

void ServerState::WaitForSignal() {
  signals_.async_wait([self = this](beast::error_code ec, int signal) {
    if (ec) return;
    bool second;
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      second = self->shutdown_requested_;
    }
    self->logger_->info("http received signal {}; {}", signal,
                        second ? "closing all connections now" : "shutting down gracefully");
    if (second) {
      self->ForceClose();
    } else {
      self->Shutdown();
      self->WaitForSignal();
    }
  });
}

void ServerState::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_),
                         [this](beast::error_code ec, tcp::socket socket) {
                           OnAccept(ec, std::move(socket));
                         });
}

void ServerState::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open()) return;
  if (ec) {
    // Typically out of file descriptors: back off instead of spinning on the error.
    logger_->warn("http accept failed: {}", ec.message());
    accept_retry_.emplace(acceptor_.get_executor(), std::chrono::milliseconds(50));
    accept_retry_->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) Accept();
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  const tcp::endpoint remote = socket.remote_endpoint(ignored);
  std::string peer = ignored ? std::string("-") : remote.address().to_string();
  const uint64_t id = next_session_id_++;
  const bool trusted = IsTrustedProxy(peer);
  const bool admitted = trusted || limits_.OpenConnection(peer);
  const bool counted = admitted && !trusted;
  const std::string refused_peer = admitted ? std::string() : peer;
  auto session = std::make_shared<Session>(std::move(socket), *this, id, std::move(peer), counted);
  if (Register(id, session)) {
    if (!admitted) {
      session->Refuse(beast_http::status::too_many_requests,
                      "too many connections from " + refused_peer);
    } else if (open_connections() > options_.max_connections) {
      session->Refuse(beast_http::status::service_unavailable, "the server has too many connections");
    } else {
      session->Start();
    }
  }
  Accept();
}

bool ServerState::Register(uint64_t id, const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutdown_requested_) return false;
  sessions_.emplace(id, session);
  return true;
}

void ServerState::Unregister(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(id);
  if (sessions_.empty()) cv_.notify_all();
}

template <typename Fn>
void ServerState::ForEachSession(Fn fn) {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    live.reserve(sessions_.size());
    for (auto& [id, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) fn(*s);
}

void ServerState::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_requested_) return;
    shutdown_requested_ = true;
    shutdown_started_ = Clock::now();
    draining_.store(true, std::memory_order_release);
    cv_.notify_all();
    if (!started_) return;
  }
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    if (accept_retry_) accept_retry_->cancel();
  });
  ForEachSession([](Session& s) { s.BeginDrain(); });
}

void ServerState::ForceClose() {
  Shutdown();
  ForEachSession([](Session& s) { s.ForceClose(); });
}

void ServerState::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!started_ || waited_) return;
  cv_.wait(lock, [this] { return shutdown_requested_; });
  const bool drained = cv_.wait_until(lock, shutdown_started_ + options_.shutdown_grace,
                                      [this] { return sessions_.empty(); });
  if (!drained) {
    logger_->warn("http closing {} connections still busy after the {} ms shutdown grace",
                  sessions_.size(), options_.shutdown_grace.count());
    lock.unlock();
    ForEachSession([](Session& s) { s.ForceClose(); });
    lock.lock();
    cv_.wait_for(lock, kForceCloseWait, [this] { return sessions_.empty(); });
  }
  waited_ = true;
  lock.unlock();
  work_.reset();
  ioc_.stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  // Gives SIGINT/SIGTERM their default action back while the caller flushes the database.
  beast::error_code ec;
  signals_.clear(ec);
  logger_->info("http server stopped");
}

}  // namespace internal

Server::Server(ServerOptions options, Router router)
    : impl_(std::make_unique<internal::ServerState>(std::move(options), std::move(router))) {}

Server::~Server() {
  impl_->Shutdown();
  impl_->Wait();
}

Status Server::Start() { return impl_->Start(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Shutdown() { impl_->Shutdown(); }
void Server::Wait() { impl_->Wait(); }
size_t Server::open_connections() const { return impl_->open_connections(); }

Status ParseListenAddress(std::string_view text, ServerOptions* options, std::string_view field) {
  const std::string f(field);
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("listen address \"" + std::string(text) + "\" " + why, f);
  };
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad("must look like [::1]:8080");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("must look like host:port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  std::optional<int64_t> port_number = ParseInt64(port);
  if (!port_number || *port_number < 0 || *port_number > 65535) {
    return bad("has no valid port (0..65535)");
  }
  // "localhost" is the loopback address; other names are not looked up, since a name that
  // resolves to several addresses would leave it unclear where the server listens.
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code ec;
  net::ip::make_address(std::string(host), ec);
  if (ec) return bad("has no valid IP address (give one, e.g. 127.0.0.1, or localhost)");
  options->address = std::string(host);
  options->port = static_cast<uint16_t>(*port_number);
  return Status::Ok();
}

}  // namespace tinydata::http
