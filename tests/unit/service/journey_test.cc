// The full journey and restarts, on a real SQLite store.
#include <map>

#include "platform_fixture.h"

namespace tinydata::service {
namespace {

using Journey = PlatformTest;

constexpr const char* kTasks =
    "{\"data\": {\"text\": \"great\"}}\n"
    "{\"data\": {\"text\": \"meh\"}}\n"
    "{\"data\": {\"text\": \"gold one\"}, \"gold\": \"pos\"}\n";

// What each annotator answers, by task text.
const std::map<std::string, std::map<std::string, std::string>> kPlan = {
    {"a1@example.com", {{"great", "pos"}, {"meh", "neg"}, {"gold one", "pos"}}},
    {"a2@example.com", {{"great", "pos"}, {"meh", "neg"}, {"gold one", "neg"}}},
    {"a3@example.com", {{"great", "pos"}, {"meh", "pos"}, {"gold one", "pos"}}},
};

TEST_F(Journey, ThreeAnnotatorsRetireEveryTaskAndTheExportHoldsTheConsensus) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req, /*min=*/3, /*max=*/3);
  ImportOutcome imported = platform_->ImportTasks(req, project.id, io::TaskFormat::kJsonl, kTasks);
  ASSERT_TRUE(imported.status.ok()) << imported.status.ToString();
  EXPECT_EQ(imported.summary.imported, 3);
  EXPECT_EQ(imported.summary.gold, 1);

  int gold_feedback = 0;
  for (const auto& [email, answers] : kPlan) {
    const Principal who = Annotator(email);
    for (int i = 0; i < 3; ++i) {
      auto leased = Next(who, project.id);
      ASSERT_TRUE(leased.ok()) << leased.status().ToString();
      ASSERT_TRUE(leased->has_value()) << email << " got no task #" << i;
      const LeasedTask& lt = **leased;
      auto data = nlohmann::json::parse(lt.task_data_json);
      EXPECT_FALSE(data.contains("gold"));
      const std::string text = data["text"];
      auto submitted = Submit(who, lt.assignment.id, answers.at(text));
      ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
      if (text == "gold one") {
        ASSERT_TRUE(submitted->gold.has_value());
        EXPECT_EQ(submitted->gold->correct, answers.at(text) == "pos");
        EXPECT_TRUE(submitted->gold->expected.is_null());
        ++gold_feedback;
      } else {
        EXPECT_FALSE(submitted->gold.has_value());
        EXPECT_EQ(nlohmann::json::parse(submitted->response_json).count("gold"), 0u);
      }
      EXPECT_EQ(submitted->reward_pending_aia, 10);
    }
    auto none = Next(who, project.id);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value()) << email << " got a task twice";
  }
  EXPECT_EQ(gold_feedback, 3);

  auto stats = platform_->GetProjectStats(req, project.id);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->tasks_total, 3);
  // The gold item stays in the gold pool; the two data items retire.
  EXPECT_EQ(stats->tasks_retired, 2);
  EXPECT_EQ(stats->tasks_gold, 1);
  EXPECT_EQ(stats->answers, 9);
  EXPECT_DOUBLE_EQ(stats->completion, 1.0);
  ASSERT_EQ(stats->confusion_labels.size(), 2u);
  // "great": 3 x pos under pos; "meh": 2 x neg + 1 x pos under neg (gold excluded).
  EXPECT_EQ(stats->confusion_matrix[0][0], 3);
  EXPECT_EQ(stats->confusion_matrix[1][1], 2);
  EXPECT_EQ(stats->confusion_matrix[1][0], 1);

  const std::string jsonl = Export(req, project.id, io::ExportFormat::kJsonl);
  std::map<std::string, nlohmann::json> rows;
  size_t pos = 0;
  while (pos < jsonl.size()) {
    const size_t nl = jsonl.find('\n', pos);
    auto row = nlohmann::json::parse(jsonl.substr(pos, nl - pos));
    rows[row["data"]["text"]] = row;
    pos = nl + 1;
  }
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows["great"]["consensus"], "pos");
  EXPECT_EQ(rows["meh"]["consensus"], "neg");
  EXPECT_EQ(rows["gold one"]["consensus"], "pos");
  for (const auto& a : rows["great"]["answers"]) EXPECT_EQ(a["verdict"], "accepted");
  int rejected = 0;
  for (const auto& a : rows["meh"]["answers"]) {
    const std::string annotator = a["annotator"];
    EXPECT_EQ(annotator.rfind("a-", 0), 0u);
    EXPECT_EQ(annotator.size(), 14u);
    EXPECT_EQ(annotator.find('@'), std::string::npos);
    if (a["verdict"] == "rejected") {
      ++rejected;
      EXPECT_EQ(a["value"], "pos");
    }
  }
  EXPECT_EQ(rejected, 1);
  EXPECT_EQ(jsonl.find("example.com"), std::string::npos);
}

