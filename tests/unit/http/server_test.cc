#include "tinydata/http/server.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "support/http_client.h"
#include "tinydata/http/reply.h"
#include "tinydata/http/request.h"
#include "tinydata/http/router.h"

namespace tinydata::http {
namespace {

using namespace std::chrono_literals;
using test::HttpClient;
using test::HttpResponse;

ServerOptions TestOptions() {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.access_log = false;
  options.logger = std::make_shared<spdlog::logger>("quiet");  // no sinks: tests stay quiet
  return options;
}

// Starts a server on a free port and stops it at the end of the test.
class RunningServer {
 public:
  explicit RunningServer(Router router, ServerOptions options = TestOptions())
      : server_(std::make_unique<Server>(options, std::move(router))) {
    Status status = server_->Start();
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  Server& server() { return *server_; }
  HttpClient Client(std::chrono::milliseconds timeout = 5s) const {
    return HttpClient("127.0.0.1", server_->port(), timeout);
  }

 private:
  std::unique_ptr<Server> server_;
};

Router EchoRouter() {
  Router router;
  router.Get("/hello", [](Request&) { return JsonReply({{"hello", "world"}}); });
  router.Get("/api/v1/projects/{id:int}", [](Request& request) {
    Result<int64_t> id = request.PathInt("id");
    if (!id.ok()) return ErrorReply(id.status());
    return JsonReply({{"id", *id}, {"q", std::string(request.query().Get("q").value_or(""))}});
  });
  router.Post("/api/v1/assignments/{id}/answer", [](Request& request) {
    Result<nlohmann::json> body = ParseJsonBody(request);
    if (!body.ok()) return ErrorReply(body.status());
    return JsonReply({{"assignment", request.PathParam("id")}, {"value", (*body)["value"]}});
  });
  router.Post("/upload", [](Request& request) {
    return JsonReply({{"bytes", request.body().size()}});
  }, RouteOptions{.max_body_bytes = 4 * 1024 * 1024});
  return router;
}

TEST(ServerTest, RoutesToHandlerWithTypedPathParamAndDecodedQuery) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  auto r = client.Get("/api/v1/projects/42?q=a%20b+c");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Content-Type"), "application/json");
  EXPECT_EQ(r->Json(), (nlohmann::json{{"id", 42}, {"q", "a b c"}}));
}

TEST(ServerTest, PostsJsonBodyToParameterizedRoute) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  auto r = client.PostJson("/api/v1/assignments/abc/answer", {{"value", "cat"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Json(), (nlohmann::json{{"assignment", "abc"}, {"value", "cat"}}));
}

TEST(ServerTest, UnknownPathIs404JsonError) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  auto r = client.Get("/api/v1/nope");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->Json()["error"]["code"], "not_found");
  EXPECT_EQ(r->Json()["error"]["message"], "no route for GET /api/v1/nope");
}

TEST(ServerTest, NonIntegerForIntParamIs404) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  auto r = client.Get("/api/v1/projects/abc");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
}

TEST(ServerTest, WrongMethodIs405WithAllowHeader) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  auto r = client.Delete("/api/v1/projects/7");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(r->Json()["error"]["code"], "method_not_allowed");
}

TEST(ServerTest, MalformedJsonIs400NamingTheBody) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  auto r = client.Post("/api/v1/assignments/1/answer", "{\"value\": ", {{"Content-Type", "application/json"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->Json()["error"]["code"], "invalid_argument");
  EXPECT_EQ(r->Json()["error"]["field"], "body");
  EXPECT_NE(r->Json()["error"]["message"].get<std::string>().find("malformed JSON"),
            std::string::npos);
}

TEST(ServerTest, BodyOverTheDefaultLimitIs413BeforeTheHandlerRuns) {
  std::atomic<int> calls{0};
  Router router;
  router.Post("/json", [&calls](Request&) {
    ++calls;
    return NoContentReply();
  });
  RunningServer s(std::move(router));
  HttpClient client = s.Client();
  auto r = client.Post("/json", std::string(kJsonBodyLimitBytes + 1, 'x'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Json()["error"]["code"], "payload_too_large");
  EXPECT_FALSE(r->keep_alive);
  EXPECT_EQ(calls.load(), 0);
}

TEST(ServerTest, ChunkedBodyOverTheLimitIs413) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  const std::string chunk(512 * 1024, 'x');
  std::string request =
      "POST /api/v1/assignments/1/answer HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) request += "80000\r\n" + chunk + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(client.WriteRaw(request).ok());
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
}

TEST(ServerTest, RouteWithLargerLimitAcceptsLargerBody) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  auto r = client.Post("/upload", std::string(3 * 1024 * 1024, 'x'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Json()["bytes"], 3 * 1024 * 1024);
}

TEST(ServerTest, ExpectContinueGetsTheBodyThrough) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  ASSERT_TRUE(client
                  .WriteRaw("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                            "Expect: 100-continue\r\n\r\n")
                  .ok());
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim.ok()) << interim.status().ToString();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.WriteRaw("hello").ok());
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Json()["bytes"], 5);
}

