#include "tinydata/http/api_projects.h"

#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "tinydata/io/task_export.h"
#include "tinydata/io/task_import.h"

namespace tinydata::http {

namespace {

using nlohmann::json;
using beast_http::verb;

json Ref(std::string_view name) { return {{"$ref", "#/components/schemas/" + std::string(name)}}; }

void AddProjectSchemas(ApiRoutes& routes) {
  routes.AddSchema(
      "Question",
      {{"type", "object"},
       {"required", {"type"}},
       {"properties",
        {{"type",
          {{"type", "string"}, {"enum", {"single_choice", "multi_choice", "numeric", "text"}}}},
         {"options",
          {{"type", "array"},
           {"minItems", 2},
           {"maxItems", 50},
           {"items",
            {{"type", "object"},
             {"required", {"value", "label"}},
             {"properties",
              {{"value", {{"type", "string"}}}, {"label", {{"type", "string"}}}}}}}}},
         {"min", {{"type", "number"}}},
         {"max", {{"type", "number"}}},
         {"step", {{"type", "number"}, {"exclusiveMinimum", 0}}}}}});
  routes.AddSchema("Overlap",
                   {{"type", "object"},
                    {"required", {"min_answers", "max_answers", "target_confidence"}},
                    {"properties",
                     {{"min_answers", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}}},
                      {"max_answers", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}}},
                      {"target_confidence",
                       {{"type", "number"}, {"minimum", 0.5}, {"exclusiveMaximum", 1}}}}}});
  const json input_properties = {
      {"title", {{"type", "string"}}},
      {"instructions", {{"type", "string"}}},
      {"question", Ref("Question")},
      {"domain",
       {{"type", "string"},
        {"enum", {"general", "driving", "games", "film", "medical", "technology"}}}},
      {"tier", {{"type", "integer"}, {"enum", {1, 2, 3}}}},
      {"min_level", {{"type", "integer"}, {"minimum", 1}}},
      {"overlap", Ref("Overlap")},
      {"reward_aia", {{"type", "integer"}, {"minimum", 0}}},
      {"gold_rate", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
      {"gold_promotion_confidence",
       {{"type", "number"},
        {"minimum", 0},
        {"exclusiveMaximum", 1},
        {"description",
         "a retired item at least this confident joins the gold pool; 0 turns it off "
         "(default 0.98)"}}}};
  routes.AddSchema("ProjectInput", {{"type", "object"},
                                    {"required", {"title", "question"}},
                                    {"properties", input_properties}});
  routes.AddSchema("ProjectPatch", {{"type", "object"},
                                    {"description", "any members of ProjectInput"},
                                    {"properties", input_properties}});
  json project_properties = input_properties;
  project_properties["id"] = {{"type", "integer"}};
  project_properties["owner_id"] = {{"type", "integer"}};
  project_properties["status"] = {{"type", "string"}, {"enum", {"active", "paused"}}};
  project_properties["created_at"] = {{"type", "string"}, {"format", "date-time"}};
  routes.AddSchema("Project", {{"type", "object"},
                               {"required", {"id", "owner_id", "title", "question", "status"}},
                               {"properties", project_properties}});
  routes.AddSchema("ProjectList",
                   {{"type", "object"},
                    {"required", {"projects"}},
                    {"properties", {{"projects", {{"type", "array"}, {"items", Ref("Project")}}}}}});
  routes.AddSchema("ImportResult", {{"type", "object"},
                                    {"required", {"imported", "gold"}},
                                    {"properties",
                                     {{"imported", {{"type", "integer"}}},
                                      {"gold", {{"type", "integer"}}},
                                      {"training",
                                       {{"type", "integer"},
                                        {"description", "of the gold items, how many train"}}}}}});
  routes.AddSchema(
      "ImportErrors",
      {{"type", "object"},
       {"required", {"error", "errors"}},
       {"properties",
        {{"error", {{"type", "object"}}},
         {"errors",
          {{"type", "array"},
           {"items",
            {{"type", "object"},
             {"required", {"line", "message"}},
             {"properties",
              {{"line", {{"type", "integer"}}},
               {"field", {{"type", "string"}}},
               {"message", {{"type", "string"}}}}}}}}}}}});
  routes.AddSchema("TaskAdmin", {{"type", "object"},
                                 {"required", {"id", "data", "state"}},
                                 {"properties",
                                  {{"id", {{"type", "integer"}}},
                                   {"data", {{"type", "object"}}},
                                   {"gold", json::object()},
                                   {"gold_source",
                                    {{"type", "string"},
                                     {"enum", {"imported", "training", "consensus"}}}},
                                   {"explanation", {{"type", "string"}}},
                                   {"state", {{"type", "string"}, {"enum", {"open", "retired"}}}},
                                   {"consensus", json::object()},
                                   {"confidence", {{"type", "number"}}},
                                   {"created_at", {{"type", "string"}, {"format", "date-time"}}},
                                   {"retired_at", {{"type", "string"}, {"format", "date-time"}}}}}});
  routes.AddSchema(
      "Review",
      {{"type", "object"},
       {"required", {"annotator", "state", "reason", "held_answers"}},
       {"properties",
        {{"annotator", {{"type", "string"}}},
         {"state", {{"type", "string"}, {"enum", {"held", "released", "rejected"}}}},
         {"reason", {{"type", "string"}}},
         {"fast_answers", {{"type", "integer"}}},
         {"spam_score", {{"type", "number"}}},
         {"held_answers", {{"type", "integer"}}},
         {"created_at", {{"type", "string"}, {"format", "date-time"}}},
         {"decided_at", {{"type", "string"}, {"format", "date-time"}}}}}});
  routes.AddSchema("ReviewList",
                   {{"type", "object"},
                    {"required", {"reviews"}},
                    {"properties", {{"reviews", {{"type", "array"}, {"items", Ref("Review")}}}}}});
  routes.AddSchema("TaskList",
                   {{"type", "object"},
                    {"required", {"tasks"}},
                    {"properties", {{"tasks", {{"type", "array"}, {"items", Ref("TaskAdmin")}}}}}});
  const json count = {{"type", "integer"}};
  routes.AddSchema(
      "Stats",
      {{"type", "object"},
       {"required", {"tasks", "answers", "completion"}},
       {"properties",
        {{"tasks",
          {{"type", "object"},
           {"properties", {{"total", count}, {"open", count}, {"retired", count}, {"gold", count}}}}},
         {"answers", count},
         {"completion", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
         {"label_distribution", {{"type", "object"}, {"additionalProperties", count}}},
         {"answers_per_task", {{"type", "object"}, {"additionalProperties", count}}},
         {"annotator_accuracy",
          {{"type", "array"},
           {"items",
            {{"type", "object"},
             {"properties",
              {{"annotator", {{"type", "string"}}},
               {"accuracy", {{"type", "number"}}},
               {"answers", count}}}}}}},
         {"confusion",
          {{"type", "object"},
           {"properties",
            {{"labels", {{"type", "array"}, {"items", {{"type", "string"}}}}},
             {"matrix",
              {{"type", "array"},
               {"items", {{"type", "array"}, {"items", count}}}}}}}}},
         {"answer_time",
          {{"type", "object"},
           {"description",
            "the median time a counted answer took, over how many answers (last re-inference)"},
           {"properties", {{"typical_ms", count}, {"answers", count}}}}},
         {"review",
          {{"type", "object"},
           {"properties", {{"held_answers", count}, {"workers_under_review", count}}}}}}}});
}

// The task file format: ?format=, else guessed from the Content-Type.
Result<io::TaskFormat> UploadFormat(const Request& request) {
  if (std::optional<std::string_view> name = request.query().Get("format")) {
    return io::ParseTaskFormat(*name);
  }
  const std::string_view type = request.header(beast_http::field::content_type);
  auto starts = [&](std::string_view prefix) { return type.substr(0, prefix.size()) == prefix; };
  if (starts("text/csv")) return io::TaskFormat::kCsv;
  if (starts("application/x-ndjson") || starts("application/jsonl")) return io::TaskFormat::kJsonl;
  if (starts("application/json")) return io::TaskFormat::kLabelStudio;
  return Status::InvalidArgument(
      "give ?format=jsonl|csv|labelstudio (or a text/csv, application/x-ndjson or "
      "application/json Content-Type)",
      "format");
}

Response ImportReply(const service::ImportOutcome& outcome) {
  if (outcome.status.ok()) {
    return JsonReply(beast_http::status::created,
                     {{"imported", outcome.summary.imported},
                      {"gold", outcome.summary.gold},
                      {"training", outcome.summary.training}});
  }
  Response response = ErrorReply(outcome.status);
  if (outcome.row_errors.empty()) return response;
  json body = json::parse(response.body);
  json errors = json::array();
  for (const io::ImportRowError& e : outcome.row_errors) {
    json row = {{"line", e.line}, {"message", e.message}};
    if (!e.field.empty()) row["field"] = e.field;
    errors.push_back(std::move(row));
  }
  body["errors"] = std::move(errors);
  return JsonReply(response.status, body);
}

Response ListTasksReply(service::Platform& platform, const Request& request,
                        const service::Principal& caller) {
  Result<int64_t> id = request.PathInt("id");
  if (!id.ok()) return ErrorReply(id.status());
  Result<int64_t> limit = request.query().GetInt("limit", 100);
  if (!limit.ok()) return ErrorReply(limit.status());
  if (*limit < 1 || *limit > 1000) {
    return ErrorReply(Status::InvalidArgument("must be in 1..1000", "limit"));
  }
  Result<int64_t> after = request.query().GetInt("after", 0);
  if (!after.ok()) return ErrorReply(after.status());
  const std::string_view state = request.query().Get("state").value_or("");
  Result<std::vector<store::Task>> tasks =
      platform.ListTasks(caller, *id, state, static_cast<int>(*limit), *after);
  if (!tasks.ok()) return ErrorReply(tasks.status());
  json list = json::array();
  for (const store::Task& task : *tasks) list.push_back(service::TaskAdminJson(task));
  return JsonReply({{"tasks", std::move(list)}});
}

Response ExportReply(service::Platform& platform, const Request& request,
                     const service::Principal& caller) {
  Result<int64_t> id = request.PathInt("id");
  if (!id.ok()) return ErrorReply(id.status());
  Result<io::ExportFormat> format =
      io::ParseExportFormat(request.query().Get("format").value_or("jsonl"));
  if (!format.ok()) return ErrorReply(format.status());
  Result<std::unique_ptr<service::ExportStream>> stream =
      platform.ExportProject(caller, *id, *format);
  if (!stream.ok()) return ErrorReply(stream.status());
  std::shared_ptr<service::ExportStream> shared = std::move(*stream);
  Response response =
      StreamReply(shared->content_type(), [shared](std::string& chunk, bool& done) {
        return shared->Next(chunk, done);
      });
  response.headers.set(beast_http::field::content_disposition,
                       "attachment; filename=\"project-" + std::to_string(*id) + "." +
                           io::ExportFileExtension(*format) + "\"");
  return response;
}

}  // namespace

