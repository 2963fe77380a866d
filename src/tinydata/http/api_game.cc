#include "tinydata/http/api_game.h"

#include <cstdio>
#include <random>
#include <string>
#include <utility>

#include "tinydata/http/api_annotate.h"
#include "tinydata/http/api_json.h"
#include "tinydata/ledger/entry.h"
#include "tinydata/service/game_service.h"

namespace tinydata::http {
namespace {

using beast_http::verb;
using nlohmann::json;

json IntProp() { return {{"type", "integer"}}; }

void AddGameSchemas(ApiRoutes& routes) {
  routes.AddSchema("Checkin", {{"type", "object"},
                               {"required", {"day", "streak", "bonus_aia"}},
                               {"properties",
                                {{"day", {{"type", "string"}, {"format", "date"}}},
                                 {"streak", IntProp()},
                                 {"bonus_aia", IntProp()},
                                 {"withheld_aia", IntProp()}}}});
  routes.AddSchema(
      "Profile",
      {{"type", "object"},
       {"required", {"user", "level", "xp", "xp_to_next", "streak", "balances", "pending_aia"}},
       {"properties",
        {{"user", {{"$ref", "#/components/schemas/User"}}},
         {"level", IntProp()},
         {"xp", IntProp()},
         {"xp_to_next", IntProp()},
         {"next_level_xp", {{"type", "integer"}, {"nullable", true}}},
         {"next_level_cost_aia", {{"type", "integer"}, {"nullable", true}}},
         {"streak", IntProp()},
         {"balances",
          {{"type", "object"}, {"properties", {{"AIA", IntProp()}, {"AGT", IntProp()}}}}},
         {"pending_aia", IntProp()},
         {"gold_accuracy", {{"type", "number"}, {"nullable", true}}},
         {"accuracy_history",
          {{"type", "array"},
           {"items",
            {{"type", "object"},
             {"properties",
              {{"day", {{"type", "string"}, {"format", "date"}}},
               {"accuracy", {{"type", "number"}}},
               {"gold_answers", IntProp()}}}}}}},
         {"reputation", IntProp()},
         {"paused", {{"type", "boolean"}}},
         {"paused_until", {{"type", "string"}, {"format", "date-time"}}}}}});
  routes.AddSchema(
      "LevelUp",
      {{"type", "object"},
       {"required", {"level", "agt_granted", "agt_withheld"}},
       {"properties",
        {{"level", IntProp()}, {"agt_granted", IntProp()}, {"agt_withheld", IntProp()}}}});
  routes.AddSchema("Leaderboard",
                   {{"type", "object"},
                    {"required", {"period", "entries"}},
                    {"properties",
                     {{"period", {{"type", "string"}, {"enum", {"daily", "weekly", "all"}}}},
                      {"entries",
                       {{"type", "array"},
                        {"items",
                         {{"type", "object"},
                          {"properties",
                           {{"rank", IntProp()},
                            {"display_name", {{"type", "string"}}},
                            {"xp", IntProp()}}}}}}}}}});
  routes.AddSchema("ReferrerInput", {{"type", "object"},
                                     {"required", {"referral_code"}},
                                     {"additionalProperties", false},
                                     {"properties", {{"referral_code", {{"type", "string"}}}}}});
  routes.AddSchema("FundInput",
                   {{"type", "object"},
                    {"required", {"amount_aia"}},
                    {"additionalProperties", false},
                    {"properties", {{"amount_aia", {{"type", "integer"}, {"minimum", 1}}}}}});
  routes.AddSchema(
      "CreditGrantInput",
      {{"type", "object"},
       {"required", {"amount_aia", "reference"}},
       {"additionalProperties", false},
       {"description", "exactly one of user_id, email or pool names who is credited"},
       {"properties",
        {{"user_id", IntProp()},
         {"email", {{"type", "string"}}},
         {"pool", {{"type", "string"}, {"description", "a platform pool, e.g. checkin"}}},
         {"amount_aia",
          {{"type", "integer"}, {"minimum", 1}, {"maximum", service::kMaxGrantAia}}},
         {"reference",
          {{"type", "string"},
           {"maxLength", 64},
           {"description", "the payment this grant records, e.g. an invoice number; once"}}}}}});
  routes.AddSchema("CreditGrant", {{"type", "object"},
                                   {"required", {"account", "amount_aia", "reference", "balance_aia"}},
                                   {"properties",
                                    {{"account", {{"type", "string"}}},
                                     {"user_id", IntProp()},
                                     {"amount_aia", IntProp()},
                                     {"reference", {{"type", "string"}}},
                                     {"balance_aia", IntProp()}}}});
  routes.AddSchema("Budget", {{"type", "object"},
                              {"required", {"budget_aia"}},
                              {"properties", {{"budget_aia", IntProp()}}}});
}

Response Reply(const Result<json>& result) {
  return result.ok() ? JsonReply(*result) : ErrorReply(result.status());
}

Result<json> Fund(service::Platform& platform, service::GameService& game, Request& request,
                  const service::Principal& caller) {
  const int64_t project_id = *request.PathInt("id");
  // NotFound unless the caller owns the project (or is an admin).
  TD_ASSIGN_OR_RETURN(store::Project project, platform.GetProject(caller, project_id));
  TD_ASSIGN_OR_RETURN(json body, ParseJsonBody(request));
  JsonObjectReader in(body);
  TD_RETURN_IF_ERROR(in.RejectUnknown({"amount_aia"}));
  TD_ASSIGN_OR_RETURN(int64_t amount, in.Int("amount_aia"));
  std::string key(request.header("Idempotency-Key"));
  if (key.empty()) {
    // Without a key every request is a new funding, so it gets a reference of its own.
    std::random_device random;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%08x%08x", random(), random());
    key = std::string("auto-") + buf;
  }
  TD_ASSIGN_OR_RETURN(int64_t budget, game.FundProject(caller.user_id, project.id, amount, key));
  return json{{"budget_aia", budget}};
}

// POST /api/v1/admin/credits: {user_id | email | pool, amount_aia, reference}.
Result<json> Grant(service::Platform& platform, service::GameService& game, Request& request) {
  TD_ASSIGN_OR_RETURN(json body, ParseJsonBody(request));
  JsonObjectReader in(body);
  TD_RETURN_IF_ERROR(in.RejectUnknown({"user_id", "email", "pool", "amount_aia", "reference"}));
  const int named = static_cast<int>(in.Has("user_id")) + static_cast<int>(in.Has("email")) +
                    static_cast<int>(in.Has("pool"));
  if (named != 1) {
    return Status::InvalidArgument("name exactly one of user_id, email or pool", "user_id");
  }
  std::string account;
  std::optional<int64_t> user_id;
  if (in.Has("pool")) {
    TD_ASSIGN_OR_RETURN(std::string pool, in.String("pool"));
    account = ledger::PoolAccount(pool);
    if (!ledger::ValidateAccount(account, "pool").ok()) {
      return Status::InvalidArgument("must be a pool name such as checkin", "pool");
    }
  } else if (in.Has("email")) {
    TD_ASSIGN_OR_RETURN(std::string email, in.String("email"));
    TD_ASSIGN_OR_RETURN(store::User user, platform.FindUserByEmail(email));
    user_id = user.id;
  } else {
    TD_ASSIGN_OR_RETURN(int64_t id, in.Int("user_id"));
    TD_ASSIGN_OR_RETURN(store::User user, platform.GetUser(id));
    user_id = user.id;
  }
  if (user_id) account = game.accounts().OfUser(*user_id);
  TD_ASSIGN_OR_RETURN(int64_t amount, in.Int("amount_aia"));
  TD_ASSIGN_OR_RETURN(std::string reference, in.String("reference"));
  TD_ASSIGN_OR_RETURN(int64_t balance, game.GrantCredit(account, amount, reference));
  json out = {{"account", account},
              {"amount_aia", amount},
              {"reference", reference},
              {"balance_aia", balance}};
  if (user_id) out["user_id"] = *user_id;
  return out;
}

}  // namespace

void RegisterGameRoutes(ApiRoutes& routes, const ApiContext& context) {
  if (context.game == nullptr) return;
  AddGameSchemas(routes);
  service::GameService* game = context.game;
  service::Platform* platform = context.platform;

  routes.AddAsync(verb::post, "/api/v1/checkins",
                  Doc("game", "Check in for today (UTC); pays the streak bonus")
                      .Returns(200, "Checkin")
                      .Also(409, "already checked in today"),
                  AuthedBlocking(context, service::kScopeAccount, [game](Request&, const service::Principal& caller) {
                    auto outcome = game->CheckIn(caller.user_id);
                    if (!outcome.ok()) return ErrorReply(outcome.status());
                    return JsonReply(service::CheckinJson(*outcome));
                  }));

  routes.AddAsync(verb::get, "/api/v1/me/profile",
                  Doc("game", "The caller's level, XP, streak, balances and gold accuracy")
                      .Returns(200, "Profile"),
                  AuthedBlocking(context, service::kScopeRead, [game](Request&, const service::Principal& caller) {
                    auto profile = game->GetProfile(caller.user_id);
                    if (!profile.ok()) return ErrorReply(profile.status());
                    return JsonReply(service::ProfileJson(*profile));
                  }));

  routes.AddAsync(verb::post, "/api/v1/me/level-up",
                  Doc("game", "Buy the next level with AIA")
                      .Returns(200, "LevelUp")
                      .Also(409, "XP or balance is short, or already at the top level"),
                  AuthedBlocking(context, service::kScopeAccount, [game](Request&, const service::Principal& caller) {
                    auto outcome = game->LevelUp(caller.user_id);
                    if (!outcome.ok()) return ErrorReply(outcome.status());
                    return JsonReply(service::LevelUpJson(*outcome));
                  }));

  routes.AddAsync(
      verb::post, "/api/v1/me/referrer",
      Doc("game", "Record who referred the caller (once)")
          .JsonBody("ReferrerInput")
          .Returns(204)
          .Also(409, "the caller already has a referrer, or the referral would loop"),
      AuthedBlocking(context, service::kScopeAccount, [game](Request& request, const service::Principal& caller) {
        Result<json> body = ParseJsonBody(request);
        if (!body.ok()) return ErrorReply(body.status());
        JsonObjectReader in(*body);
        if (Status s = in.RejectUnknown({"referral_code"}); !s.ok()) return ErrorReply(s);
        Result<std::string> code = in.String("referral_code");
        if (!code.ok()) return ErrorReply(code.status());
        Status status = game->RedeemReferral(caller.user_id, *code);
        return status.ok() ? NoContentReply() : ErrorReply(status);
      }));

  routes.AddAsync(
      verb::get, "/api/v1/leaderboard",
      Doc("game", "Users with the most XP today, this week (from Monday, UTC) or ever")
          .Returns(200, "Leaderboard")
          .Query("period", "string", "default daily", {"daily", "weekly", "all"})
          .Query("limit", "integer", "1..100, default 20"),
      AuthedBlocking(context, service::kScopeRead, [game](Request& request, const service::Principal&) {
        const std::string period_name(request.query().Get("period").value_or("daily"));
        Result<game::LeaderboardPeriod> period = game::ParseLeaderboardPeriod(period_name);
        if (!period.ok()) return ErrorReply(period.status());
        Result<int64_t> limit = request.query().GetInt("limit", 20);
        if (!limit.ok()) return ErrorReply(limit.status());
        if (*limit < 1 || *limit > 100) {
          return ErrorReply(Status::InvalidArgument("must lie in 1..100", "limit"));
        }
        auto entries = game->Leaderboard(*period, static_cast<int>(*limit));
        if (!entries.ok()) return ErrorReply(entries.status());
        json out = json::array();
        for (const service::LeaderboardEntry& e : *entries) {
          out.push_back({{"rank", e.rank}, {"display_name", e.display_name}, {"xp", e.xp}});
        }
        return JsonReply(json{{"period", game::LeaderboardPeriodName(*period)}, {"entries", out}});
      }));

  routes.AddAsync(
      verb::post, "/api/v1/projects/{id:int}/fund",
      Doc("projects",
          "Fund the project's reward budget from the caller's own credit (idempotent under "
          "Idempotency-Key)")
          .JsonBody("FundInput")
          .Returns(200, "Budget")
          .Also(409, "the caller's credit is short (amount_aia), or the Idempotency-Key funded "
                     "another amount"),
      AuthedBlocking(context, service::kScopeProjects, [platform, game](Request& request, const service::Principal& caller) {
        if (Status s = RequireRole(caller, store::kRoleRequester, "funding a project"); !s.ok()) {
          return ErrorReply(s);
        }
        return Reply(Fund(*platform, *game, request, caller));
      }));

  routes.AddAsync(
      verb::post, "/api/v1/admin/credits",
      Doc("admin",
          "Credit AIA to a user or a pool for a payment received outside the ledger (admin); "
          "the only way AIA enters the ledger")
          .JsonBody("CreditGrantInput")
          .Returns(201, "CreditGrant")
          .Also(409, "the reference was granted before"),
      AuthedBlocking(context, service::kScopeAccount,
                     [platform, game](Request& request, const service::Principal& caller) {
                       if (!caller.is_admin()) {
                         return ErrorReply(Status::PermissionDenied("credit grants are for admins"));
                       }
                       Result<json> granted = Grant(*platform, *game, request);
                       if (!granted.ok()) return ErrorReply(granted.status());
                       return JsonReply(beast_http::status::created, *granted);
                     }));
}

}  // namespace tinydata::http
