// Durability: a server stopped (SIGTERM) or killed (SIGKILL) while annotators are answering
// loses nothing it acknowledged. Every acknowledged answer is still there after the restart:
// its retry with the same Idempotency-Key replays the very same response.
#include <atomic>
#include <functional>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "api_fixture.h"

namespace tinydata::test {
namespace {

using nlohmann::json;

struct Acknowledged {
  size_t annotator = 0;
  int64_t assignment = 0;
  std::string key;
  std::string body;
};

class RestartTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    requester_ = Register("req@example.org", "requester");
    project_ = CreateProject(requester_, CatDogProject(3, 3));
    std::string tasks;
    for (int i = 0; i < 400; ++i) tasks += R"({"data": {"n": )" + std::to_string(i) + "}}\n";
    ImportJsonl(requester_, project_, tasks);
    for (int i = 0; i < 3; ++i) annotators_.push_back(Register("ann" + std::to_string(i) + "@x.org"));
  }

  // Annotators answer as fast as they can until the server goes away; returns what the server
  // acknowledged. `interrupt` is called once `after` answers were acknowledged.
  std::vector<Acknowledged> AnswerUntilInterrupted(size_t after, const std::function<void()>& interrupt) {
    std::mutex mu;
    std::vector<Acknowledged> acknowledged;
    std::atomic<bool> stop{false};
    std::vector<std::thread> workers;
    for (size_t a = 0; a < annotators_.size(); ++a) {
      workers.emplace_back([&, a] {
        HttpClient client = ClientFor(annotators_[a]);
        for (int i = 0; !stop.load(); ++i) {
          auto next = client.Get("/api/v1/tasks/next?project_id=" + std::to_string(project_));
          if (!next.ok() || next->status != 200) return;
          const int64_t id = next->Json()["assignment"]["id"].get<int64_t>();
          const std::string key = "r-" + std::to_string(a) + "-" + std::to_string(i);
          auto answer = client.PostJson("/api/v1/assignments/" + std::to_string(id) + "/answer",
                                        {{"value", i % 2 ? "cat" : "dog"}},
                                        {{"Idempotency-Key", key}});
          if (!answer.ok() || answer->status != 200) return;
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.push_back({a, id, key, answer->body});
        }
      });
    }
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (acknowledged.size() >= after) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    interrupt();
    stop = true;
    for (std::thread& t : workers) t.join();
    return acknowledged;
  }

  void ExpectEveryAnswerReplays(const std::vector<Acknowledged>& acknowledged) {
    for (const Acknowledged& ack : acknowledged) {
      HttpClient client = ClientFor(annotators_[ack.annotator]);
      auto replay = client.PostJson("/api/v1/assignments/" + std::to_string(ack.assignment) + "/answer",
                                    {{"value", "cat"}}, {{"Idempotency-Key", ack.key}});
      ASSERT_TRUE(replay.ok()) << replay.status().ToString();
      EXPECT_EQ(replay->status, 200) << "acknowledged answer lost: " << replay->body;
      EXPECT_EQ(replay->body, ack.body);
    }
    HttpClient owner = ClientFor(requester_);
    json stats = Expect(owner.Get("/api/v1/projects/" + std::to_string(project_) + "/stats"), 200,
                        "stats");
    EXPECT_GE(stats["answers"].get<size_t>(), acknowledged.size());
  }

  Account requester_;
  std::vector<Account> annotators_;
  int64_t project_ = 0;
};

TEST_F(RestartTest, SigtermWhileAnsweringLosesNothingAcknowledged) {
  Result<int> exit_code = 0;
  std::vector<Acknowledged> acknowledged =
      AnswerUntilInterrupted(150, [&] { exit_code = server().Stop(); });
  ASSERT_TRUE(exit_code.ok()) << exit_code.status().ToString() << "\n" << server().log_text();
  EXPECT_EQ(*exit_code, 0) << server().log_text();
  ASSERT_TRUE(server().Restart().ok()) << server().log_text();
  ExpectEveryAnswerReplays(acknowledged);
}

TEST_F(RestartTest, CrashWhileAnsweringLosesNothingAcknowledged) {
  std::vector<Acknowledged> acknowledged =
      AnswerUntilInterrupted(150, [&] { server().Kill(); });
  ASSERT_TRUE(server().Restart().ok()) << server().log_text();
  ExpectEveryAnswerReplays(acknowledged);
}

TEST_F(RestartTest, TasksRetiredBeforeARestartStayRetired) {
  HttpClient owner = ClientFor(requester_);
  const std::string stats_path = "/api/v1/projects/" + std::to_string(project_) + "/stats";
  for (int round = 0; round < 5; ++round) {
    for (const Account& a : annotators_) {
      json leased = NextTask(a, project_);
      ASSERT_FALSE(leased.is_null());
      Expect(Answer(a, leased["assignment"]["id"].get<int64_t>(), "cat",
                    a.email + std::to_string(round)),
             200, "answer");
    }
  }
  json before = Expect(owner.Get(stats_path), 200, "stats before");
  ASSERT_TRUE(server().Stop().ok());
  ASSERT_TRUE(server().Restart().ok()) << server().log_text();
  json after = Expect(owner.Get(stats_path), 200, "stats after");
  EXPECT_EQ(after["tasks"], before["tasks"]);
  EXPECT_EQ(after["answers"], before["answers"]);
}

}  // namespace
}  // namespace tinydata::test
