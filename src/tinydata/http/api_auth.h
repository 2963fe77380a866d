// Accounts (docs/api.md "Accounts"): POST /api/v1/auth/register, /auth/login, /auth/logout and
// GET /api/v1/me.
#pragma once

#include "tinydata/http/api.h"

namespace tinydata::http {

void RegisterAuthRoutes(ApiRoutes& routes, const ApiContext& context);

}  // namespace tinydata::http