TEST(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  for (int i = 0; i < 20; ++i) {
    auto r = client.Get("/hello");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(r->keep_alive);
  }
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  ASSERT_TRUE(client
                  .WriteRaw("GET /api/v1/projects/1 HTTP/1.1\r\nHost: t\r\n\r\n"
                            "GET /api/v1/projects/2 HTTP/1.1\r\nHost: t\r\n\r\n"
                            "GET /api/v1/projects/3 HTTP/1.1\r\nHost: t\r\n\r\n")
                  .ok());
  for (int id = 1; id <= 3; ++id) {
    auto r = client.ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->Json()["id"], id);
  }
}

TEST(ServerTest, HeadOnGetRouteSendsHeadersWithoutBody) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  auto r = client.Send(beast_http::verb::head, "/hello");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->Header("Content-Length"), std::to_string(nlohmann::json{{"hello", "world"}}.dump().size()));
  auto after = client.Get("/hello");  // the connection is still in sync
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->Json()["hello"], "world");
}

TEST(ServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions options = TestOptions();
  options.idle_timeout = 200ms;
  RunningServer s(EchoRouter(), options);
  HttpClient client = s.Client();
  ASSERT_TRUE(client.Get("/hello").ok());
  EXPECT_EQ(s.server().open_connections(), 1u);
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(s.server().open_connections(), 0u);
  auto r = client.ReadResponse();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "closed");
}

TEST(ServerTest, ConnectionThatNeverSendsIsClosedAfterHeaderTimeout) {
  ServerOptions options = TestOptions();
  options.header_timeout = 200ms;
  RunningServer s(EchoRouter(), options);
  HttpClient client = s.Client();
  ASSERT_TRUE(client.WriteRaw("").ok());  // connect only
  auto r = client.ReadResponse();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "closed");
}

TEST(ServerTest, TricklingHeaderIsCutOffByHeaderTimeout) {
  ServerOptions options = TestOptions();
  options.header_timeout = 300ms;
  RunningServer s(EchoRouter(), options);
  HttpClient client = s.Client();
  const auto start = std::chrono::steady_clock::now();
  const std::string header = "GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa";
  Status write_status;
  for (char c : header) {
    write_status = client.WriteRaw(std::string(1, c));
    if (!write_status.ok()) break;
    std::this_thread::sleep_for(40ms);
    if (std::chrono::steady_clock::now() - start > 2s) break;
  }
  auto r = client.ReadResponse();
  // Either the 408 arrived or the connection was already closed; it must not be served.
  if (r.ok()) {
    EXPECT_EQ(r->status, 408);
  } else {
    EXPECT_EQ(r.status().message(), "closed");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(ServerTest, OversizedHeaderIs431) {
  ServerOptions options = TestOptions();
  options.max_header_bytes = 1024;
  RunningServer s(EchoRouter(), options);
  HttpClient client = s.Client();
  auto r = client.Get("/hello", {{"X-Big", std::string(2048, 'a')}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 431);
}

TEST(ServerTest, GarbageRequestLineIs400) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  ASSERT_TRUE(client.WriteRaw("HELLO\r\n\r\n").ok());
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
}

TEST(ServerTest, ThrowingHandlerIs500AndTheConnectionSurvives) {
  Router router;
  router.Get("/boom", [](Request&) -> Response { throw std::runtime_error("kaput"); });
  router.Get("/ok", [](Request&) { return NoContentReply(); });
  RunningServer s(std::move(router));
  HttpClient client = s.Client();
  auto r = client.Get("/boom");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->Json()["error"]["code"], "internal");
  auto ok = client.Get("/ok");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 204);
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(ServerTest, AsyncHandlerCompletesFromAnotherThread) {
  Router router;
  router.AddAsync(beast_http::verb::get, "/later", [](Request& request, Responder responder) {
    std::string name(request.query().Get("name").value_or("?"));
    std::thread([responder, name] {
      std::this_thread::sleep_for(20ms);
      responder.Send(JsonReply({{"name", name}}));
    }).detach();
  });
  RunningServer s(std::move(router));
  HttpClient client = s.Client();
  auto r = client.Get("/later?name=ada");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Json()["name"], "ada");
}

