#include "tinydata/core/json.h"

#include <gtest/gtest.h>

#include <string>

namespace tinydata {
namespace {

std::string Nested(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

TEST(JsonTest, CountsNestingOutsideStrings) {
  EXPECT_EQ(JsonNestingDepth("{\"a\": [1, {\"b\": 2}]}"), 3);
  EXPECT_EQ(JsonNestingDepth("\"[[[[\""), 0);
  EXPECT_EQ(JsonNestingDepth("[\"\\\"[[\"]"), 1);
}

TEST(JsonTest, StopsCountingPastTheLimit) {
  EXPECT_EQ(JsonNestingDepth(Nested(100'000), 64), 65);
}

TEST(JsonTest, AcceptsTheLimitAndRefusesDeeper) {
  EXPECT_TRUE(ParseJson(Nested(kMaxJsonDepth), "body").ok());
  const Result<nlohmann::json> deep = ParseJson(Nested(66'000), "body");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(deep.status().field(), "body");
  EXPECT_NE(deep.status().message().find("nested deeper than 64"), std::string::npos);
}

TEST(JsonTest, MalformedTextNamesTheField) {
  const Result<nlohmann::json> bad = ParseJson("{\"a\": ", "file");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "file");
  EXPECT_EQ(bad.status().message().rfind("malformed JSON: ", 0), 0u);
}

TEST(JsonTest, InvalidUtf8InAStringIsMalformed) {
  EXPECT_FALSE(ParseJson("\"\xff\"", "body").ok());
  EXPECT_FALSE(ParseJson("\"\xc0\xaf\"", "body").ok());
}

TEST(JsonTest, HugeNumbersAreAnErrorNotAnException) {
  EXPECT_FALSE(ParseJson("1e999", "body").ok());
}

TEST(JsonTest, Utf8ValidationFollowsRfc3629) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_EQ(FirstInvalidUtf8("ok\xff"), 2u);
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_TRUE(IsValidUtf8(std::string("a\0b", 3)));
}

TEST(JsonTest, DumpReplacesInvalidUtf8InsteadOfThrowing) {
  EXPECT_EQ(DumpJson(nlohmann::json("a\xff")), "\"a\xef\xbf\xbd\"");
}

}  // namespace
}  // namespace tinydata
