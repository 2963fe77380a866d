#include "tinydata/http/request.h"

#include <gtest/gtest.h>

#include <string>

namespace tinydata::http {
namespace {

Request WithHeader(beast_http::field name, std::string value) {
  Request::Message message{beast_http::verb::get, "/", 11};
  message.set(name, value);
  return Request(std::move(message), "/", {});
}

Request WithBody(std::string body) {
  Request::Message message{beast_http::verb::post, "/", 11};
  message.body() = std::move(body);
  return Request(std::move(message), "/", {});
}

TEST(PercentDecodeTest, DecodesEscapesAndKeepsPlusInPaths) {
  EXPECT_EQ(*PercentDecode("a%20b+c%2Fd", false), "a b+c/d");
}

TEST(PercentDecodeTest, TurnsPlusIntoSpaceInQueries) {
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
}

TEST(PercentDecodeTest, RejectsTruncatedEscape) {
  EXPECT_FALSE(PercentDecode("abc%2", false).ok());
}

TEST(PercentDecodeTest, RejectsNonHexEscape) {
  EXPECT_FALSE(PercentDecode("%zz", false).ok());
}

TEST(QueryParamsTest, ParsesPairsInOrderWithRepeatsAndBareNames) {
  auto q = QueryParams::Parse("tag=a&tag=b%21&flag&empty=");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->GetAll("tag"), (std::vector<std::string_view>{"a", "b!"}));
  EXPECT_EQ(q->Get("flag"), "");
  EXPECT_EQ(q->Get("empty"), "");
  EXPECT_FALSE(q->Get("missing").has_value());
}

TEST(QueryParamsTest, MalformedEscapeNamesTheQuery) {
  auto q = QueryParams::Parse("a=%G1");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().field(), "query");
}

TEST(QueryParamsTest, GetIntUsesFallbackWhenAbsent) {
  auto q = QueryParams::Parse("limit=25");
  EXPECT_EQ(*q->GetInt("limit", 10), 25);
  EXPECT_EQ(*q->GetInt("after", 0), 0);
}

TEST(QueryParamsTest, GetIntRejectsNonNumberNamingTheParameter) {
  auto q = QueryParams::Parse("limit=ten");
  Result<int64_t> limit = q->GetInt("limit", 10);
  ASSERT_FALSE(limit.ok());
  EXPECT_EQ(limit.status().field(), "limit");
}

TEST(ParseJsonBodyTest, ParsesAnObject) {
  auto json = ParseJsonBody(WithBody(R"({"value": [1, 2]})"));
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)["value"][1], 2);
}

TEST(ParseJsonBodyTest, MalformedJsonNamesThePosition) {
  auto json = ParseJsonBody(WithBody(R"({"value": })"));
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(json.status().field(), "body");
  EXPECT_NE(json.status().message().find("malformed JSON: parse error at line 1, column 11"),
            std::string::npos)
      << json.status().message();
}

TEST(ParseJsonBodyTest, EmptyBodyIsRejected) {
  auto json = ParseJsonBody(WithBody("  \n"));
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("empty"), std::string::npos);
}

TEST(ParseJsonBodyTest, NonObjectIsRejected) {
  auto json = ParseJsonBody(WithBody("[1]"));
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().message(), "expected a JSON object, got array");
}

TEST(ParseJsonBodyTest, DeepNestingIsRejectedBeforeParsing) {
  auto json = ParseJsonBody(WithBody(std::string(100000, '[') + std::string(100000, ']')));
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("nested deeper than 64"), std::string::npos);
}

TEST(ParseJsonBodyTest, BracketsInsideStringsDoNotCountAsNesting) {
  auto json = ParseJsonBody(WithBody("{\"s\": \"" + std::string(200, '[') + "\\\"\"}"));
  EXPECT_TRUE(json.ok()) << json.status().ToString();
}

// The token is a view into the request, so each test keeps its request alive.
TEST(BearerTokenTest, ExtractsTheTokenCaseInsensitively) {
  const Request request = WithHeader(beast_http::field::authorization, "bearer abc123");
  auto token = BearerToken(request);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, "abc123");
}

TEST(BearerTokenTest, MissingHeaderIsUnauthenticated) {
  const Request request = WithHeader(beast_http::field::accept, "*/*");
  auto token = BearerToken(request);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
}

TEST(BearerTokenTest, OtherSchemeIsUnauthenticated) {
  const Request request = WithHeader(beast_http::field::authorization, "Basic dXNlcjpwYXNz");
  auto token = BearerToken(request);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
}

TEST(BearerTokenTest, EmptyTokenIsUnauthenticated) {
  const Request request = WithHeader(beast_http::field::authorization, "Bearer   ");
  auto token = BearerToken(request);
  EXPECT_FALSE(token.ok());
}

beast_http::request_header<> Header(unsigned version,
                                   std::vector<std::pair<std::string, std::string>> fields) {
  beast_http::request_header<> h;
  h.version(version);
  for (auto& [name, value] : fields) h.insert(name, value);
  return h;
}

TEST(RequestFramingTest, AcceptsTheUsualShapes) {
  EXPECT_TRUE(CheckRequestFraming(Header(11, {{"Host", "a"}})).ok());
  EXPECT_TRUE(CheckRequestFraming(Header(11, {{"Host", "a"}, {"Content-Length", "3"}})).ok());
  EXPECT_TRUE(
      CheckRequestFraming(Header(11, {{"Host", "a"}, {"Transfer-Encoding", " Chunked "}})).ok());
  EXPECT_TRUE(CheckRequestFraming(Header(10, {})).ok());
}

TEST(RequestFramingTest, RefusesAmbiguousFramingNamingTheHeader) {
  auto field = [](beast_http::request_header<> h) { return CheckRequestFraming(h).field(); };
  EXPECT_EQ(field(Header(11, {})), "Host");
  EXPECT_EQ(field(Header(11, {{"Host", "a"}, {"Host", "b"}})), "Host");
  EXPECT_EQ(field(Header(10, {{"Host", "a"}, {"Host", "b"}})), "Host");
  EXPECT_EQ(field(Header(11, {{"Host", "a"}, {"Content-Length", "1"}, {"Content-Length", "1"}})),
            "Content-Length");
  EXPECT_EQ(field(Header(11, {{"Host", "a"}, {"Transfer-Encoding", "chunked, identity"}})),
            "Transfer-Encoding");
  EXPECT_EQ(field(Header(11, {{"Host", "a"}, {"Transfer-Encoding", "gzip"}})),
            "Transfer-Encoding");
  EXPECT_EQ(field(Header(11, {{"Host", "a"},
                               {"Transfer-Encoding", "chunked"},
                               {"Transfer-Encoding", "chunked"}})),
            "Transfer-Encoding");
  EXPECT_EQ(field(Header(11, {{"Host", "a"},
                               {"Transfer-Encoding", "chunked"},
                               {"Content-Length", "4"}})),
            "Content-Length");
}

}  // namespace
}  // namespace tinydata::http
