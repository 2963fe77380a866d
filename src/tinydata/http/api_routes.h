// ApiRoutes: registers documented routes on a Router, so the OpenAPI document served at
// /api/openapi.json is generated from exactly the routes the server answers (api_openapi.h).
//
// Each api_<noun>.cc adds its routes through one `Register<Noun>Routes(ApiRoutes&, ...)`
// function; api.cc calls them all in one place. A route's RouteDoc says what the OpenAPI
// document needs: summary, whether a bearer token is required, the request body and the
// success response (as names of component schemas added with AddSchema), query parameters.
//
// Not thread-safe; build it before the Server starts, like the Router.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tinydata/http/router.h"

namespace tinydata::http {

struct QueryParamDoc {
  std::string name;
  std::string type;  // "string" | "integer" | "number" | "boolean"
  std::string description;
  std::vector<std::string> allowed;  // an enum, when the value is one of a few words
};

// What the OpenAPI document says about one route. Built fluently:
//   Doc("projects", "Create a project").JsonBody("ProjectInput").Returns(201, "Project")
struct RouteDoc {
  std::string tag;  // groups routes in the document: "auth", "projects", ...
  std::string summary;
  bool requires_auth = true;
  // The JSON request body's component schema; empty when the route takes no JSON body.
  std::string request_schema;
  // A non-JSON body (a task file): its content types; the body is then a string.
  std::vector<std::string> request_content_types;
  int success_status = 200;
  // The success response's component schema; empty for a body-less response (204).
  std::string response_schema;
  // Non-JSON responses (an export): their content types.
  std::vector<std::string> response_content_types;
  std::vector<QueryParamDoc> query;
  // Documented statuses besides success and the generic errors, e.g. 204 from tasks/next.
  std::vector<std::pair<int, std::string>> other_responses;

  // No bearer token needed.
  RouteDoc& Public() {
    requires_auth = false;
    return *this;
  }
  RouteDoc& JsonBody(std::string schema) {
    request_schema = std::move(schema);
    return *this;
  }
  RouteDoc& RawBody(std::vector<std::string> content_types) {
    request_content_types = std::move(content_types);
    return *this;
  }
  RouteDoc& Returns(int status, std::string schema = {}) {
    success_status = status;
    response_schema = std::move(schema);
    return *this;
  }
  RouteDoc& ReturnsRaw(std::vector<std::string> content_types) {
    response_content_types = std::move(content_types);
    return *this;
  }
  RouteDoc& Query(std::string name, std::string type, std::string description,
                  std::vector<std::string> allowed = {}) {
    query.push_back({std::move(name), std::move(type), std::move(description), std::move(allowed)});
    return *this;
  }
  RouteDoc& Also(int status, std::string description) {
    other_responses.emplace_back(status, std::move(description));
    return *this;
  }
};

inline RouteDoc Doc(std::string tag, std::string summary) {
  RouteDoc doc;
  doc.tag = std::move(tag);
  doc.summary = std::move(summary);
  return doc;
}

struct DocumentedRoute {
  beast_http::verb method;
  std::string pattern;  // as registered, e.g. "/api/v1/projects/{id:int}"
  RouteDoc doc;
};

class ApiRoutes {
 public:
  // `router` must outlive this object.
  explicit ApiRoutes(Router& router) : router_(router) {}

  void Add(beast_http::verb method, std::string_view pattern, RouteDoc doc, Handler handler,
           RouteOptions options = {});
  void AddAsync(beast_http::verb method, std::string_view pattern, RouteDoc doc,
                AsyncHandler handler, RouteOptions options = {});

  // A named JSON Schema (OpenAPI 3.0 flavour) under components/schemas. A second schema of the
  // same name replaces the first.
  void AddSchema(std::string name, nlohmann::json schema);

  const std::vector<DocumentedRoute>& routes() const { return routes_; }
  const nlohmann::json& schemas() const { return schemas_; }
  Router& router() { return router_; }

 private:
  Router& router_;
  std::vector<DocumentedRoute> routes_;
  nlohmann::json schemas_ = nlohmann::json::object();
};

}  // namespace tinydata::http
