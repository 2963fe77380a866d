#include "tinydata/http/api_meta.h"

#include <memory>
#include <string>

#include "tinydata/http/api_openapi.h"

namespace tinydata::http {

using nlohmann::json;
using beast_http::verb;

json WriteStatsJson(const store::WriteStats& stats) {
  return {{"commits", stats.commits},
          {"batches", stats.batches},
          {"failed_batches", stats.failed_batches},
          {"answers", stats.answers},
          {"answers_per_commit",
           stats.commits == 0 ? 0.0
                              : static_cast<double>(stats.answers) /
                                    static_cast<double>(stats.commits)},
          {"max_batches_per_commit", stats.max_batches_per_commit},
          {"max_answers_per_commit", stats.max_answers_per_commit}};
}

void RegisterMetaRoutes(ApiRoutes& routes, const ApiContext& context) {
  service::Platform* platform = context.platform;
  const std::string version = context.version;

  routes.AddSchema("Health", {{"type", "object"},
                              {"required", {"status"}},
                              {"properties",
                               {{"status", {{"type", "string"}, {"enum", {"ok"}}}},
                                {"version", {{"type", "string"}}}}}});
  const json count = {{"type", "integer"}};
  routes.AddSchema("Metrics",
                   {{"type", "object"},
                    {"properties",
                     {{"store",
                       {{"type", "object"},
                        {"properties",
                         {{"commits", count},
                          {"batches", count},
                          {"failed_batches", count},
                          {"answers", count},
                          {"answers_per_commit", {{"type", "number"}}},
                          {"max_batches_per_commit", count},
                          {"max_answers_per_commit", count}}}}}}}});

  routes.Add(verb::get, "/healthz",
             Doc("meta", "Liveness: 200 while the server serves").Public().Returns(200, "Health"),
             [version](Request&) { return JsonReply({{"status", "ok"}, {"version", version}}); });

  routes.Add(verb::get, "/api/v1/admin/metrics",
             Doc("meta", "Server metrics: store commits and answers per commit (admin)")
                 .Returns(200, "Metrics"),
             Authed(context, service::kScopeAccount, [platform](Request&, const service::Principal& caller) {
               if (!caller.is_admin()) {
                 return ErrorReply(Status::PermissionDenied("metrics need the admin role"));
               }
               return JsonReply({{"store", WriteStatsJson(platform->write_stats())}});
             }));
}

json RegisterOpenApiRoute(ApiRoutes& routes, const ApiContext& context) {
  auto body = std::make_shared<std::string>();
  routes.AddSchema("OpenApi", {{"type", "object"}, {"description", "an OpenAPI 3.0 document"}});
  routes.Add(verb::get, "/api/openapi.json",
             Doc("meta", "This OpenAPI document").Public().Returns(200, "OpenApi"),
             [body](Request&) { return RawJsonReply(beast_http::status::ok, *body); });
  json document = OpenApiDocument(routes, context.version);
  *body = document.dump();
  return document;
}

}  // namespace tinydata::http
