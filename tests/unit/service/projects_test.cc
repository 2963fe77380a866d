#include "platform_fixture.h"

namespace tinydata::service {
namespace {

using Projects = PlatformTest;

TEST_F(Projects, RequesterSeesOnlyOwnProjectsAndAdminSeesAll) {
  const Principal alice = Requester("alice@example.com");
  const Principal bob = Requester("bob@example.com");
  const Principal admin = MakeUser("root@example.com", store::kRoleAdmin);
  const store::Project a = MakeProject(alice);
  const store::Project b = MakeProject(bob);
  auto mine = platform_->ListProjects(alice);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].id, a.id);
  EXPECT_EQ(platform_->GetProject(alice, b.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(platform_->UpdateProject(alice, b.id, {{"title", "x"}}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(platform_->ImportTasks(alice, b.id, io::TaskFormat::kCsv, "t\nx\n").status.code(),
            StatusCode::kNotFound);
  EXPECT_EQ(platform_->GetProjectStats(alice, b.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(platform_->ExportProject(alice, b.id, io::ExportFormat::kJsonl).status().code(),
            StatusCode::kNotFound);
  auto all = platform_->ListProjects(admin);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  EXPECT_TRUE(platform_->GetProject(admin, b.id).ok());
}

TEST_F(Projects, AnnotatorCannotCreateProjects) {
  const Principal ann = Annotator("ann@example.com");
  auto p = platform_->CreateProject(ann, {{"title", "x"}, {"question", {{"type", "text"}}}});
  EXPECT_EQ(p.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(Projects, InvalidInputNamesTheField) {
  const Principal req = Requester();
  const nlohmann::json question = {{"type", "text"}};
  auto field_of = [&](const nlohmann::json& input) {
    return platform_->CreateProject(req, input).status().field();
  };
  EXPECT_EQ(field_of({{"question", question}}), "title");
  EXPECT_EQ(field_of({{"title", "t"}}), "question");
  EXPECT_EQ(field_of({{"title", "t"},
                      {"question", {{"type", "single_choice"}, {"options", {{{"value", "a"}}}}}}}),
            "question.options");
  EXPECT_EQ(field_of({{"title", "t"},
                      {"question", question},
                      {"overlap", {{"min_answers", 4}, {"max_answers", 2}}}}),
            "overlap.max_answers");
  EXPECT_EQ(field_of({{"title", "t"}, {"question", question}, {"gold_rate", 1.5}}), "gold_rate");
  EXPECT_EQ(field_of({{"title", "t"}, {"question", question}, {"tier", "2"}}), "tier");
  EXPECT_EQ(field_of({{"title", "t"}, {"question", question}, {"domain", "space"}}), "domain");
  EXPECT_EQ(field_of({{"title", "t"}, {"question", question}, {"colour", "red"}}), "colour");
  EXPECT_EQ(field_of({{"title", "t"}, {"question", question}, {"reward_aia", 1'000'001}}),
            "reward_aia");
  EXPECT_EQ(field_of({{"title", "t"}, {"question", question}, {"owner_id", 1}}), "owner_id");
}

// A PATCH member the server would not apply is refused, never silently ignored.
TEST_F(Projects, UpdateRefusesMembersItWouldNotApply) {
  const Principal req = Requester();
  const store::Project p = MakeProject(req);
  for (const char* member : {"status", "id", "owner_id", "created_at", "budget"}) {
    auto updated = platform_->UpdateProject(req, p.id, {{member, "x"}});
    EXPECT_EQ(updated.status().code(), StatusCode::kInvalidArgument) << member;
    EXPECT_EQ(updated.status().field(), member);
  }
  EXPECT_EQ(platform_->GetProject(req, p.id)->status, "active");
}

TEST_F(Projects, UpdateChangesOnlyTheGivenMembers) {
  const Principal req = Requester();
  const store::Project p = MakeProject(req);
  auto updated = platform_->UpdateProject(req, p.id, {{"title", "Renamed"}, {"gold_rate", 0.2}});
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->title, "Renamed");
  EXPECT_DOUBLE_EQ(updated->gold_rate, 0.2);
  EXPECT_EQ(updated->instructions, p.instructions);
  Reopen();
  auto reloaded = platform_->GetProject(req, p.id);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(reloaded->title, "Renamed");
}

TEST_F(Projects, QuestionIsFrozenOnceTasksExist) {
  const Principal req = Requester();
  const store::Project p = MakeProject(req);
  ASSERT_TRUE(platform_->ImportTasks(req, p.id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  auto changed = platform_->UpdateProject(req, p.id, {{"question", {{"type", "text"}}}});
  EXPECT_EQ(changed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(changed.status().field(), "question");
}

TEST_F(Projects, ImportWithABadGoldImportsNothing) {
  const Principal req = Requester();
  const store::Project p = MakeProject(req);
  ImportOutcome out = platform_->ImportTasks(req, p.id, io::TaskFormat::kJsonl,
                                             "{\"data\": {\"t\": 1}, \"gold\": \"pos\"}\n"
                                             "{\"data\": {\"t\": 2}, \"gold\": \"maybe\"}\n");
  EXPECT_EQ(out.status.code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(out.row_errors.size(), 1u);
  EXPECT_EQ(out.row_errors[0].line, 2);
  EXPECT_EQ(out.row_errors[0].field, "gold");
  auto stats = platform_->GetProjectStats(req, p.id);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->tasks_total, 0);
}

TEST_F(Projects, LabelStudioImportTakesChoicesAsGold) {
  const Principal req = Requester();
  const store::Project p = MakeProject(req);
  ImportOutcome out = platform_->ImportTasks(
      req, p.id, io::TaskFormat::kLabelStudio,
      R"([{"data": {"text": "a"}, "annotations": [{"result": [{"value": {"choices": ["neg"]}}]}]},
          {"data": {"text": "b"}}])");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.summary.imported, 2);
  EXPECT_EQ(out.summary.gold, 1);
  auto tasks = platform_->ListTasks(req, p.id, "", 10, 0);
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 2u);
  EXPECT_EQ(*(*tasks)[0].gold_json, "\"neg\"");
  EXPECT_FALSE((*tasks)[1].gold_json.has_value());
}

TEST_F(Projects, ListTasksPagesAndFiltersByState) {
  const Principal req = Requester();
  const store::Project p = MakeProject(req);
  ASSERT_TRUE(platform_->ImportTasks(req, p.id, io::TaskFormat::kCsv, "t\n1\n2\n3\n").status.ok());
  auto page = platform_->ListTasks(req, p.id, "open", 2, 0);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  auto rest = platform_->ListTasks(req, p.id, "open", 2, (*page)[1].id);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->size(), 1u);
  EXPECT_EQ(platform_->ListTasks(req, p.id, "done", 2, 0).status().field(), "state");
}

TEST_F(Projects, JsonFormsFollowTheApiDocument) {
  const Principal req = Requester();
  const store::Project p = MakeProject(req);
  nlohmann::json j = ProjectJson(p);
  EXPECT_EQ(j["overlap"]["min_answers"], 3);
  EXPECT_EQ(j["question"]["type"], "single_choice");
  EXPECT_EQ(j["status"], "active");
  EXPECT_EQ(j["created_at"], "2026-09-21T14:13:20Z");
}

}  // namespace
}  // namespace tinydata::service
