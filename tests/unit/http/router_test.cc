#include "tinydata/http/router.h"

#include <gtest/gtest.h>

namespace tinydata::http {
namespace {

using Kind = Router::Resolution::Kind;

Handler Named(std::string name) {
  return [name](Request&) { return TextReply(beast_http::status::ok, "text/plain", name); };
}

// Runs the resolved handler and returns its body, to see which route won.
std::string HandlerBody(const Router::Resolution& resolution) {
  std::string body;
  Request request;
  (*resolution.handler)(request, Responder([&body](Response r) { body = r.body; }));
  return body;
}

TEST(RouterTest, LiteralSegmentBeatsParameter) {
  Router router;
  router.Get("/api/v1/tasks/{id}", Named("by-id")).Get("/api/v1/tasks/next", Named("next"));
  EXPECT_EQ(HandlerBody(router.Resolve(beast_http::verb::get, "/api/v1/tasks/next")), "next");
  EXPECT_EQ(HandlerBody(router.Resolve(beast_http::verb::get, "/api/v1/tasks/x")), "by-id");
}

TEST(RouterTest, BindsParametersByName) {
  Router router;
  router.Post("/api/v1/assignments/{id:int}/answer", Named("answer"));
  auto r = router.Resolve(beast_http::verb::post, "/api/v1/assignments/17/answer");
  ASSERT_EQ(r.kind, Kind::kRoute);
  ASSERT_EQ(r.params.size(), 1u);
  EXPECT_EQ(r.params[0].first, "id");
  EXPECT_EQ(r.params[0].second, "17");
}

TEST(RouterTest, IntParameterOnlyMatchesIntegers) {
  Router router;
  router.Get("/p/{id:int}", Named("int"));
  EXPECT_EQ(router.Resolve(beast_http::verb::get, "/p/12x").kind, Kind::kNotFound);
}

TEST(RouterTest, IntParameterBeatsPlainParameter) {
  Router router;
  router.Get("/p/{slug}", Named("slug")).Get("/p/{id:int}", Named("int"));
  EXPECT_EQ(HandlerBody(router.Resolve(beast_http::verb::get, "/p/5")), "int");
  EXPECT_EQ(HandlerBody(router.Resolve(beast_http::verb::get, "/p/five")), "slug");
}

TEST(RouterTest, BacktracksWhenTheLiteralBranchDeadEnds) {
  Router router;
  router.Get("/a/next/x", Named("literal")).Get("/a/{id}/y", Named("param"));
  EXPECT_EQ(HandlerBody(router.Resolve(beast_http::verb::get, "/a/next/y")), "param");
}

TEST(RouterTest, SegmentsArePercentDecodedBeforeMatching) {
  Router router;
  router.Get("/files/{name}", Named("file"));
  auto r = router.Resolve(beast_http::verb::get, "/files/a%2Fb%20c");
  ASSERT_EQ(r.kind, Kind::kRoute);
  EXPECT_EQ(r.params[0].second, "a/b c");
  EXPECT_EQ(r.path, "/files/a/b c");
}

TEST(RouterTest, WrongMethodListsAllowedMethods) {
  Router router;
  router.Get("/p/{id}", Named("get")).Patch("/p/{id}", Named("patch"));
  auto r = router.Resolve(beast_http::verb::post, "/p/1");
  EXPECT_EQ(r.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(r.allow, "GET, HEAD, OPTIONS, PATCH");
}

TEST(RouterTest, HeadFallsBackToGet) {
  Router router;
  router.Get("/x", Named("get"));
  EXPECT_EQ(HandlerBody(router.Resolve(beast_http::verb::head, "/x")), "get");
}

TEST(RouterTest, OptionsOnAKnownPathListsMethods) {
  Router router;
  router.Post("/x", Named("post"));
  auto r = router.Resolve(beast_http::verb::options, "/x");
  EXPECT_EQ(r.kind, Kind::kOptions);
  EXPECT_EQ(r.allow, "OPTIONS, POST");
}

TEST(RouterTest, UnknownPathGoesToTheFallback) {
  Router router;
  router.Get("/api/v1/me", Named("me")).SetFallback(Named("static"));
  EXPECT_EQ(HandlerBody(router.Resolve(beast_http::verb::get, "/projects/7")), "static");
}

TEST(RouterTest, UnknownPathWithoutFallbackIsNotFound) {
  Router router;
  EXPECT_EQ(router.Resolve(beast_http::verb::get, "/nothing").kind, Kind::kNotFound);
}

TEST(RouterTest, TrailingSlashIsADifferentPath) {
  Router router;
  router.Get("/x", Named("x"));
  EXPECT_EQ(router.Resolve(beast_http::verb::get, "/x/").kind, Kind::kNotFound);
}

TEST(RouterTest, MalformedEscapeIsABadPath) {
  Router router;
  router.Get("/x/{id}", Named("x"));
  auto r = router.Resolve(beast_http::verb::get, "/x/%zz");
  EXPECT_EQ(r.kind, Kind::kBadPath);
  EXPECT_EQ(r.error.field(), "path");
}

TEST(RouterTest, RouteCarriesItsBodyLimit) {
  Router router;
  router.Post("/upload", Named("u"), RouteOptions{.max_body_bytes = kUploadBodyLimitBytes});
  EXPECT_EQ(router.Resolve(beast_http::verb::post, "/upload").max_body_bytes,
            kUploadBodyLimitBytes);
}

TEST(RouterTest, DuplicateRouteIsARegistrationError) {
  Router router;
  router.Get("/x/{id}", Named("a")).Get("/x/{other}", Named("b"));
  EXPECT_EQ(router.status().code(), StatusCode::kAlreadyExists);
}

TEST(RouterTest, MalformedPatternsAreRegistrationErrors) {
  for (const char* pattern : {"x", "/a/{id", "/a/{id:float}", "/a/{}", "/a/b{id}", "/{a}/{a}"}) {
    Router router;
    router.Get(pattern, Named("x"));
    EXPECT_EQ(router.status().code(), StatusCode::kInvalidArgument) << pattern;
  }
}

TEST(ResponderTest, OnlyTheFirstSendCounts) {
  int deliveries = 0;
  Responder responder([&deliveries](Response) { ++deliveries; });
  responder.Send(NoContentReply());
  responder.Send(NoContentReply());
  EXPECT_EQ(deliveries, 1);
}

TEST(ResponderTest, DroppingEveryCopyWithoutSendDelivers500) {
  beast_http::status status = beast_http::status::ok;
  { Responder responder([&status](Response r) { status = r.status; }); }
  EXPECT_EQ(status, beast_http::status::internal_server_error);
}

}  // namespace
}  // namespace tinydata::http
