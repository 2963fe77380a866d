// Leasing and answering: expiry, idempotency, access, bad values.
#include <set>

#include "platform_fixture.h"

namespace tinydata::service {
namespace {

using Annotating = PlatformTest;

TEST_F(Annotating, ExpiredLeaseReturnsTheTaskToThePool) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req, 1, 1);
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  const Principal a1 = Annotator("a1@example.com");
  const Principal a2 = Annotator("a2@example.com");
  auto leased = Next(a1, project.id);
  ASSERT_TRUE(leased.ok() && leased->has_value());
  auto blocked = Next(a2, project.id);
  ASSERT_TRUE(blocked.ok());
  EXPECT_FALSE(blocked->has_value()) << "a live lease counts towards max_answers";

  clock_.Advance(61'000);
  auto again = Next(a2, project.id);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->task_id, (*leased)->task_id);

  auto late = Submit(a1, (*leased)->assignment.id, "pos");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  auto on_time = Submit(a2, (*again)->assignment.id, "pos");
  ASSERT_TRUE(on_time.ok());
  EXPECT_TRUE(on_time->task_retired);
}

TEST_F(Annotating, UserWhoHadTheFrontOfThePoolStillReachesTasksBehindIt) {
  // 300 tasks, each needing 3 answers. a1 starts them all; a2 then had the first 256 started
  // tasks (more than one lease's scan budget) and must still be offered the other 44.
  const Principal req = Requester();
  const store::Project project = MakeProject(req, 3, 3);
  std::string csv = "t\n";
  for (int i = 0; i < 300; ++i) csv += "x" + std::to_string(i) + "\n";
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kCsv, csv).status.ok());
  for (const Principal& who : {Annotator("a1@example.com"), Annotator("a2@example.com")}) {
    std::set<int64_t> seen;
    for (int i = 0; i < 300; ++i) {
      auto leased = Next(who, project.id);
      ASSERT_TRUE(leased.ok()) << leased.status().ToString();
      ASSERT_TRUE(leased->has_value()) << "no task offered after " << i << " leases";
      EXPECT_TRUE(seen.insert((*leased)->task_id).second) << "task offered twice";
    }
    auto done = Next(who, project.id);
    ASSERT_TRUE(done.ok());
    EXPECT_FALSE(done->has_value());
  }
}

TEST_F(Annotating, RetryWithTheSameKeyReplaysTheFirstResponse) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req);
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  const Principal a1 = Annotator("a1@example.com");
  auto leased = Next(a1, project.id);
  ASSERT_TRUE(leased.ok() && leased->has_value());
  auto first = Submit(a1, (*leased)->assignment.id, "pos", "idem-1");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->replayed);
  auto retry = Submit(a1, (*leased)->assignment.id, "neg", "idem-1");
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->answer_id, first->answer_id);
  EXPECT_EQ(retry->response_json, first->response_json);
  auto stats = platform_->GetProjectStats(req, project.id);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->answers, 1);
}

TEST_F(Annotating, SecondAnswerWithAnotherKeyIsRefused) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req);
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  const Principal a1 = Annotator("a1@example.com");
  auto leased = Next(a1, project.id);
  ASSERT_TRUE(leased.ok() && leased->has_value());
  ASSERT_TRUE(Submit(a1, (*leased)->assignment.id, "pos", "k1").ok());
  auto second = Submit(a1, (*leased)->assignment.id, "pos", "k2");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(Annotating, ForeignAssignmentIsNotFound) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req);
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  const Principal a1 = Annotator("a1@example.com");
  const Principal a2 = Annotator("a2@example.com");
  auto leased = Next(a1, project.id);
  ASSERT_TRUE(leased.ok() && leased->has_value());
  auto stolen = Submit(a2, (*leased)->assignment.id, "pos");
  ASSERT_FALSE(stolen.ok());
  EXPECT_EQ(stolen.status().code(), StatusCode::kNotFound);
  auto unknown = Submit(a1, 999'999, "pos");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
}

TEST_F(Annotating, AnswerOutsideTheQuestionNamesTheValueField) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req);
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  const Principal a1 = Annotator("a1@example.com");
  auto leased = Next(a1, project.id);
  ASSERT_TRUE(leased.ok() && leased->has_value());
  auto bad = Submit(a1, (*leased)->assignment.id, "maybe");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().field(), "value");
  // The lease is still usable after a rejected value.
  EXPECT_TRUE(Submit(a1, (*leased)->assignment.id, "neg").ok());
}