void RegisterProjectRoutes(ApiRoutes& routes, const ApiContext& context) {
  AddProjectSchemas(routes);
  service::Platform* platform = context.platform;
  using service::Principal;

  routes.AddAsync(verb::post, "/api/v1/projects",
                  Doc("projects", "Create a project (requester)")
                      .JsonBody("ProjectInput")
                      .Returns(201, "Project"),
                  AuthedBlocking(context, service::kScopeProjects, [platform](Request& request, const Principal& caller) {
                    Result<json> body = ParseJsonBody(request);
                    if (!body.ok()) return ErrorReply(body.status());
                    return ReplyFromResult(platform->CreateProject(caller, *body),
                                           service::ProjectJson, beast_http::status::created);
                  }));

  routes.Add(verb::get, "/api/v1/projects",
             Doc("projects", "The caller's projects (all for admins)").Returns(200, "ProjectList"),
             Authed(context, service::kScopeRead, [platform](Request&, const Principal& caller) {
               return ReplyFromResult(platform->ListProjects(caller),
                                      [](const std::vector<store::Project>& projects) {
                                        json list = json::array();
                                        for (const auto& p : projects) {
                                          list.push_back(service::ProjectJson(p));
                                        }
                                        return json{{"projects", std::move(list)}};
                                      });
             }));

  routes.Add(verb::get, "/api/v1/projects/{id:int}",
             Doc("projects", "One project").Returns(200, "Project"),
             Authed(context, service::kScopeRead, [platform](Request& request, const Principal& caller) {
               return ReplyFromResult(platform->GetProject(caller, *request.PathInt("id")),
                                      service::ProjectJson);
             }));

  routes.AddAsync(verb::patch, "/api/v1/projects/{id:int}",
                  Doc("projects", "Change members of a project")
                      .JsonBody("ProjectPatch")
                      .Returns(200, "Project"),
                  AuthedBlocking(context, service::kScopeProjects, [platform](Request& request, const Principal& caller) {
                    Result<json> body = ParseJsonBody(request);
                    if (!body.ok()) return ErrorReply(body.status());
                    return ReplyFromResult(
                        platform->UpdateProject(caller, *request.PathInt("id"), *body),
                        service::ProjectJson);
                  }));

  routes.AddAsync(verb::post, "/api/v1/projects/{id:int}/pause",
                  Doc("projects", "Stop handing out the project's tasks").Returns(200, "Project"),
                  AuthedBlocking(context, service::kScopeProjects, [platform](Request& request, const Principal& caller) {
                    return ReplyFromResult(
                        platform->PauseProject(caller, *request.PathInt("id")),
                        service::ProjectJson);
                  }));

  routes.AddAsync(verb::post, "/api/v1/projects/{id:int}/resume",
                  Doc("projects", "Hand out the project's tasks again").Returns(200, "Project"),
                  AuthedBlocking(context, service::kScopeProjects, [platform](Request& request, const Principal& caller) {
                    return ReplyFromResult(
                        platform->ResumeProject(caller, *request.PathInt("id")),
                        service::ProjectJson);
                  }));

  routes.AddAsync(
      verb::post, "/api/v1/projects/{id:int}/tasks",
      Doc("projects", "Import tasks (all or nothing; gold items via a gold value)")
          .RawBody({"application/x-ndjson", "text/csv", "application/json"})
          .Returns(201, "ImportResult")
          .Query("format", "string", "defaults from the Content-Type",
                 {"jsonl", "csv", "labelstudio"}),
      AuthedBlocking(context, service::kScopeProjects,
                     [platform](Request& request, const Principal& caller) {
                       Result<io::TaskFormat> format = UploadFormat(request);
                       if (!format.ok()) return ErrorReply(format.status());
                       return ImportReply(platform->ImportTasks(caller, *request.PathInt("id"),
                                                                *format, request.body()));
                     }),
      RouteOptions{.max_body_bytes = kUploadBodyLimitBytes, .admit = AdmitAuthenticated(context)});

  routes.Add(verb::get, "/api/v1/projects/{id:int}/tasks",
             Doc("projects", "The project's tasks with gold and consensus (owner)")
                 .Returns(200, "TaskList")
                 .Query("state", "string", "default: both", {"open", "retired"})
                 .Query("limit", "integer", "1..1000, default 100")
                 .Query("after", "integer", "only tasks with a larger id (paging)"),
             Authed(context, service::kScopeRead, [platform](Request& request, const Principal& caller) {
               return ListTasksReply(*platform, request, caller);
             }));

  // On the blocking pool: with a shared database the stats read the whole project.
  routes.AddAsync(verb::get, "/api/v1/projects/{id:int}/stats",
                  Doc("projects", "Progress and quality statistics").Returns(200, "Stats"),
                  AuthedBlocking(context, service::kScopeRead, [platform](Request& request, const Principal& caller) {
                    return ReplyFromResult(
                        platform->GetProjectStats(caller, *request.PathInt("id")),
                        service::ProjectStatsJson);
                  }));

  routes.AddAsync(
      verb::get, "/api/v1/projects/{id:int}/reviews",
      Doc("projects",
          "Workers whose answers were held for review (far too fast, a high spam score); owner, "
          "verifier or admin")
          .Returns(200, "ReviewList"),
      AuthedBlocking(context, service::kScopeProjects,
                     [platform](Request& request, const Principal& caller) {
                       return ReplyFromResult(
                           platform->ListReviews(caller, *request.PathInt("id")),
                           [](const std::vector<service::ReviewView>& views) {
                             json list = json::array();
                             for (const auto& v : views) list.push_back(service::ReviewJson(v));
                             return json{{"reviews", std::move(list)}};
                           });
                     }));

  for (const auto& [action, decision, summary] :
       {std::tuple{"release", service::ReviewDecision::kRelease,
                   "Release a held worker: their held answers are judged and paid like late "
                   "answers"},
        std::tuple{"reject", service::ReviewDecision::kReject,
                   "Reject a held worker: their held answers are rejected and unpaid, and they "
                   "get no more of the project's tasks"}}) {
    routes.AddAsync(
        verb::post, std::string("/api/v1/projects/{id:int}/reviews/{annotator}/") + action,
        Doc("projects", summary).Returns(200, "Review").Also(409, "the worker was rejected already"),
        AuthedBlocking(context, service::kScopeProjects,
                       [platform, decision = decision](Request& request, const Principal& caller) {
                         return ReplyFromResult(
                             platform->DecideReview(caller, *request.PathInt("id"),
                                                    request.PathParam("annotator"), decision),
                             service::ReviewJson);
                       }));
  }

  routes.Add(verb::get, "/api/v1/projects/{id:int}/export",
             Doc("projects", "The dataset: consensus, confidence and pseudonymous raw answers")
                 .ReturnsRaw({"application/x-ndjson", "text/csv", "application/json"})
                 .Query("format", "string", "default jsonl", {"jsonl", "csv", "labelstudio"}),
             Authed(context, service::kScopeRead, [platform](Request& request, const Principal& caller) {
               return ExportReply(*platform, request, caller);
             }));
}

}  // namespace tinydata::http
