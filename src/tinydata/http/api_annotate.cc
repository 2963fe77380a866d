#include "tinydata/http/api_annotate.h"

#include <optional>
#include <string>
#include <utility>

#include "tinydata/http/api_json.h"

namespace tinydata::http {

namespace {

using nlohmann::json;
using beast_http::verb;

json Ref(std::string_view name) { return {{"$ref", "#/components/schemas/" + std::string(name)}}; }

void AddAnnotateSchemas(ApiRoutes& routes) {
  routes.AddSchema("AnswerValue",
                   {{"description",
                     "an option value (single choice), an array of option values (multi "
                     "choice), a number (numeric) or a string (text)"},
                    {"oneOf",
                     {{{"type", "string"}},
                      {{"type", "number"}},
                      {{"type", "array"}, {"items", {{"type", "string"}}}}}}});
  routes.AddSchema(
      "LeasedTask",
      {{"type", "object"},
       {"required", {"assignment", "task", "project"}},
       {"properties",
        {{"assignment",
          {{"type", "object"},
           {"properties",
            {{"id", {{"type", "integer"}}},
             {"expires_at", {{"type", "string"}, {"format", "date-time"}}}}}}},
         {"task",
          {{"type", "object"},
           {"properties", {{"id", {{"type", "integer"}}}, {"data", {{"type", "object"}}}}}}},
         {"project",
          {{"type", "object"},
           {"properties",
            {{"id", {{"type", "integer"}}},
             {"title", {{"type", "string"}}},
             {"instructions", {{"type", "string"}}},
             {"question", Ref("Question")}}}}}}}});
  routes.AddSchema("AnswerInput", {{"type", "object"},
                                   {"required", {"value"}},
                                   {"additionalProperties", false},
                                   {"properties",
                                    {{"value", Ref("AnswerValue")},
                                     {"duration_ms", {{"type", "integer"}, {"minimum", 0}}}}}});
  routes.AddSchema("AnswerResult",
                   {{"type", "object"},
                    {"required", {"answer_id", "task_retired", "reward_pending_aia"}},
                    {"properties",
                     {{"answer_id", {{"type", "integer"}}},
                      {"gold",
                       {{"type", "object"},
                        {"properties",
                         {{"correct", {{"type", "boolean"}}},
                          {"training",
                           {{"type", "boolean"},
                            {"description",
                             "true for a training item: it explains its answer; a control item "
                             "only says correct or not"}}},
                          {"expected", Ref("AnswerValue")},
                          {"explanation", {{"type", "string"}}}}}}},
                      {"task_retired", {{"type", "boolean"}}},
                      {"reward_pending_aia", {{"type", "integer"}}}}}});
}

struct AnswerInput {
  json value;
  int64_t duration_ms = 0;
  std::string idempotency_key;
};

Result<AnswerInput> DecodeAnswer(const Request& request) {
  TD_ASSIGN_OR_RETURN(json body, ParseJsonBody(request));
  JsonObjectReader in(body);
  TD_RETURN_IF_ERROR(in.RejectUnknown({"value", "duration_ms"}));
  AnswerInput out;
  TD_ASSIGN_OR_RETURN(const json* value, in.Value("value"));
  out.value = *value;
  TD_ASSIGN_OR_RETURN(std::optional<int64_t> duration, in.OptionalInt("duration_ms"));
  if (duration) {
    if (*duration < 0) return Status::InvalidArgument("must be >= 0", "duration_ms");
    out.duration_ms = *duration;
  }
  const std::string_view key = request.header("Idempotency-Key");
  if (key.size() > kMaxIdempotencyKeyBytes) {
    return Status::InvalidArgument(
        "must be at most " + std::to_string(kMaxIdempotencyKeyBytes) + " bytes",
        "Idempotency-Key");
  }
  out.idempotency_key = std::string(key);
  return out;
}

}  // namespace

void RegisterAnnotateRoutes(ApiRoutes& routes, const ApiContext& context) {
  AddAnnotateSchemas(routes);
  service::Platform* platform = context.platform;

  routes.AddAsync(
      verb::get, "/api/v1/tasks/next",
      Doc("annotate", "Lease the next task to answer")
          .Returns(200, "LeasedTask")
          .Query("project_id", "integer",
                 "only this project (default: any the caller's level admits)")
          .Also(204, "no task is available now")
          .Also(409, "the project is paused or above the caller's level"),
      AuthedAsync(context, service::kScopeAnnotate, [platform](Request& request, const service::Principal& caller,
                                      Responder responder) {
        std::optional<int64_t> project_id;
        if (request.query().Has("project_id")) {
          Result<int64_t> id = request.query().GetInt("project_id", 0);
          if (!id.ok()) return responder.Send(ErrorReply(id.status()));
          project_id = *id;
        }
        platform->NextTask(caller, project_id,
                           [responder](Result<std::optional<service::LeasedTask>> leased) {
                             if (!leased.ok()) return responder.Send(ErrorReply(leased.status()));
                             if (!leased->has_value()) return responder.Send(NoContentReply());
                             responder.Send(JsonReply(service::LeasedTaskJson(**leased)));
                           });
      }));

  routes.AddAsync(
      verb::post, "/api/v1/assignments/{id:int}/answer",
      Doc("annotate", "Answer a leased assignment (idempotent under Idempotency-Key)")
          .JsonBody("AnswerInput")
          .Returns(200, "AnswerResult")
          .Also(409, "the lease expired, or the assignment was already answered under another "
                     "key"),
      AuthedAsync(context, service::kScopeAnnotate, [platform](Request& request, const service::Principal& caller,
                                      Responder responder) {
        Result<AnswerInput> input = DecodeAnswer(request);
        if (!input.ok()) return responder.Send(ErrorReply(input.status()));
        platform->SubmitAnswer(caller, *request.PathInt("id"), input->value,
                               input->duration_ms, std::move(input->idempotency_key),
                               [responder](Result<service::SubmittedAnswer> answer) {
                                 if (!answer.ok()) {
                                   return responder.Send(ErrorReply(answer.status()));
                                 }
                                 responder.Send(RawJsonReply(beast_http::status::ok,
                                                             std::move(answer->response_json)));
                               });
      }));
}

}  // namespace tinydata::http
