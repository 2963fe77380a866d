#include "tinydata/http/api_auth.h"

#include <spdlog/spdlog.h>

#include "tinydata/http/api_json.h"

namespace tinydata::http {

namespace {

using nlohmann::json;
using beast_http::verb;

json SessionJson(const service::Session& session) {
  return {{"user", service::UserJson(session.user)}, {"token", session.token}};
}

void AddAuthSchemas(ApiRoutes& routes) {
  routes.AddSchema(
      "User",
      {{"type", "object"},
       {"required",
        {"id", "email", "display_name", "roles", "level", "xp", "referral_code", "created_at"}},
       {"properties",
        {{"id", {{"type", "integer"}}},
         {"email", {{"type", "string"}}},
         {"display_name", {{"type", "string"}}},
         {"roles",
          {{"type", "array"},
           {"items",
            {{"type", "string"}, {"enum", {"annotator", "requester", "verifier", "admin"}}}}}},
         {"level", {{"type", "integer"}}},
         {"xp", {{"type", "integer"}}},
         {"referral_code", {{"type", "string"}}},
         {"created_at", {{"type", "string"}, {"format", "date-time"}}}}}});
  routes.AddSchema("Session", {{"type", "object"},
                               {"required", {"user", "token"}},
                               {"properties",
                                {{"user", {{"$ref", "#/components/schemas/User"}}},
                                 {"token", {{"type", "string"}}}}}});
  routes.AddSchema("RegisterRequest",
                   {{"type", "object"},
                    {"required", {"email", "password"}},
                    {"additionalProperties", false},
                    {"properties",
                     {{"email", {{"type", "string"}, {"format", "email"}}},
                      {"password", {{"type", "string"}, {"minLength", 8}}},
                      {"display_name", {{"type", "string"}}},
                      {"role", {{"type", "string"}, {"enum", {"annotator", "requester"}}}},
                      {"referral_code", {{"type", "string"}}}}}});
  routes.AddSchema(
      "Token",
      {{"type", "object"},
       {"required", {"id", "kind", "created_at", "last_used_at", "current"}},
       {"properties",
        {{"id", {{"type", "string"}}},
         {"kind", {{"type", "string"}, {"enum", {"session", "api"}}}},
         {"name", {{"type", "string"}}},
         {"scopes",
          {{"type", "array"},
           {"items", {{"type", "string"}, {"enum", {"read", "annotate", "projects"}}}}}},
         {"created_at", {{"type", "string"}, {"format", "date-time"}}},
         {"last_used_at", {{"type", "string"}, {"format", "date-time"}}},
         {"expires_at", {{"type", "string"}, {"format", "date-time"}}},
         {"current", {{"type", "boolean"}}}}}});
  routes.AddSchema("TokenList", {{"type", "object"},
                                 {"required", {"tokens"}},
                                 {"properties",
                                  {{"tokens",
                                    {{"type", "array"},
                                     {"items", {{"$ref", "#/components/schemas/Token"}}}}}}}});
  routes.AddSchema(
      "ApiTokenInput",
      {{"type", "object"},
       {"required", {"name", "scopes"}},
       {"additionalProperties", false},
       {"properties",
        {{"name", {{"type", "string"}, {"minLength", 1}, {"maxLength", 100}}},
         {"scopes",
          {{"type", "array"},
           {"minItems", 1},
           {"items", {{"type", "string"}, {"enum", {"read", "annotate", "projects"}}}}}},
         {"expires_in_days", {{"type", "integer"}, {"minimum", 1}, {"maximum", 365}}}}}});
  routes.AddSchema("CreatedApiToken", {{"type", "object"},
                                       {"required", {"token", "secret"}},
                                       {"properties",
                                        {{"token", {{"$ref", "#/components/schemas/Token"}}},
                                         {"secret", {{"type", "string"}}}}}});
  routes.AddSchema("LoginRequest", {{"type", "object"},
                                    {"required", {"email", "password"}},
                                    {"additionalProperties", false},
                                    {"properties",
                                     {{"email", {{"type", "string"}}},
                                      {"password", {{"type", "string"}}}}}});
}

Result<service::ApiTokenRequest> DecodeApiToken(const Request& request) {
  TD_ASSIGN_OR_RETURN(json body, ParseJsonBody(request));
  JsonObjectReader in(body);
  TD_RETURN_IF_ERROR(in.RejectUnknown({"name", "scopes", "expires_in_days"}));
  service::ApiTokenRequest out;
  TD_ASSIGN_OR_RETURN(out.name, in.String("name"));
  TD_ASSIGN_OR_RETURN(const json* scopes, in.Value("scopes"));
  if (!scopes->is_array()) return Status::InvalidArgument("must be an array of strings", "scopes");
  std::vector<std::string> names;
  for (size_t i = 0; i < scopes->size(); ++i) {
    if (!(*scopes)[i].is_string()) {
      return Status::InvalidArgument("must be a string", "scopes[" + std::to_string(i) + "]");
    }
    names.push_back((*scopes)[i].get<std::string>());
  }
  TD_ASSIGN_OR_RETURN(out.scopes, service::ParseScopes(names, "scopes"));
  TD_ASSIGN_OR_RETURN(std::optional<int64_t> days, in.OptionalInt("expires_in_days"));
  if (days) out.expires_in_days = *days;
  return out;
}

struct RegisterInput {
  service::RegisterRequest request;
  std::optional<std::string> referral_code;
};

Result<RegisterInput> DecodeRegister(const Request& request) {
  TD_ASSIGN_OR_RETURN(json body, ParseJsonBody(request));
  JsonObjectReader in(body);
  TD_RETURN_IF_ERROR(
      in.RejectUnknown({"email", "password", "display_name", "role", "referral_code"}));
  RegisterInput input;
  service::RegisterRequest& out = input.request;
  TD_ASSIGN_OR_RETURN(out.email, in.String("email"));
  TD_ASSIGN_OR_RETURN(out.password, in.String("password"));
  TD_ASSIGN_OR_RETURN(std::optional<std::string> display_name, in.OptionalString("display_name"));
  if (display_name) out.display_name = std::move(*display_name);
  TD_ASSIGN_OR_RETURN(std::optional<std::string> role, in.OptionalString("role"));
  if (role) out.role = std::move(*role);
  TD_ASSIGN_OR_RETURN(input.referral_code, in.OptionalString("referral_code"));
  return input;
}

}  // namespace

void RegisterAuthRoutes(ApiRoutes& routes, const ApiContext& context) {
  AddAuthSchemas(routes);
  service::Platform* platform = context.platform;
  service::GameService* game = context.game;

  routes.AddAsync(verb::post, "/api/v1/auth/register",
                  Doc("auth", "Create an account (annotator or requester) and sign in")
                      .Public()
                      .JsonBody("RegisterRequest")
                      .Returns(201, "Session")
                      .Also(404, "unknown referral_code")
                      .Also(409, "the email is already registered"),
                  PasswordWork(context, [platform, game](Request& request) -> Response {
                    Result<RegisterInput> input = DecodeRegister(request);
                    if (!input.ok()) return ErrorReply(input.status());
                    const std::optional<std::string>& code = input->referral_code;
                    const bool refer = code && !code->empty() && game != nullptr;
                    // An unknown code is refused before the account exists, so the user can
                    // correct it and sign up again.
                    if (refer) {
                      if (Status s = game->CheckReferralCode(*code); !s.ok()) return ErrorReply(s);
                    }
                    Result<service::Session> session = platform->Register(input->request);
                    if (session.ok() && refer) {
                      // A brand-new user can be neither the code's owner nor in its chain, so
                      // only a store failure lands here; the account stays and the referral
                      // can be redeemed later through POST /api/v1/me/referrer.
                      if (Status s = game->RedeemReferral(session->user.id, *code); !s.ok()) {
                        spdlog::warn("event=referral_failed user={} reason={}", session->user.id,
                                     s.ToString());
                      }
                    }
                    return ReplyFromResult(session, SessionJson, beast_http::status::created);
                  }));

  routes.AddAsync(verb::post, "/api/v1/auth/login",
                  Doc("auth", "Sign in with email and password")
                      .Public()
                      .JsonBody("LoginRequest")
                      .Returns(200, "Session")
                      .Also(429, "too many failed sign-ins for this account or address "
                                 "(Retry-After)"),
                  PasswordWork(context, [platform](Request& request) -> Response {
                    Result<json> body = ParseJsonBody(request);
                    if (!body.ok()) return ErrorReply(body.status());
                    JsonObjectReader in(*body);
                    if (Status s = in.RejectUnknown({"email", "password"}); !s.ok()) {
                      return ErrorReply(s);
                    }
                    Result<std::string> email = in.String("email");
                    if (!email.ok()) return ErrorReply(email.status());
                    Result<std::string> password = in.String("password");
                    if (!password.ok()) return ErrorReply(password.status());
                    int64_t retry_after = 0;
                    Result<service::Session> session = platform->Login(
                        *email, *password, request.client_address(), &retry_after);
                    Response response = ReplyFromResult(session, SessionJson);
                    if (retry_after > 0) {
                      response.headers.set(beast_http::field::retry_after,
                                           std::to_string(retry_after));
                    }
                    return response;
                  }));

  routes.AddAsync(verb::post, "/api/v1/auth/logout",
                  Doc("auth", "Revoke the presented bearer token").Returns(204),
                  AuthedBlocking(context, 0, [platform](Request& request,
                                                     const service::Principal&) -> Response {
                    Result<std::string_view> token = BearerToken(request);
                    if (!token.ok()) return ErrorReply(token.status());
                    Status status = platform->Logout(*token);
                    if (!status.ok()) return ErrorReply(status);
                    return NoContentReply();
                  }));

  routes.AddAsync(verb::post, "/api/v1/auth/logout-all",
                  Doc("auth", "Revoke every session and API token of the caller (a session)")
                      .Returns(204),
                  AuthedBlocking(context, service::kScopeAccount,
                                 [platform](Request&, const service::Principal& caller) {
                                   Status status = platform->LogoutEverywhere(caller);
                                   return status.ok() ? NoContentReply() : ErrorReply(status);
                                 }));

  routes.AddAsync(verb::get, "/api/v1/me/tokens",
                  Doc("auth", "The caller's live sessions and API tokens").Returns(200, "TokenList"),
                  AuthedBlocking(context, service::kScopeAccount,
                                 [platform](Request&, const service::Principal& caller) {
                                   auto tokens = platform->ListTokens(caller);
                                   if (!tokens.ok()) return ErrorReply(tokens.status());
                                   json list = json::array();
                                   for (const store::Token& t : *tokens) {
                                     list.push_back(service::TokenJson(t, caller));
                                   }
                                   return JsonReply({{"tokens", std::move(list)}});
                                 }));

  routes.AddAsync(
      verb::post, "/api/v1/me/tokens",
      Doc("auth", "Create a personal API token for scripts (its secret is shown once)")
          .JsonBody("ApiTokenInput")
          .Returns(201, "CreatedApiToken"),
      AuthedBlocking(context, service::kScopeAccount,
                     [platform](Request& request, const service::Principal& caller) {
                       Result<service::ApiTokenRequest> input = DecodeApiToken(request);
                       if (!input.ok()) return ErrorReply(input.status());
                       auto created = platform->CreateApiToken(caller, *input);
                       if (!created.ok()) return ErrorReply(created.status());
                       return JsonReply(beast_http::status::created,
                                        {{"token", service::TokenJson(created->token, caller)},
                                         {"secret", created->secret}});
                     }));

  routes.AddAsync(verb::delete_, "/api/v1/me/tokens/{id}",
                  Doc("auth", "Revoke one of the caller's sessions or API tokens").Returns(204),
                  AuthedBlocking(context, service::kScopeAccount,
                                 [platform](Request& request, const service::Principal& caller) {
                                   Status status =
                                       platform->RevokeToken(caller, request.PathParam("id"));
                                   return status.ok() ? NoContentReply() : ErrorReply(status);
                                 }));

  routes.Add(verb::get, "/api/v1/me",
             Doc("auth", "The signed-in user").Returns(200, "User"),
             Authed(context, service::kScopeRead, [platform](Request&, const service::Principal& caller) {
               return ReplyFromResult(platform->GetUser(caller.user_id), service::UserJson);
             }));
}

}  // namespace tinydata::http
