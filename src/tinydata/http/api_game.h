// Rewards and game (docs/api.md "Rewards, game and ledger"): POST /api/v1/checkins,
// GET /api/v1/me/profile, POST /api/v1/me/level-up, POST /api/v1/me/referrer,
// GET /api/v1/leaderboard, POST /api/v1/projects/{id}/fund.
#pragma once

#include "tinydata/http/api.h"

namespace tinydata::http {

// Registers the routes when context.game is set.
void RegisterGameRoutes(ApiRoutes& routes, const ApiContext& context);

}  // namespace tinydata::http
