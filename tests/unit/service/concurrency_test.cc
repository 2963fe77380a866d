// Many annotators at once: the scheduler's promises hold under concurrency.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "platform_fixture.h"

namespace tinydata::service {
namespace {

using Concurrency = PlatformTest;

TEST_F(Concurrency, ParallelAnnotatorsNeverExceedMaxAnswersNorRepeatATask) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req, /*min=*/2, /*max=*/3, /*target=*/0.95);
  std::string csv = "t\n";
  for (int i = 0; i < 60; ++i) csv += std::to_string(i) + "\n";
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kCsv, csv).status.ok());
  std::vector<Principal> annotators;
  for (int i = 0; i < 8; ++i) annotators.push_back(Annotator("w" + std::to_string(i) + "@x.org"));

  std::mutex mu;
  std::map<int64_t, std::set<int64_t>> users_of_task;
  std::atomic<int> repeats{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (size_t w = 0; w < annotators.size(); ++w) {
    threads.emplace_back([&, w] {
      const Principal who = annotators[w];
      for (;;) {
        auto leased = Next(who, project.id);
        if (!leased.ok()) {
          ++failures;
          return;
        }
        if (!leased->has_value()) return;
        {
          std::lock_guard<std::mutex> lock(mu);
          if (!users_of_task[(*leased)->task_id].insert(who.user_id).second) ++repeats;
        }
        // Disagreement keeps confidence below the target, so tasks run to max_answers.
        if (!Submit(who, (*leased)->assignment.id, w % 2 ? "pos" : "neg").ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(repeats.load(), 0);
  EXPECT_EQ(users_of_task.size(), 60u);
  for (const auto& [task, users] : users_of_task) EXPECT_LE(users.size(), 3u) << task;
  auto stats = platform_->GetProjectStats(req, project.id);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->tasks_retired, 60);
  store_->Flush();
  auto answers = store_->LoadAnswers(project.id);
  ASSERT_TRUE(answers.ok());
  EXPECT_EQ(static_cast<int64_t>(answers->size()), stats->answers);
  for (const store::Answer& a : *answers) EXPECT_NE(a.verdict, "pending");
}

}  // namespace
}  // namespace tinydata::service
