#include "tinydata/http/reply.h"

#include <gtest/gtest.h>

namespace tinydata::http {
namespace {

TEST(HttpStatusForTest, MapsEveryCodeAsDocumented) {
  using S = beast_http::status;
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), S::bad_request);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), S::unauthorized);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), S::forbidden);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), S::not_found);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), S::conflict);
  EXPECT_EQ(HttpStatusFor(StatusCode::kConflict), S::conflict);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAborted), S::service_unavailable);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), S::conflict);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), S::too_many_requests);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDataLoss), S::internal_server_error);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), S::internal_server_error);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), S::service_unavailable);
}

TEST(ErrorReplyTest, BodyHasCodeMessageAndField) {
  Response r = ErrorReply(Status::InvalidArgument("must be >= 1", "overlap.min_answers"));
  EXPECT_EQ(r.status, beast_http::status::bad_request);
  EXPECT_EQ(r.headers[beast_http::field::content_type], "application/json");
  EXPECT_EQ(nlohmann::json::parse(r.body),
            (nlohmann::json{{"error",
                             {{"code", "invalid_argument"},
                              {"message", "must be >= 1"},
                              {"field", "overlap.min_answers"}}}}));
}

TEST(ErrorReplyTest, FieldIsOmittedWhenTheStatusNamesNone) {
  Response r = ErrorReply(Status::NotFound("project 7 not found"));
  EXPECT_FALSE(nlohmann::json::parse(r.body)["error"].contains("field"));
}

TEST(ErrorReplyTest, UnauthenticatedAsksForBearer) {
  Response r = ErrorReply(Status::Unauthenticated("missing token"));
  EXPECT_EQ(r.status, beast_http::status::unauthorized);
  EXPECT_EQ(r.headers[beast_http::field::www_authenticate], "Bearer");
}

TEST(ErrorReplyTest, OkStatusBecomesInternalError) {
  Response r = ErrorReply(Status::Ok());
  EXPECT_EQ(r.status, beast_http::status::internal_server_error);
}

TEST(JsonReplyTest, InvalidUtf8IsReplacedNotThrown) {
  Response r = JsonReply({{"s", std::string("a\xff")}});
  EXPECT_EQ(r.body, "{\"s\":\"a\xEF\xBF\xBD\"}");
}

}  // namespace
}  // namespace tinydata::http
