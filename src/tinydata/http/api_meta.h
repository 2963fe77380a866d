// Meta endpoints: GET /healthz, GET /api/v1/admin/metrics (admin: store write statistics, e.g.
// how many answers share one commit) and GET /api/openapi.json.
#pragma once

#include <nlohmann/json.hpp>

#include "tinydata/http/api.h"

namespace tinydata::http {

void RegisterMetaRoutes(ApiRoutes& routes, const ApiContext& context);

// Registers GET /api/openapi.json and returns the document it serves, generated from every
// route registered on `routes` so far (call it last).
nlohmann::json RegisterOpenApiRoute(ApiRoutes& routes, const ApiContext& context);

// The JSON form of store write statistics:
// {commits, batches, failed_batches, answers, answers_per_commit, max_batches_per_commit,
//  max_answers_per_commit}.
nlohmann::json WriteStatsJson(const store::WriteStats& stats);

}  // namespace tinydata::http