TEST(ServerTest, AsyncHandlerThatDropsItsResponderGets500) {
  Router router;
  router.AddAsync(beast_http::verb::get, "/forgot", [](Request&, Responder) {});
  RunningServer s(std::move(router));
  HttpClient client = s.Client();
  auto r = client.Get("/forgot");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 500);
}

TEST(ServerTest, StreamedBodyIsSentChunked) {
  Router router;
  router.Get("/export", [](Request&) {
    auto rows = std::make_shared<int>(0);
    return StreamReply("application/x-ndjson", [rows](std::string& chunk, bool& done) {
      chunk = "{\"row\":" + std::to_string((*rows)++) + "}\n";
      done = *rows == 1000;
      return Status::Ok();
    });
  });
  RunningServer s(std::move(router));
  HttpClient client = s.Client();
  auto r = client.Get("/export");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(r->Header("Content-Type"), "application/x-ndjson");
  std::string expected;
  for (int i = 0; i < 1000; ++i) expected += "{\"row\":" + std::to_string(i) + "}\n";
  EXPECT_EQ(r->body, expected);
  EXPECT_TRUE(client.Get("/export").ok());  // keep-alive survives a chunked response
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(ServerTest, FailingStreamTruncatesTheTransfer) {
  Router router;
  router.Get("/export", [](Request&) {
    auto calls = std::make_shared<int>(0);
    return StreamReply("text/plain", [calls](std::string& chunk, bool&) {
      if ((*calls)++ > 2) return Status::Unavailable("database went away");
      chunk = "row\n";
      return Status::Ok();
    });
  });
  RunningServer s(std::move(router));
  HttpClient client = s.Client();
  auto r = client.Get("/export");
  EXPECT_FALSE(r.ok());
}

TEST(ServerTest, GracefulShutdownFinishesInFlightRequestAndClosesIdleOnes) {
  std::promise<void> entered;
  Router router;
  router.Get("/slow", [&entered](Request&) {
    entered.set_value();
    std::this_thread::sleep_for(300ms);
    return JsonReply({{"done", true}});
  });
  router.Get("/hello", [](Request&) { return NoContentReply(); });
  RunningServer s(std::move(router));
  HttpClient idle = s.Client();
  ASSERT_TRUE(idle.Get("/hello").ok());

  auto in_flight = std::async(std::launch::async, [&s] { return s.Client().Get("/slow"); });
  entered.get_future().wait();
  s.server().Shutdown();
  s.server().Wait();

  Result<HttpResponse> r = in_flight.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Json()["done"], true);
  EXPECT_FALSE(r->keep_alive);
  EXPECT_EQ(s.server().open_connections(), 0u);
  auto late = idle.ReadResponse();
  EXPECT_FALSE(late.ok());
}

TEST(ServerTest, GracefulShutdownDeliversAnAsyncHandlersLateResponse) {
  std::promise<void> entered;
  Router router;
  router.AddAsync(beast_http::verb::post, "/commit", [&entered](Request&, Responder responder) {
    std::thread([responder] {
      std::this_thread::sleep_for(300ms);  // like a group commit finishing after SIGTERM
      responder.Send(JsonReply({{"committed", true}}));
    }).detach();
    entered.set_value();
  });
  RunningServer s(std::move(router));
  auto in_flight = std::async(std::launch::async, [&s] { return s.Client().Post("/commit", "{}"); });
  entered.get_future().wait();
  s.server().Shutdown();
  s.server().Wait();
  Result<HttpResponse> r = in_flight.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Json()["committed"], true);
}

TEST(ServerTest, NoNewConnectionsAfterShutdown) {
  RunningServer s(EchoRouter());
  s.server().Shutdown();
  s.server().Wait();
  HttpClient client = s.Client(1s);
  EXPECT_FALSE(client.Get("/hello").ok());
}

TEST(ServerTest, ShutdownGraceBoundsAStuckHandler) {
  Router router;
  router.AddAsync(beast_http::verb::get, "/stuck", [](Request&, Responder responder) {
    // Holds the responder well past the grace period, like a wedged database call.
    std::thread([responder] { std::this_thread::sleep_for(1500ms); }).detach();
  });
  ServerOptions options = TestOptions();
  options.shutdown_grace = 200ms;
  auto server = std::make_unique<Server>(options, std::move(router));
  ASSERT_TRUE(server->Start().ok());
  auto pending = std::async(std::launch::async, [port = server->port()] {
    return HttpClient("127.0.0.1", port, 5s).Get("/stuck");
  });
  std::this_thread::sleep_for(100ms);
  const auto start = std::chrono::steady_clock::now();
  server->Shutdown();
  server->Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1200ms);
  EXPECT_FALSE(pending.get().ok());
  std::this_thread::sleep_for(1500ms);  // the detached thread lets go of the responder
}

