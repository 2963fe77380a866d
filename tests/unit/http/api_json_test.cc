#include "tinydata/http/api_json.h"

#include <gtest/gtest.h>

namespace tinydata::http {
namespace {

using nlohmann::json;

TEST(JsonObjectReaderTest, MissingRequiredMemberIsNamed) {
  const json body = {{"a", 1}};
  Result<std::string> s = JsonObjectReader(body).String("email");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().field(), "email");
  EXPECT_EQ(s.status().message(), "is required");
}

TEST(JsonObjectReaderTest, WrongTypeNamesTheTypes) {
  const json body = {{"email", 5}};
  Result<std::string> s = JsonObjectReader(body).String("email");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "must be a string, got number");
}

TEST(JsonObjectReaderTest, NestedReaderNamesTheFullPath) {
  const json body = {{"overlap", {{"max_answers", "x"}}}};
  JsonObjectReader root(body);
  Result<const json*> overlap = root.Object("overlap");
  ASSERT_TRUE(overlap.ok());
  Result<int64_t> max = root.Nested("overlap", **overlap).Int("max_answers");
  ASSERT_FALSE(max.ok());
  EXPECT_EQ(max.status().field(), "overlap.max_answers");
}

TEST(JsonObjectReaderTest, IntegralFloatIsAnInteger) {
  const json body = {{"n", 3.0}, {"f", 3.5}};
  EXPECT_EQ(*JsonObjectReader(body).Int("n"), 3);
  EXPECT_FALSE(JsonObjectReader(body).Int("f").ok());
}

TEST(JsonObjectReaderTest, NullOptionalMemberIsAbsent) {
  const json body = {{"name", nullptr}};
  Result<std::optional<std::string>> name = JsonObjectReader(body).OptionalString("name");
  ASSERT_TRUE(name.ok());
  EXPECT_FALSE(name->has_value());
}

TEST(JsonObjectReaderTest, UnknownMemberIsNamed) {
  const json body = {{"email", "a"}, {"emial", "b"}};
  Status s = JsonObjectReader(body).RejectUnknown({"email"});
  EXPECT_EQ(s.field(), "emial");
}

TEST(JsonObjectReaderTest, HugeUnsignedIsOutOfRange) {
  const json body = {{"n", 18446744073709551615ull}};
  Result<int64_t> n = JsonObjectReader(body).Int("n");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(), "is out of range");
}

}  // namespace
}  // namespace tinydata::http