TEST_F(Annotating, PausedProjectHandsOutNothing) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req);
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  ASSERT_TRUE(platform_->PauseProject(req, project.id).ok());
  const Principal a1 = Annotator("a1@example.com");
  auto paused = Next(a1, project.id);
  EXPECT_EQ(paused.status().code(), StatusCode::kFailedPrecondition);
  auto any = Next(a1, std::nullopt);
  ASSERT_TRUE(any.ok());
  EXPECT_FALSE(any->has_value());
  ASSERT_TRUE(platform_->ResumeProject(req, project.id).ok());
  auto resumed = Next(a1, std::nullopt);
  ASSERT_TRUE(resumed.ok());
  EXPECT_TRUE(resumed->has_value());
}

TEST_F(Annotating, LevelGateKeepsLowLevelUsersOut) {
  const Principal req = Requester();
  auto project =
      platform_->CreateProject(req, {{"title", "Hard"},
                                     {"question", {{"type", "numeric"}, {"min", 0}, {"max", 10}}},
                                     {"min_level", 3}});
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  ASSERT_TRUE(platform_->ImportTasks(req, project->id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  const Principal a1 = Annotator("a1@example.com");
  auto gated = Next(a1, project->id);
  EXPECT_EQ(gated.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(gated.status().field(), "project_id");
}

TEST_F(Annotating, GoldIsNeverGivenToTheSameUserTwiceAndFeedbackIsImmediate) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req, 1, 5, 0.9, /*gold_rate=*/1.0);
  ASSERT_TRUE(
      platform_
          ->ImportTasks(req, project.id, io::TaskFormat::kCsv, "t,gold\nregular,\ngolden,neg\n")
          .status.ok());
  const Principal a1 = Annotator("a1@example.com");
  auto leased = Next(a1, project.id);
  ASSERT_TRUE(leased.ok() && leased->has_value());
  EXPECT_EQ(nlohmann::json::parse((*leased)->task_data_json)["t"], "golden");
  auto answered = Submit(a1, (*leased)->assignment.id, "pos");
  ASSERT_TRUE(answered.ok());
  ASSERT_TRUE(answered->gold.has_value());
  EXPECT_FALSE(answered->gold->correct);
  // A control item says "not correct" and never what the right answer was.
  EXPECT_FALSE(answered->gold->training);
  EXPECT_TRUE(answered->gold->expected.is_null());
  EXPECT_TRUE(answered->gold->explanation.empty());
  auto next = Next(a1, project.id);
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ(nlohmann::json::parse((*next)->task_data_json)["t"], "regular");
}

}  // namespace
}  // namespace tinydata::service

namespace tinydata::service {
namespace {

TEST_F(Annotating, RetirementHookSeesEveryVerdictAndCommitsWithTheRetirement) {
  std::vector<std::string> verdicts;
  platform_->SetRetirementHook([&](const RetiredTask& retired, store::WriteBatch& batch) {
    for (const store::Answer& a : *retired.answers) verdicts.push_back(a.verdict);
    batch.upsert_settings.emplace_back("retired:" + std::to_string(retired.task->id),
                                       retired.task->consensus_json);
    return Status::Ok();
  });
  const Principal req = Requester();
  const store::Project project = MakeProject(req, 3, 3);
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  int64_t task_id = 0;
  for (const char* v : {"pos", "neg", "pos"}) {
    const Principal who = Annotator(std::string(v) + std::to_string(verdicts.size()) +
                                    std::to_string(task_id) + "@x.org");
    auto leased = Next(who, project.id);
    ASSERT_TRUE(leased.ok() && leased->has_value());
    task_id = (*leased)->task_id;
    ASSERT_TRUE(Submit(who, (*leased)->assignment.id, v).ok());
  }
  EXPECT_EQ(verdicts, (std::vector<std::string>{"accepted", "rejected", "accepted"}));
  auto stored = store_->GetSetting("retired:" + std::to_string(task_id));
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ(**stored, "\"pos\"");
}

TEST_F(Annotating, MaintenanceRecordsExpiredLeases) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req);
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  const Principal a1 = Annotator("a1@example.com");
  auto leased = Next(a1, project.id);
  ASSERT_TRUE(leased.ok() && leased->has_value());
  clock_.Advance(120'000);
  ASSERT_TRUE(platform_->RunMaintenance().ok());
  store_->Flush();
  auto assignments = store_->LoadAssignments(project.id);
  ASSERT_TRUE(assignments.ok());
  ASSERT_EQ(assignments->size(), 1u);
  EXPECT_EQ((*assignments)[0].state, "expired");
}

}  // namespace
}  // namespace tinydata::service
