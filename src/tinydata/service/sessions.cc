// Bearer tokens: sessions from signing in, personal API tokens, their expiry and revocation, and
// the cache of who holds which token (both engines; the cache only when this server is the
// database's only writer).
#include <algorithm>

#include "tinydata/service/credentials.h"
#include "tinydata/service/platform_impl.h"

namespace tinydata::service {
namespace {

constexpr int64_t kTouchEveryMs = 60'000;
constexpr size_t kMaxTokenNameBytes = 100;
constexpr size_t kMaxTokensPerUser = 50;
constexpr size_t kPublicIdLength = 12;

struct ScopeName {
  Scope scope;
  const char* name;
};
constexpr ScopeName kScopeNames[] = {
    {kScopeRead, "read"}, {kScopeAnnotate, "annotate"}, {kScopeProjects, "projects"}};

Principal PrincipalOf(const store::User& user) {
  Principal p;
  p.user_id = user.id;
  p.roles = user.roles;
  p.level = user.level;
  return p;
}

// The principal of `base` (roles, level) acting through `token`.
Principal WithToken(Principal base, const store::Token& token) {
  base.scopes = token.kind == store::TokenKind::kSession ? kSessionScopes
                                                         : (token.scopes & kApiTokenScopes);
  base.token_id = token.public_id;
  return base;
}

Status RequireSession(const Principal& caller) {
  if (caller.Allows(kScopeAccount)) return Status::Ok();
  return Status::PermissionDenied("an API token cannot do this; sign in");
}

}  // namespace

Result<uint32_t> ParseScopes(const std::vector<std::string>& names, std::string_view field) {
  if (names.empty()) {
    return Status::InvalidArgument("name at least one of read, annotate, projects",
                                   std::string(field));
  }
  uint32_t scopes = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const auto it = std::find_if(std::begin(kScopeNames), std::end(kScopeNames),
                                 [&](const ScopeName& s) { return names[i] == s.name; });
    if (it == std::end(kScopeNames)) {
      return Status::InvalidArgument("must be read, annotate or projects",
                                     std::string(field) + "[" + std::to_string(i) + "]");
    }
    scopes |= it->scope;
  }
  return scopes;
}

std::vector<std::string> ScopeNames(uint32_t scopes) {
  std::vector<std::string> names;
  for (const ScopeName& s : kScopeNames) {
    if (scopes & s.scope) names.emplace_back(s.name);
  }
  return names;
}

std::string Platform::Impl::ExpiryOf(const store::Token& token, int64_t now_ms) const {
  if (token.kind == store::TokenKind::kApi) {
    if (token.expires_at_ms > 0 && now_ms >= token.expires_at_ms) return "the API token expired";
    return "";
  }
  if (now_ms - token.created_at_ms >= options_.session_max_age_ms) {
    return "the session is too old; sign in again";
  }
  if (now_ms - std::max(token.last_used_at_ms, token.created_at_ms) >= options_.session_idle_ms) {
    return "the session expired after being unused; sign in again";
  }
  return "";
}

Result<std::string> Platform::Impl::IssueToken(const store::User& user, store::Token token) {
  const std::string secret = NewBearerToken();
  token.token_hash = TokenHash(secret);
  token.user_id = user.id;
  token.created_at_ms = clock_->NowMs();
  token.last_used_at_ms = token.created_at_ms;
  token.public_id = RandomCode(kPublicIdLength);
  store::WriteBatch batch;
  batch.insert_tokens.push_back(token);
  TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
  if (!store_->shared()) {
    std::unique_lock<std::shared_mutex> lock(auth_mu_);
    tokens_[token.token_hash] = token;
    principals_[user.id] = PrincipalOf(user);
  }
  return secret;
}

Result<Session> Platform::Impl::StartSession(store::User user) {
  store::Token token;
  token.kind = store::TokenKind::kSession;
  Session session;
  TD_ASSIGN_OR_RETURN(session.token, IssueToken(user, std::move(token)));
  session.user = std::move(user);
  return session;
}

void Platform::Impl::Touch(const std::string& hash, int64_t stored_last_used_ms, int64_t now_ms) {
  if (now_ms - stored_last_used_ms < kTouchEveryMs) return;
  if (!store_->shared()) {
    std::unique_lock<std::shared_mutex> lock(auth_mu_);
    auto it = tokens_.find(hash);
    if (it == tokens_.end() || now_ms - it->second.last_used_at_ms < kTouchEveryMs) return;
    it->second.last_used_at_ms = now_ms;
  }
  // Nobody waits for it: a lost touch only makes an idle session end up to a minute early.
  store::WriteBatch batch;
  batch.touch_tokens.push_back({hash, now_ms});
  store_->Write(std::move(batch), [](const Status&) {});
}

void Platform::Impl::ForgetToken(const std::string& hash) {
  std::unique_lock<std::shared_mutex> lock(auth_mu_);
  tokens_.erase(hash);
}

void Platform::Impl::ForgetUserTokens(int64_t user_id) {
  std::unique_lock<std::shared_mutex> lock(auth_mu_);
  std::erase_if(tokens_, [user_id](const auto& entry) { return entry.second.user_id == user_id; });
}

