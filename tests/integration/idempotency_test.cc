// Idempotent answers: a retry with the same Idempotency-Key returns the first response, also
// after a restart; another key for an answered assignment, or a key already used for another
// assignment, is a conflict; nothing is counted twice.
#include "api_fixture.h"

namespace tinydata::test {
namespace {

using nlohmann::json;

class IdempotencyTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    requester_ = Register("req@example.org", "requester");
    project_ = CreateProject(requester_, CatDogProject(3, 3));
    ImportJsonl(requester_, project_, R"({"data": {"text": "a"}})" "\n");
    annotator_ = Register("ann@example.org");
    json leased = NextTask(annotator_, project_);
    ASSERT_FALSE(leased.is_null());
    assignment_ = leased["assignment"]["id"].get<int64_t>();
  }
  int64_t AnswerCount() {
    HttpClient owner = ClientFor(requester_);
    return Expect(owner.Get("/api/v1/projects/" + std::to_string(project_) + "/stats"), 200,
                  "stats")["answers"]
        .get<int64_t>();
  }

  Account requester_;
  Account annotator_;
  int64_t project_ = 0;
  int64_t assignment_ = 0;
};

TEST_F(IdempotencyTest, RetryWithTheSameKeyReturnsTheFirstResponse) {
  auto first = Answer(annotator_, assignment_, "cat", "key-1");
  auto retry = Answer(annotator_, assignment_, "cat", "key-1");
  ASSERT_TRUE(first.ok() && retry.ok());
  EXPECT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(retry->status, 200) << retry->body;
  EXPECT_EQ(retry->body, first->body);
  EXPECT_EQ(AnswerCount(), 1);
}

TEST_F(IdempotencyTest, RetryWithAnotherValueStillReturnsTheFirstResponse) {
  auto first = Answer(annotator_, assignment_, "cat", "key-1");
  auto retry = Answer(annotator_, assignment_, "dog", "key-1");
  ASSERT_TRUE(first.ok() && retry.ok());
  EXPECT_EQ(retry->body, first->body);
  EXPECT_EQ(AnswerCount(), 1);
}

TEST_F(IdempotencyTest, AnotherKeyForAnAnsweredAssignmentIsAConflict) {
  Expect(Answer(annotator_, assignment_, "cat", "key-1"), 200, "first");
  ExpectError(Answer(annotator_, assignment_, "cat", "key-2"), 409, "second key");
  EXPECT_EQ(AnswerCount(), 1);
}

// The key of an answer to one assignment, sent with an answer to another, used to return the
// first answer's 200 and silently store nothing.
TEST_F(IdempotencyTest, AKeyReusedForAnotherAssignmentIsRefusedNamingTheHeader) {
  ImportJsonl(requester_, project_, R"({"data": {"text": "b"}})" "\n");
  Expect(Answer(annotator_, assignment_, "cat", "key-1"), 200, "first");
  json second = NextTask(annotator_, project_);
  ASSERT_FALSE(second.is_null());
  const int64_t other = second["assignment"]["id"].get<int64_t>();
  json error = ExpectError(Answer(annotator_, other, "dog", "key-1"), 409, "reused key");
  EXPECT_EQ(error["field"], "Idempotency-Key");
  EXPECT_EQ(AnswerCount(), 1);
  Expect(Answer(annotator_, other, "dog", "key-2"), 200, "a fresh key answers it");
  EXPECT_EQ(AnswerCount(), 2);
}

TEST_F(IdempotencyTest, RetryAfterARestartReturnsTheStoredResponse) {
  auto first = Answer(annotator_, assignment_, "cat", "key-1");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->status, 200) << first->body;
  Result<int> stopped = server().Stop();
  ASSERT_TRUE(stopped.ok() && *stopped == 0) << server().log_text();
  ASSERT_TRUE(server().Restart().ok()) << server().log_text();
  auto retry = Answer(annotator_, assignment_, "cat", "key-1");
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->status, 200) << retry->body;
  EXPECT_EQ(retry->body, first->body);
  EXPECT_EQ(AnswerCount(), 1);
}

}  // namespace
}  // namespace tinydata::test
