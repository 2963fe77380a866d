#include "tinydata/core/status.h"

#include <gtest/gtest.h>

#include <string>

namespace tinydata {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument("must be positive", "v");
  return v;
}

Result<int> DoubleIt(int v) {
  TD_ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return 2 * x;
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, ToStringNamesCodeMessageAndField) {
  Status s = Status::InvalidArgument("must be positive", "reward");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "invalid_argument: must be positive (field: reward)");
}

TEST(ResultTest, AssignOrReturnPropagatesTheError) {
  EXPECT_EQ(DoubleIt(4).value(), 8);
  Result<int> r = DoubleIt(-1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().field(), "v");
}

}  // namespace
}  // namespace tinydata
