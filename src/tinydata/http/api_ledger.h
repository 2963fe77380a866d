// The verifiable ledger (docs/api.md "Rewards, game and ledger"): GET /api/v1/ledger/checkpoint,
// GET /api/v1/ledger/entries/{index}?tree_size= and GET /api/v1/ledger/consistency?first=&second=.
// Public: anyone may audit the log.
#pragma once

#include "tinydata/http/api.h"

namespace tinydata::http {

// Registers the routes when context.ledger is set.
void RegisterLedgerRoutes(ApiRoutes& routes, const ApiContext& context);

}  // namespace tinydata::http
