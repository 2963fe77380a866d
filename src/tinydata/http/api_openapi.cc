#include "tinydata/http/api_openapi.h"

#include <algorithm>
#include <cctype>

namespace tinydata::http {

namespace {

using nlohmann::json;

json Ref(std::string_view schema) {
  return {{"$ref", "#/components/schemas/" + std::string(schema)}};
}

std::string LowerMethod(beast_http::verb method) {
  std::string m(beast_http::to_string(method));
  std::transform(m.begin(), m.end(), m.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return m;
}

// The reason phrase used as the description of a response.
std::string Describe(int status) {
  return std::string(beast_http::obsolete_reason(static_cast<beast_http::status>(status)));
}

json ErrorResponse(std::string_view description) {
  return {{"description", description},
          {"content", {{"application/json", {{"schema", Ref("Error")}}}}}};
}

json Operation(const DocumentedRoute& route) {
  const RouteDoc& doc = route.doc;
  json op = json::object();
  if (!doc.tag.empty()) op["tags"] = json::array({doc.tag});
  op["summary"] = doc.summary;
  op["operationId"] = LowerMethod(route.method) + OpenApiPath(route.pattern);

  json parameters = json::array();
  // Path parameters, in pattern order.
  std::string_view pattern = route.pattern;
  for (size_t open = pattern.find('{'); open != std::string_view::npos;
       open = pattern.find('{', open + 1)) {
    const size_t close = pattern.find('}', open);
    std::string_view inner = pattern.substr(open + 1, close - open - 1);
    const size_t colon = inner.find(':');
    const bool is_int = colon != std::string_view::npos;
    parameters.push_back({{"name", std::string(inner.substr(0, colon))},
                          {"in", "path"},
                          {"required", true},
                          {"schema", {{"type", is_int ? "integer" : "string"}}}});
  }
  for (const QueryParamDoc& q : doc.query) {
    json schema = {{"type", q.type}};
    if (!q.allowed.empty()) schema["enum"] = q.allowed;
    json p = {{"name", q.name}, {"in", "query"}, {"required", false}, {"schema", schema}};
    if (!q.description.empty()) p["description"] = q.description;
    parameters.push_back(std::move(p));
  }
  if (route.pattern.find("/answer") != std::string::npos) {
    parameters.push_back({{"name", "Idempotency-Key"},
                          {"in", "header"},
                          {"required", false},
                          {"description",
                           "a retry with the same key returns the first answer's response"},
                          {"schema", {{"type", "string"}, {"maxLength", 200}}}});
  }
  if (!parameters.empty()) op["parameters"] = std::move(parameters);

  if (!doc.request_schema.empty()) {
    op["requestBody"] = {
        {"required", true},
        {"content", {{"application/json", {{"schema", Ref(doc.request_schema)}}}}}};
  } else if (!doc.request_content_types.empty()) {
    json content = json::object();
    for (const std::string& type : doc.request_content_types) {
      content[type] = {{"schema", {{"type", "string"}}}};
    }
    op["requestBody"] = {{"required", true}, {"content", std::move(content)}};
  }

  json responses = json::object();
  json success = {{"description", Describe(doc.success_status)}};
  if (!doc.response_schema.empty()) {
    success["content"] = {{"application/json", {{"schema", Ref(doc.response_schema)}}}};
  } else if (!doc.response_content_types.empty()) {
    json content = json::object();
    for (const std::string& type : doc.response_content_types) {
      content[type] = {{"schema", {{"type", "string"}}}};
    }
    success["content"] = std::move(content);
  }
  responses[std::to_string(doc.success_status)] = std::move(success);
  for (const auto& [status, description] : doc.other_responses) {
    responses[std::to_string(status)] = {{"description", description}};
  }
  if (!doc.request_schema.empty() || !doc.request_content_types.empty() || !doc.query.empty() ||
      route.pattern.find('{') != std::string::npos) {
    responses["400"] = ErrorResponse("invalid input; `error.field` names the offending field");
  }
  if (doc.requires_auth) {
    responses["401"] = ErrorResponse("missing, unknown or revoked bearer token");
    responses["403"] = ErrorResponse("the caller's role does not allow this");
  }
  if (route.pattern.find('{') != std::string::npos) {
    responses["404"] = ErrorResponse("no such object, or not visible to the caller");
  }
  if (!doc.request_schema.empty() || !doc.request_content_types.empty()) {
    responses["413"] = ErrorResponse("request body too large");
  }
  responses["default"] = ErrorResponse("any other error");
  op["responses"] = std::move(responses);

  if (doc.requires_auth) {
    op["security"] = json::array({{{"bearer", json::array()}}});
  } else {
    op["security"] = json::array();
  }
  return op;
}

}  // namespace

std::string OpenApiPath(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  bool in_param = false;
  bool skipping_type = false;
  for (char c : pattern) {
    if (c == '{') {
      in_param = true;
    } else if (c == '}') {
      in_param = false;
      skipping_type = false;
    } else if (c == ':' && in_param) {
      skipping_type = true;
      continue;
    }
    if (!skipping_type) out.push_back(c);
  }
  return out;
}

nlohmann::json OpenApiDocument(const ApiRoutes& routes, std::string_view version) {
  json paths = json::object();
  for (const DocumentedRoute& route : routes.routes()) {
    paths[OpenApiPath(route.pattern)][LowerMethod(route.method)] = Operation(route);
  }
  json schemas = routes.schemas();
  schemas["Error"] = {
      {"type", "object"},
      {"required", {"error"}},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", {"code", "message"}},
          {"properties",
           {{"code", {{"type", "string"}, {"example", "invalid_argument"}}},
            {"message", {{"type", "string"}}},
            {"field", {{"type", "string"}, {"example", "overlap.max_answers"}}}}}}}}}};
  return {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "tinydata API"},
        {"version", version},
        {"description",
         "Gamified crowd annotation: projects, tasks, answers with live quality control. "
         "See docs/api.md."}}},
      {"servers", json::array({{{"url", "/"}}})},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas", std::move(schemas)},
        {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
  };
}

}  // namespace tinydata::http
