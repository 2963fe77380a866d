#include "tinydata/http/api_routes.h"

#include <utility>

namespace tinydata::http {

void ApiRoutes::Add(beast_http::verb method, std::string_view pattern, RouteDoc doc,
                    Handler handler, RouteOptions options) {
  router_.Add(method, pattern, std::move(handler), options);
  routes_.push_back({method, std::string(pattern), std::move(doc)});
}

void ApiRoutes::AddAsync(beast_http::verb method, std::string_view pattern, RouteDoc doc,
                         AsyncHandler handler, RouteOptions options) {
  router_.AddAsync(method, pattern, std::move(handler), options);
  routes_.push_back({method, std::string(pattern), std::move(doc)});
}

void ApiRoutes::AddSchema(std::string name, nlohmann::json schema) {
  schemas_[std::move(name)] = std::move(schema);
}

}  // namespace tinydata::http
