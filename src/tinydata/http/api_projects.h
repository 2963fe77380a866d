// Projects and their results (docs/api.md "Projects"): create, list, read, update, pause and
// resume projects; import and list tasks; progress stats; the streamed export.
#pragma once

#include "tinydata/http/api.h"

namespace tinydata::http {

void RegisterProjectRoutes(ApiRoutes& routes, const ApiContext& context);

}  // namespace tinydata::http