TEST_F(Journey, ExportInCsvAndLabelStudioHasEveryTask) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req);
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kJsonl, kTasks).status.ok());
  const std::string csv = Export(req, project.id, io::ExportFormat::kCsv);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  auto ls = nlohmann::json::parse(Export(req, project.id, io::ExportFormat::kLabelStudio));
  ASSERT_EQ(ls.size(), 3u);
  EXPECT_EQ(ls[0]["data"]["text"], "great");
}

TEST_F(Journey, DynamicOverlapRetiresOnceConfidentBeforeMaxAnswers) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req, /*min=*/2, /*max=*/9, /*target=*/0.9);
  ASSERT_TRUE(
      platform_->ImportTasks(req, project.id, io::TaskFormat::kCsv, "text\nhello\n").status.ok());
  bool retired = false;
  int answers = 0;
  for (int i = 0; i < 9 && !retired; ++i) {
    const Principal who = Annotator("w" + std::to_string(i) + "@example.com");
    auto leased = Next(who, project.id);
    ASSERT_TRUE(leased.ok() && leased->has_value());
    auto submitted = Submit(who, (*leased)->assignment.id, "neg");
    ASSERT_TRUE(submitted.ok());
    ++answers;
    retired = submitted->task_retired;
  }
  EXPECT_TRUE(retired);
  // Three agreeing answers of default-accuracy workers pass 0.9 (0.93); two do not (0.84).
  EXPECT_EQ(answers, 3);
}

TEST_F(Journey, RestartLosesNothingAcknowledged) {
  Principal req = Requester();
  const store::Project project = MakeProject(req, 3, 3);
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kJsonl, kTasks).status.ok());
  auto session = platform_->Login("req@example.com", "correct horse");
  ASSERT_TRUE(session.ok());
  const Principal a1 = Annotator("a1@example.com");
  auto first = Next(a1, project.id);
  ASSERT_TRUE(first.ok() && first->has_value());
  auto answered = Submit(a1, (*first)->assignment.id, "pos", "key-1");
  ASSERT_TRUE(answered.ok());
  auto second = Next(a1, project.id);
  ASSERT_TRUE(second.ok() && second->has_value());

  Reopen();

  // The token, the project, its tasks and the answer survived.
  auto who = platform_->AuthenticateToken(session->token);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->user_id, req.user_id);
  auto stats = platform_->GetProjectStats(req, project.id);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->tasks_total, 3);
  EXPECT_EQ(stats->answers, 1);
  // The retry after the restart replays the acknowledged response.
  auto retry = Submit(a1, (*first)->assignment.id, "neg", "key-1");
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->response_json, answered->response_json);
  // The lease taken before the restart is still valid and answerable.
  auto late = Submit(a1, (*second)->assignment.id, "neg");
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  // The user never gets either task again.
  auto third = Next(a1, project.id);
  ASSERT_TRUE(third.ok() && third->has_value());
  EXPECT_NE((*third)->task_id, (*first)->task_id);
  EXPECT_NE((*third)->task_id, (*second)->task_id);
  // Fresh ids do not collide with those handed out before the restart.
  EXPECT_GT((*third)->assignment.id, (*second)->assignment.id);
}

TEST_F(Journey, ReinferenceRefreshesWorkerSkills) {
  const Principal req = Requester();
  const store::Project project = MakeProject(req, 3, 3);
  ASSERT_TRUE(platform_->ImportTasks(req, project.id, io::TaskFormat::kJsonl, kTasks).status.ok());
  for (const auto& [email, answers] : kPlan) {
    const Principal who = Annotator(email);
    for (int i = 0; i < 3; ++i) {
      auto leased = Next(who, project.id);
      ASSERT_TRUE(leased.ok() && leased->has_value());
      const std::string text = nlohmann::json::parse((*leased)->task_data_json)["text"];
      ASSERT_TRUE(Submit(who, (*leased)->assignment.id, answers.at(text)).ok());
    }
  }
  ASSERT_TRUE(platform_->RunMaintenance().ok());
  auto skills = store_->LoadSkills(project.id);
  ASSERT_TRUE(skills.ok());
  ASSERT_EQ(skills->size(), 3u);
  for (const store::WorkerSkill& s : *skills) {
    EXPECT_GT(s.accuracy, 0.0);
    EXPECT_EQ(s.gold_seen, 1);
    auto model = nlohmann::json::parse(s.model_json);
    EXPECT_EQ(model["confusion"].size(), 4u);
  }
}

}  // namespace
}  // namespace tinydata::service