TEST(ServerTest, StartFailsOnAPortInUse) {
  RunningServer first(EchoRouter());
  ServerOptions options = TestOptions();
  options.port = first.server().port();
  Server second(options, EchoRouter());
  Status status = second.Start();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
}

TEST(ServerTest, StartRefusesARouterWithARegistrationError) {
  Router router;
  router.Get("no-slash", [](Request&) { return NoContentReply(); });
  Server server(TestOptions(), std::move(router));
  EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
}

// --- Framing: a request is framed one way only, so no second request hides in a body. ---

// "chunked, identity" used to be read as a request without a body, so the bytes after the
// header ran as a second request the front end never saw.
TEST(ServerTest, TransferEncodingOtherThanChunkedIsRefusedAndNothingElseRuns) {
  std::atomic<int> answered{0};
  Router router = EchoRouter();
  router.Get("/smuggled", [&answered](Request&) {
    ++answered;
    return NoContentReply();
  });
  RunningServer s(std::move(router));
  HttpClient client = s.Client();
  ASSERT_TRUE(client
                  .WriteRaw("POST /upload HTTP/1.1\r\nHost: t\r\n"
                            "Transfer-Encoding: chunked, identity\r\n\r\n"
                            "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n")
                  .ok());
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->Json()["error"]["field"], "Transfer-Encoding");
  EXPECT_FALSE(client.ReadResponse().ok()) << "the connection must close after the refusal";
  EXPECT_EQ(answered.load(), 0);
}

TEST(ServerTest, ChunkedTogetherWithContentLengthIsRefused) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  ASSERT_TRUE(client
                  .WriteRaw("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                  .ok());
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
}

TEST(ServerTest, MissingOrRepeatedHostIsRefused) {
  RunningServer s(EchoRouter());
  for (const char* request : {"GET /hello HTTP/1.1\r\n\r\n",
                              "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"}) {
    HttpClient client = s.Client();
    ASSERT_TRUE(client.WriteRaw(request).ok());
    auto r = client.ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 400) << request;
    EXPECT_EQ(r->Json()["error"]["field"], "Host");
  }
  HttpClient old = s.Client();
  ASSERT_TRUE(old.WriteRaw("GET /hello HTTP/1.0\r\n\r\n").ok());
  auto r = old.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200) << "HTTP/1.0 has no Host requirement";
}

TEST(ServerTest, TwoContentLengthsAreRefused) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  ASSERT_TRUE(client
                  .WriteRaw("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
                            "Content-Length: 2\r\n\r\nab")
                  .ok());
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
}

// --- Limits per client and for the whole server. ---

TEST(ServerTest, RequestsBeyondTheRateAre429WithRetryAfter) {
  ServerOptions options = TestOptions();
  options.client_limits.requests_per_second = 1;
  options.client_limits.burst = 3;
  RunningServer s(EchoRouter(), options);
  int ok = 0;
  Result<HttpResponse> last = Status::Internal("none");
  for (int i = 0; i < 5; ++i) {
    HttpClient client = s.Client();
    last = client.Get("/hello");
    ASSERT_TRUE(last.ok()) << last.status().ToString();
    if (last->status == 200) ++ok;
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(last->status, 429);
  EXPECT_EQ(last->Json()["error"]["code"], "resource_exhausted");
  EXPECT_GE(std::stoi(last->Header("Retry-After")), 1);
}

TEST(ServerTest, ConnectionsBeyondThePerClientLimitAreRefused) {
  ServerOptions options = TestOptions();
  options.client_limits.max_connections_per_address = 2;
  RunningServer s(EchoRouter(), options);
  HttpClient a = s.Client();
  HttpClient b = s.Client();
  ASSERT_EQ(a.Get("/hello")->status, 200);
  ASSERT_EQ(b.Get("/hello")->status, 200);
  HttpClient c = s.Client();
  auto refused = c.Get("/hello");
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->Header("Retry-After"), "1");
  a.Close();
  for (int i = 0; i < 50 && s.server().open_connections() > 1; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  HttpClient d = s.Client();
  EXPECT_EQ(d.Get("/hello")->status, 200) << "a closed connection frees its slot";
}

TEST(ServerTest, ForwardedForIsBelievedOnlyFromATrustedProxy) {
  auto who = [] {
    Router router;
    router.Get("/who",
               [](Request& request) { return JsonReply({{"client", request.client_address()}}); });
    return router;
  };
  ServerOptions options = TestOptions();
  RunningServer untrusted(who(), options);
  HttpClient client = untrusted.Client();
  EXPECT_EQ(client.Get("/who", {{"X-Forwarded-For", "203.0.113.9"}})->Json()["client"],
            "127.0.0.1");
  options.trusted_proxies = {"127.0.0.1"};
  RunningServer proxied(who(), options);
  HttpClient via = proxied.Client();
  EXPECT_EQ(via.Get("/who", {{"X-Forwarded-For", "198.51.100.7, 203.0.113.9"}})->Json()["client"],
            "203.0.113.9");
  EXPECT_EQ(via.Get("/who")->Json()["client"], "127.0.0.1");
}

TEST(ServerTest, BodiesBeyondTheInflightBudgetAre503BeforeBeingRead) {
  ServerOptions options = TestOptions();
  options.max_inflight_body_bytes = 1024 * 1024;
  RunningServer s(EchoRouter(), options);
  HttpClient client = s.Client();
  auto big = client.Post("/upload", std::string(2 * 1024 * 1024, 'x'));
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->status, 503);
  EXPECT_EQ(big->Header("Retry-After"), "1");
  HttpClient again = s.Client();
  auto small = again.Post("/upload", std::string(512 * 1024, 'x'));
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->status, 200) << "a refused body reserves nothing";
  auto next = again.Post("/upload", std::string(900 * 1024, 'x'));
  EXPECT_EQ(next->status, 200) << "a finished request gives its bytes back";
}

