#include "tinydata/http/api_openapi.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "tinydata/http/api.h"

namespace tinydata::http {
namespace {

using nlohmann::json;

// The document served by a router carrying the whole API. Registration never calls the
// platform, so none is needed to inspect the routes.
json BuildDocument(Router& router) {
  ApiContext context;
  context.version = "test";
  return RegisterApi(router, context);
}

beast_http::verb VerbOf(const std::string& lower) {
  std::string upper = lower;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return beast_http::string_to_verb(upper);
}

// "/api/v1/projects/{id}/stats" -> "/api/v1/projects/1/stats".
std::string Instantiate(const std::string& path) {
  return std::regex_replace(path, std::regex(R"(\{[^}]+\})"), "1");
}

TEST(OpenApiPathTest, DropsParameterTypes) {
  EXPECT_EQ(OpenApiPath("/api/v1/projects/{id:int}/tasks"), "/api/v1/projects/{id}/tasks");
  EXPECT_EQ(OpenApiPath("/a/{name}/b"), "/a/{name}/b");
}

TEST(OpenApiDocumentTest, EveryDocumentedOperationIsARouteOfTheRouter) {
  Router router;
  const json doc = BuildDocument(router);
  ASSERT_TRUE(router.status().ok()) << router.status().ToString();
  int operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      Router::Resolution r = router.Resolve(VerbOf(method), Instantiate(path));
      EXPECT_EQ(r.kind, Router::Resolution::Kind::kRoute) << method << " " << path;
      EXPECT_TRUE(op.contains("responses")) << method << " " << path;
      ++operations;
    }
  }
  EXPECT_GE(operations, 19);
}

TEST(OpenApiDocumentTest, EveryEndpointOfDocsApiMdIsDocumented) {
  Router router;
  const json doc = BuildDocument(router);
  const std::filesystem::path api_md =
      std::filesystem::path(__FILE__).parent_path() / "../../../docs/api.md";
  std::ifstream in(api_md);
  ASSERT_TRUE(in) << api_md;
  // Table rows such as "| POST /api/v1/projects/{id}/pause, /resume | ...".
  const std::regex row(R"(^\| (GET|POST|PATCH|PUT|DELETE) (/[^ |,?]*)[^ ,]*(, (/[^ |?]*))?)");
  std::set<std::string> checked;
  bool game_section = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) {
      // The game and ledger endpoints register in api_game.cc / api_ledger.cc.
      game_section = line.find("Rewards, game and ledger") != std::string::npos;
    }
    std::smatch m;
    if (game_section || !std::regex_search(line, m, row)) continue;
    std::string method = m[1];
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::vector<std::string> paths = {m[2]};
    if (m[4].matched) {
      // ", /resume" replaces the last segment of the first path.
      const std::string first = m[2];
      paths.push_back(first.substr(0, first.rfind('/')) + std::string(m[4]));
    }
    for (const std::string& path : paths) {
      EXPECT_TRUE(doc["paths"].contains(path) && doc["paths"][path].contains(method))
          << method << " " << path << " is in docs/api.md but not in the OpenAPI document";
      checked.insert(method + " " + path);
    }
  }
  EXPECT_GE(checked.size(), 17u);
}

TEST(OpenApiDocumentTest, ProtectedOperationsRequireTheBearerScheme) {
  Router router;
  const json doc = BuildDocument(router);
  EXPECT_EQ(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
  EXPECT_EQ(doc["paths"]["/api/v1/me"]["get"]["security"][0].count("bearer"), 1u);
  EXPECT_TRUE(doc["paths"]["/api/v1/auth/login"]["post"]["security"].empty());
  EXPECT_TRUE(doc["paths"]["/healthz"]["get"]["security"].empty());
}

TEST(OpenApiDocumentTest, EverySchemaReferenceResolves) {
  Router router;
  const json doc = BuildDocument(router);
  const json& schemas = doc["components"]["schemas"];
  std::function<void(const json&)> visit = [&](const json& node) {
    if (node.is_object()) {
      if (auto ref = node.find("$ref"); ref != node.end()) {
        const std::string target = ref->get<std::string>();
        const std::string prefix = "#/components/schemas/";
        ASSERT_EQ(target.rfind(prefix, 0), 0u) << target;
        EXPECT_TRUE(schemas.contains(target.substr(prefix.size()))) << target;
      }
      for (const auto& [key, value] : node.items()) visit(value);
    } else if (node.is_array()) {
      for (const json& value : node) visit(value);
    }
  };
  visit(doc);
}

TEST(OpenApiDocumentTest, PathParametersAreDeclared) {
  Router router;
  const json doc = BuildDocument(router);
  const json& op = doc["paths"]["/api/v1/projects/{id}/stats"]["get"];
  ASSERT_TRUE(op.contains("parameters"));
  EXPECT_EQ(op["parameters"][0]["name"], "id");
  EXPECT_EQ(op["parameters"][0]["in"], "path");
  EXPECT_EQ(op["parameters"][0]["schema"]["type"], "integer");
}

TEST(OpenApiDocumentTest, TaskUploadRouteAcceptsLargeBodies) {
  Router router;
  BuildDocument(router);
  Router::Resolution r = router.Resolve(beast_http::verb::post, "/api/v1/projects/3/tasks");
  EXPECT_EQ(r.max_body_bytes, kUploadBodyLimitBytes);
  Router::Resolution json_route = router.Resolve(beast_http::verb::post, "/api/v1/projects");
  EXPECT_EQ(json_route.max_body_bytes, kJsonBodyLimitBytes);
}

}  // namespace
}  // namespace tinydata::http
