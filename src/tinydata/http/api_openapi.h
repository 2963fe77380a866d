// The OpenAPI 3.0 document of the HTTP API, generated from the routes registered on an ApiRoutes
// (so it cannot drift from what the server answers) plus the shared error schema and the bearer
// security scheme.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tinydata/http/api_routes.h"

namespace tinydata::http {

// "/api/v1/projects/{id:int}" -> "/api/v1/projects/{id}" (OpenAPI path templates carry no type).
std::string OpenApiPath(std::string_view pattern);

// The document: openapi "3.0.3", info {title, version}, paths (one operation per documented
// route, with path parameters, query parameters, request body, success and error responses),
// components {schemas (routes' schemas + Error), securitySchemes {bearer}}.
nlohmann::json OpenApiDocument(const ApiRoutes& routes, std::string_view version);

}  // namespace tinydata::http