TEST(ServerTest, HeaderGateRefusesBeforeTheBodyIsRead) {
  std::atomic<int> calls{0};
  Router router;
  router.Post(
      "/gated",
      [&calls](Request&) {
        ++calls;
        return NoContentReply();
      },
      RouteOptions{.max_body_bytes = 64 << 20,
                   .admit = [](const beast_http::request_header<>& header) -> Status {
                     if (header[beast_http::field::authorization] == "Bearer good") {
                       return Status::Ok();
                     }
                     return Status::Unauthenticated("no");
                   }});
  RunningServer s(std::move(router));
  HttpClient client = s.Client(2s);
  // Only the header is sent: the refusal must come without waiting for 32 MiB of body.
  ASSERT_TRUE(client
                  .WriteRaw("POST /gated HTTP/1.1\r\nHost: t\r\nContent-Length: 33554432\r\n\r\n")
                  .ok());
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(calls.load(), 0);
  HttpClient good = s.Client();
  EXPECT_EQ(good.Post("/gated", "x", {{"Authorization", "Bearer good"}})->status, 204);
}

TEST(ServerTest, EveryResponseCarriesTheSecurityHeaders) {
  RunningServer s(EchoRouter());
  HttpClient client = s.Client();
  for (const char* path : {"/hello", "/nowhere"}) {
    auto r = client.Get(path);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Header("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(r->Header("Cache-Control"), "no-store") << path;
    EXPECT_EQ(r->Header("Referrer-Policy"), "no-referrer") << path;
    EXPECT_EQ(r->Header("X-Frame-Options"), "DENY") << path;
    EXPECT_EQ(r->Header("Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'")
        << path;
  }
}

TEST(ParseListenAddressTest, AcceptsHostAndPort) {
  ServerOptions options;
  ASSERT_TRUE(ParseListenAddress("0.0.0.0:9090", &options).ok());
  EXPECT_EQ(options.address, "0.0.0.0");
  EXPECT_EQ(options.port, 9090);
}

TEST(ParseListenAddressTest, AcceptsBracketedIpv6) {
  ServerOptions options;
  ASSERT_TRUE(ParseListenAddress("[::1]:8080", &options).ok());
  EXPECT_EQ(options.address, "::1");
}

TEST(ParseListenAddressTest, LocalhostIsTheLoopbackAddress) {
  ServerOptions options;
  ASSERT_TRUE(ParseListenAddress("localhost:8080", &options).ok());
  EXPECT_EQ(options.address, "127.0.0.1");
  EXPECT_EQ(options.port, 8080);
  Status other = ParseListenAddress("example.org:8080", &options, "--listen");
  EXPECT_EQ(other.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(other.message().find("give one, e.g. 127.0.0.1"), std::string::npos);
}

TEST(ParseListenAddressTest, RejectsMissingPortNamingTheField) {
  ServerOptions options;
  Status status = ParseListenAddress("127.0.0.1", &options, "--listen");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.field(), "--listen");
}

}  // namespace
}  // namespace tinydata::http
