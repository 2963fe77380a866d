#include "tinydata/ledger/posting.h"

#include "tinydata/ledger/flows.h"

#include <unordered_map>
#include <unordered_set>

namespace tinydata::ledger {
namespace {

// Net change of one (account, asset) from the batch's earlier postings, applied on top of the
// view; the view is read once per pair.
class BatchBalances {
 public:
  explicit BatchBalances(const LedgerView& view) : view_(view) {}

  Result<int64_t*> Get(std::string_view account, Asset asset) {
    std::string key(account);
    key.push_back(static_cast<char>(asset));
    auto it = balances_.find(key);
    if (it == balances_.end()) {
      TD_ASSIGN_OR_RETURN(int64_t balance, view_.Balance(account, asset));
      it = balances_.emplace(std::move(key), balance).first;
    }
    return &it->second;
  }

 private:
  const LedgerView& view_;
  std::unordered_map<std::string, int64_t> balances_;
};

}  // namespace

std::string DefaultIdempotencyKey(std::string_view reason, std::string_view reference) {
  std::string key(reason);
  key.push_back('/');
  key.append(reference);
  return key;
}

std::string EffectiveIdempotencyKey(const Posting& p) {
  return p.idempotency_key.empty() ? DefaultIdempotencyKey(p.reason, p.reference)
                                   : p.idempotency_key;
}

Status ValidatePostings(std::span<const Posting> postings, const LedgerView& view) {
  BatchBalances balances(view);
  std::unordered_set<std::string> batch_keys;
  for (size_t i = 0; i < postings.size(); ++i) {
    const Posting& p = postings[i];
    const std::string where = "postings[" + std::to_string(i) + "]";
    JournalEntry probe;
    probe.id = 1;
    probe.debit_account = p.debit_account;
    probe.credit_account = p.credit_account;
    probe.asset = p.asset;
    probe.amount = p.amount;
    probe.reason = p.reason;
    probe.reference = p.reference;
    probe.idempotency_key = EffectiveIdempotencyKey(p);
    if (Status s = ValidateEntry(probe); !s.ok()) {
      return Status::InvalidArgument(s.message(), where + "." + s.field());
    }
    TD_RETURN_IF_ERROR(
        CheckFlow(p.reason, p.debit_account, p.credit_account, p.asset, where + ".reason"));

    if (batch_keys.contains(probe.idempotency_key)) {
      return Status::AlreadyExists(
          "idempotency key '" + probe.idempotency_key + "' repeats within the batch",
          where + ".idempotency_key");
    }
    TD_ASSIGN_OR_RETURN(bool seen, view.HasIdempotencyKey(probe.idempotency_key));
    if (seen) {
      return Status::AlreadyExists(
          "idempotency key '" + probe.idempotency_key + "' was already posted",
          where + ".idempotency_key");
    }

    TD_ASSIGN_OR_RETURN(int64_t* debit, balances.Get(p.debit_account, p.asset));
    TD_ASSIGN_OR_RETURN(int64_t* credit, balances.Get(p.credit_account, p.asset));
    int64_t debit_after = 0;
    int64_t credit_after = 0;
    if (__builtin_sub_overflow(*debit, p.amount, &debit_after) ||
        __builtin_add_overflow(*credit, p.amount, &credit_after)) {
      return Status::InvalidArgument("balance would overflow", where + ".amount");
    }
    const bool debit_is_treasury = p.debit_account == kTreasuryAccount;
    if (!debit_is_treasury && debit_after < 0) {
      return Status::FailedPrecondition(
          p.debit_account + " has " + std::to_string(*debit) + " " +
              std::string(AssetName(p.asset)) + ", cannot pay " + std::to_string(p.amount),
          where + ".amount");
    }
    const int64_t max_supply = p.asset == Asset::kAgt ? kAgtMaxSupply : kAiaMaxSupply;
    if (debit_is_treasury && -debit_after > max_supply) {
      return Status::ResourceExhausted(
          "issuing " + std::to_string(p.amount) + " " + std::string(AssetName(p.asset)) +
              " would put " + std::to_string(-debit_after) +
              " in circulation, above the maximum supply of " + std::to_string(max_supply),
          where + ".amount");
    }
    *debit = debit_after;
    *credit = credit_after;
    batch_keys.insert(std::move(probe.idempotency_key));
  }
  return Status::Ok();
}

Result<int64_t> Journal::Balance(std::string_view account, Asset asset) const {
  const auto& balances = balances_[AssetSlot(asset)];
  auto it = balances.find(account);
  return it == balances.end() ? 0 : it->second;
}

Result<bool> Journal::HasIdempotencyKey(std::string_view key) const {
  return keys_.find(key) != keys_.end();
}

Result<std::vector<JournalEntry>> Journal::Post(std::span<const Posting> postings,
                                                int64_t now_unix_seconds) {
  TD_RETURN_IF_ERROR(ValidatePostings(postings, *this));
  std::vector<JournalEntry> posted;
  posted.reserve(postings.size());
  for (const Posting& p : postings) {
    JournalEntry e;
    e.id = next_id_++;
    e.created_at_unix_seconds = now_unix_seconds;
    e.debit_account = p.debit_account;
    e.credit_account = p.credit_account;
    e.asset = p.asset;
    e.amount = p.amount;
    e.reason = p.reason;
    e.reference = p.reference;
    e.idempotency_key = EffectiveIdempotencyKey(p);
    balances_[AssetSlot(e.asset)][e.debit_account] -= e.amount;
    balances_[AssetSlot(e.asset)][e.credit_account] += e.amount;
    keys_.insert(e.idempotency_key);
    entries_.push_back(e);
    posted.push_back(std::move(e));
  }
  return posted;
}

Result<JournalEntry> Journal::Post(const Posting& posting, int64_t now_unix_seconds) {
  TD_ASSIGN_OR_RETURN(std::vector<JournalEntry> posted,
                      Post(std::span<const Posting>(&posting, 1), now_unix_seconds));
  return std::move(posted.front());
}

int64_t Journal::AgtInCirculation() const { return -Balance(kTreasuryAccount, Asset::kAgt).value(); }

}  // namespace tinydata::ledger
