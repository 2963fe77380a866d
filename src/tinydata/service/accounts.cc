// Accounts: registration and sign-in (both engines); the tokens they hand out are sessions.cc's.
#include <algorithm>
#include <cctype>

#include "tinydata/service/credentials.h"
#include "tinydata/service/platform_impl.h"

namespace tinydata::service {
namespace {

constexpr size_t kMinPasswordBytes = 8;
constexpr size_t kMaxPasswordBytes = 1024;
constexpr size_t kMaxEmailBytes = 254;
constexpr size_t kMaxDisplayNameBytes = 100;
constexpr size_t kReferralCodeLength = 8;

// Spaces, ASCII control characters (NUL included) and DEL have no place in an address.
bool HasControlOrSpace(std::string_view text) {
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7F) return true;
  }
  return false;
}

bool HasControl(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

Result<std::string> NormalizeEmail(std::string_view raw) {
  std::string email(raw);
  const size_t first = email.find_first_not_of(" \t");
  const size_t last = email.find_last_not_of(" \t");
  email = first == std::string::npos ? "" : email.substr(first, last - first + 1);
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const size_t at = email.find('@');
  if (email.empty()) return Status::InvalidArgument("is required", "email");
  if (email.size() > kMaxEmailBytes || at == std::string::npos || at == 0 ||
      at != email.rfind('@') || email.find('.', at) == std::string::npos || email.back() == '.' ||
      HasControlOrSpace(email)) {
    return Status::InvalidArgument("is not a valid email address", "email");
  }
  return email;
}

}  // namespace

Result<store::Role> ParseRole(std::string_view name, std::string_view field) {
  if (name == "annotator") return store::kRoleAnnotator;
  if (name == "requester") return store::kRoleRequester;
  if (name == "verifier") return store::kRoleVerifier;
  if (name == "admin") return store::kRoleAdmin;
  return Status::InvalidArgument("must be one of annotator, requester, verifier, admin",
                                 std::string(field));
}

std::vector<std::string> RoleNames(uint32_t roles) {
  std::vector<std::string> names;
  if (roles & store::kRoleAnnotator) names.emplace_back("annotator");
  if (roles & store::kRoleRequester) names.emplace_back("requester");
  if (roles & store::kRoleVerifier) names.emplace_back("verifier");
  if (roles & store::kRoleAdmin) names.emplace_back("admin");
  return names;
}

Result<store::User> Platform::Impl::CreateUser(std::string_view raw_email,
                                               std::string_view password,
                                               std::string_view display_name, uint32_t roles) {
  TD_ASSIGN_OR_RETURN(std::string email, NormalizeEmail(raw_email));
  if (password.size() < kMinPasswordBytes) {
    return Status::InvalidArgument("must be at least 8 characters", "password");
  }
  if (password.size() > kMaxPasswordBytes) {
    return Status::InvalidArgument("must be at most 1024 characters", "password");
  }
  if (display_name.size() > kMaxDisplayNameBytes) {
    return Status::InvalidArgument("must be at most 100 characters", "display_name");
  }
  if (HasControl(display_name)) {
    return Status::InvalidArgument("must not contain control characters", "display_name");
  }
  TD_ASSIGN_OR_RETURN(auto existing, store_->FindUserByEmail(email));
  if (existing) return Status::AlreadyExists("an account with this email exists", "email");
  store::User user;
  user.email = email;
  TD_ASSIGN_OR_RETURN(user.password_hash,
                      HashPassword(password, options_.pwhash_opslimit, options_.pwhash_memlimit));
  user.display_name =
      display_name.empty() ? email.substr(0, email.find('@')) : std::string(display_name);
  user.roles = roles;
  user.referral_code = RandomCode(kReferralCodeLength);
  user.created_at_ms = clock_->NowMs();
  TD_ASSIGN_OR_RETURN(user.id, store_->NextId(store::IdKind::kUser));
  store::WriteBatch batch;
  batch.insert_users.push_back(user);
  Status written = store_->WriteSync(std::move(batch));
  if (written.code() == StatusCode::kAlreadyExists) {
    // Another registration with this email won the race (or, vanishingly rarely, the referral
    // code collided - the email is by far the likelier cause).
    return Status::AlreadyExists("an account with this email exists", "email");
  }
  TD_RETURN_IF_ERROR(written);
  return user;
}

Result<Session> Platform::Impl::Register(const RegisterRequest& request) {
  TD_ASSIGN_OR_RETURN(store::Role role, ParseRole(request.role, "role"));
  if (role != store::kRoleAnnotator && role != store::kRoleRequester) {
    return Status::InvalidArgument("self-registration may choose annotator or requester only",
                                   "role");
  }
  // Requesters annotate too (to try their own projects), so every account can answer.
  const uint32_t roles = role == store::kRoleRequester
                             ? (store::kRoleRequester | store::kRoleAnnotator)
                             : store::kRoleAnnotator;
  TD_ASSIGN_OR_RETURN(store::User user,
                      CreateUser(request.email, request.password, request.display_name, roles));
  return StartSession(std::move(user));
}

Result<Session> Platform::Impl::Login(std::string_view raw_email, std::string_view password,
                                      std::string_view client_address,
                                      int64_t* retry_after_seconds) {
  auto normalized = NormalizeEmail(raw_email);
  // A malformed email is throttled under its raw text, so it cannot be used to guess for free.
  const std::string account = normalized.ok() ? *normalized : std::string(raw_email.substr(0, 254));
  const std::string address = "ip:" + std::string(client_address);
  const int64_t now_ms = clock_->NowMs();
  const int64_t wait = std::max(login_accounts_.WaitSeconds(account, now_ms),
                                client_address.empty() ? 0 : login_addresses_.WaitSeconds(address, now_ms));
  if (wait > 0) {
    if (retry_after_seconds != nullptr) *retry_after_seconds = wait;
    return Status::ResourceExhausted("too many failed sign-ins; try again in " +
                                     std::to_string(wait) + " s");
  }
  std::optional<store::User> user;
  if (normalized.ok()) {
    TD_ASSIGN_OR_RETURN(user, store_->FindUserByEmail(*normalized));
  }
  // An unknown email costs one Argon2id verification too, so timing reveals nothing.
  const bool verified = VerifyPassword(user ? user->password_hash : dummy_password_hash_, password);
  if (!user || !verified) {
    login_accounts_.Charge(account, now_ms);
    if (!client_address.empty()) login_addresses_.Charge(address, now_ms);
    return Status::Unauthenticated("wrong email or password");
  }
  login_accounts_.Reset(account);
  return StartSession(std::move(*user));
}

Result<store::User> Platform::Impl::FindUserByEmail(std::string_view raw_email) {
  auto email = NormalizeEmail(raw_email);
  if (!email.ok()) return Status::NotFound("no account has this email", "email");
  TD_ASSIGN_OR_RETURN(std::optional<store::User> user, store_->FindUserByEmail(*email));
  if (!user) return Status::NotFound("no account has this email", "email");
  return std::move(*user);
}

}  // namespace tinydata::service
