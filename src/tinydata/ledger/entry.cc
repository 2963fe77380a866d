#include "tinydata/ledger/entry.h"

namespace tinydata::ledger {
namespace {

bool IsPositiveDecimal(std::string_view s) {
  if (s.empty() || s.size() > 18 || s[0] == '0') return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsPseudonym(std::string_view s) {
  if (s.size() != kUserPseudonymLength) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsPoolName(std::string_view s) {
  if (s.empty() || s.size() > 32 || s[0] < 'a' || s[0] > 'z') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool IsPrintableNoSpace(std::string_view s) {
  for (char c : s) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

void PutU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void PutString(std::string* out, std::string_view s) {
  const auto n = static_cast<uint32_t>(s.size());
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(n >> shift));
  out->append(s);
}

}  // namespace

std::string_view AssetName(Asset asset) { return asset == Asset::kAgt ? "AGT" : "AIA"; }

Result<Asset> ParseAsset(std::string_view name, std::string_view field) {
  if (name == "AIA") return Asset::kAia;
  if (name == "AGT") return Asset::kAgt;
  return Status::InvalidArgument("unknown asset '" + std::string(name) + "' (AIA or AGT)",
                                 std::string(field));
}

std::string UserAccount(std::string_view ref) { return "user:" + std::string(ref); }
std::string UserAccount(int64_t user_id) { return "user:" + std::to_string(user_id); }
std::string ProjectAccount(int64_t project_id) { return "project:" + std::to_string(project_id); }
std::string PoolAccount(std::string_view name) { return "pool:" + std::string(name); }

Result<AccountKind> KindOfAccount(std::string_view account, std::string_view field) {
  if (account == kTreasuryAccount) return AccountKind::kTreasury;
  if (account.starts_with("user:")) {
    const std::string_view ref = account.substr(5);
    if (IsPositiveDecimal(ref) || IsPseudonym(ref)) return AccountKind::kUser;
  } else if (account.starts_with("project:")) {
    if (IsPositiveDecimal(account.substr(8))) return AccountKind::kProject;
  } else if (account.starts_with("pool:")) {
    if (IsPoolName(account.substr(5))) return AccountKind::kPool;
  }
  std::string message(account);
  message += " is not an account (treasury, user:<ref>, project:<id>, pool:<name>)";
  return Status::InvalidArgument(std::move(message), std::string(field));
}

Status ValidateAccount(std::string_view account, std::string_view field) {
  return KindOfAccount(account, field).status();
}

Status ValidateEntry(const JournalEntry& e) {
  if (e.id <= 0) return Status::InvalidArgument("entry id must be positive", "id");
  TD_RETURN_IF_ERROR(ValidateAccount(e.debit_account, "debit_account"));
  TD_RETURN_IF_ERROR(ValidateAccount(e.credit_account, "credit_account"));
  if (e.debit_account == e.credit_account) {
    return Status::InvalidArgument("debit and credit account are the same", "credit_account");
  }
  if (e.asset != Asset::kAia && e.asset != Asset::kAgt) {
    return Status::InvalidArgument("unknown asset code", "asset");
  }
  if (e.amount <= 0) return Status::InvalidArgument("amount must be positive", "amount");
  if (e.amount > kMaxAmount) {
    return Status::InvalidArgument("amount must be at most " + std::to_string(kMaxAmount),
                                   "amount");
  }
  if (e.reason.empty() || e.reason.size() > 64) {
    return Status::InvalidArgument("reason must have 1 to 64 characters", "reason");
  }
  for (char c : e.reason) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return Status::InvalidArgument("reason may only contain a-z, 0-9 and _", "reason");
    }
  }
  if (e.reference.empty() || e.reference.size() > 128 || !IsPrintableNoSpace(e.reference)) {
    return Status::InvalidArgument("reference must be 1 to 128 printable characters",
                                   "reference");
  }
  if (e.idempotency_key.empty() || e.idempotency_key.size() > 256 ||
      !IsPrintableNoSpace(e.idempotency_key)) {
    return Status::InvalidArgument("idempotency key must be 1 to 256 printable characters",
                                   "idempotency_key");
  }
  return Status::Ok();
}

std::string CanonicalBytes(const JournalEntry& e) {
  std::string out;
  out.reserve(1 + 8 + 8 + 1 + 8 + 5 * 4 + e.debit_account.size() + e.credit_account.size() +
              e.reason.size() + e.reference.size() + e.idempotency_key.size());
  out.push_back(0x01);
  PutU64(&out, static_cast<uint64_t>(e.id));
  PutU64(&out, static_cast<uint64_t>(e.created_at_unix_seconds));
  out.push_back(static_cast<char>(e.asset));
  PutU64(&out, static_cast<uint64_t>(e.amount));
  PutString(&out, e.debit_account);
  PutString(&out, e.credit_account);
  PutString(&out, e.reason);
  PutString(&out, e.reference);
  PutString(&out, e.idempotency_key);
  return out;
}

Hash EntryLeafHash(const JournalEntry& entry) { return HashLeaf(CanonicalBytes(entry)); }

}  // namespace tinydata::ledger
