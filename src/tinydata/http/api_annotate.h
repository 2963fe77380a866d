// Annotating (docs/api.md "Annotating"): GET /api/v1/tasks/next leases a task,
// POST /api/v1/assignments/{id}/answer answers it (idempotent under an Idempotency-Key).
// Both complete asynchronously, once the store's group commit made the change durable.
#pragma once

#include "tinydata/http/api.h"

namespace tinydata::http {

// Idempotency keys longer than this are refused (field "Idempotency-Key").
inline constexpr size_t kMaxIdempotencyKeyBytes = 200;

void RegisterAnnotateRoutes(ApiRoutes& routes, const ApiContext& context);

}  // namespace tinydata::http