Result<Principal> Platform::Impl::AuthenticateToken(std::string_view raw) {
  if (raw.empty()) return Status::Unauthenticated("a bearer token is required");
  const std::string hash = TokenHash(raw);
  const int64_t now_ms = clock_->NowMs();
  const bool cached = !store_->shared();
  if (cached) {
    std::optional<Principal> principal;
    store::Token token;
    {
      std::shared_lock<std::shared_mutex> lock(auth_mu_);
      auto t = tokens_.find(hash);
      if (t != tokens_.end()) {
        token = t->second;
        auto p = principals_.find(token.user_id);
        if (p != principals_.end()) principal = WithToken(p->second, token);
      }
    }
    if (principal) {
      if (std::string expired = ExpiryOf(token, now_ms); !expired.empty()) {
        return Status::Unauthenticated(expired);
      }
      Touch(hash, token.last_used_at_ms, now_ms);
      return *principal;
    }
  }
  TD_ASSIGN_OR_RETURN(std::optional<store::TokenOwner> found, store_->FindToken(hash));
  if (!found) return Status::Unauthenticated("the token is unknown or revoked");
  if (std::string expired = ExpiryOf(found->token, now_ms); !expired.empty()) {
    return Status::Unauthenticated(expired);
  }
  const Principal base = PrincipalOf(found->user);
  if (cached) {
    std::unique_lock<std::shared_mutex> lock(auth_mu_);
    tokens_[hash] = found->token;
    principals_[base.user_id] = base;
  }
  Touch(hash, found->token.last_used_at_ms, now_ms);
  return WithToken(base, found->token);
}

Status Platform::Impl::Logout(std::string_view token) {
  TD_RETURN_IF_ERROR(AuthenticateToken(token).status());
  const std::string hash = TokenHash(token);
  store::WriteBatch batch;
  batch.revoke_token_hashes.push_back(hash);
  TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
  ForgetToken(hash);
  return Status::Ok();
}

Status Platform::Impl::LogoutEverywhere(const Principal& caller) {
  TD_RETURN_IF_ERROR(RequireSession(caller));
  store::WriteBatch batch;
  batch.revoke_user_tokens.push_back(caller.user_id);
  TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
  ForgetUserTokens(caller.user_id);
  return Status::Ok();
}

Result<ApiToken> Platform::Impl::CreateApiToken(const Principal& caller,
                                                const ApiTokenRequest& request) {
  TD_RETURN_IF_ERROR(RequireSession(caller));
  const size_t first = request.name.find_first_not_of(" \t");
  if (first == std::string::npos) return Status::InvalidArgument("is required", "name");
  if (request.name.size() > kMaxTokenNameBytes) {
    return Status::InvalidArgument("must be at most 100 characters", "name");
  }
  if (std::any_of(request.name.begin(), request.name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    return Status::InvalidArgument("must not contain control characters", "name");
  }
  if (request.scopes == 0 || (request.scopes & ~kApiTokenScopes) != 0) {
    return Status::InvalidArgument("name at least one of read, annotate, projects", "scopes");
  }
  if (request.expires_in_days < 1 || request.expires_in_days > 365) {
    return Status::InvalidArgument("must be between 1 and 365", "expires_in_days");
  }
  TD_ASSIGN_OR_RETURN(std::vector<store::Token> existing, store_->ListTokens(caller.user_id));
  if (existing.size() >= kMaxTokensPerUser) {
    return Status::ResourceExhausted("at most 50 tokens per account; revoke one first");
  }
  TD_ASSIGN_OR_RETURN(std::optional<store::User> user, store_->FindUserById(caller.user_id));
  if (!user) return Status::NotFound("no such user", "user_id");
  store::Token token;
  token.kind = store::TokenKind::kApi;
  token.name = request.name;
  token.scopes = request.scopes;
  token.expires_at_ms = clock_->NowMs() + request.expires_in_days * 86'400'000;
  ApiToken out;
  TD_ASSIGN_OR_RETURN(out.secret, IssueToken(*user, token));
  TD_ASSIGN_OR_RETURN(std::optional<store::TokenOwner> stored,
                      store_->FindToken(TokenHash(out.secret)));
  if (!stored) return Status::Internal("the new token was not stored");
  out.token = std::move(stored->token);
  return out;
}

Result<std::vector<store::Token>> Platform::Impl::ListTokens(const Principal& caller) {
  TD_RETURN_IF_ERROR(RequireSession(caller));
  TD_ASSIGN_OR_RETURN(std::vector<store::Token> tokens, store_->ListTokens(caller.user_id));
  const int64_t now_ms = clock_->NowMs();
  std::erase_if(tokens, [&](const store::Token& t) { return !ExpiryOf(t, now_ms).empty(); });
  return tokens;
}

Status Platform::Impl::RevokeToken(const Principal& caller, std::string_view token_id) {
  TD_RETURN_IF_ERROR(RequireSession(caller));
  TD_ASSIGN_OR_RETURN(std::vector<store::Token> tokens, store_->ListTokens(caller.user_id));
  auto it = std::find_if(tokens.begin(), tokens.end(),
                         [&](const store::Token& t) { return t.public_id == token_id; });
  if (it == tokens.end()) return Status::NotFound("no such token", "token_id");
  store::WriteBatch batch;
  batch.revoke_token_hashes.push_back(it->token_hash);
  TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
  ForgetToken(it->token_hash);
  return Status::Ok();
}

Result<store::User> Platform::Impl::GetUser(int64_t user_id) {
  TD_ASSIGN_OR_RETURN(auto user, store_->FindUserById(user_id));
  if (!user) return Status::NotFound("no such user", "user_id");
  return std::move(*user);
}

void Platform::Impl::InvalidateUser(int64_t user_id) {
  std::unique_lock<std::shared_mutex> lock(auth_mu_);
  principals_.erase(user_id);
}

}  // namespace tinydata::service
