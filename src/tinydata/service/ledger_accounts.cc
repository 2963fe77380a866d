#include "tinydata/service/ledger_accounts.h"

#include "tinydata/ledger/entry.h"
#include "tinydata/service/credentials.h"

namespace tinydata::service {
namespace {

constexpr char kByUserId[] = "user_id";
constexpr char kPseudonymPrefix[] = "pseudonym:";

}  // namespace

Result<LedgerAccounts> LedgerAccounts::Load(store::Store& store) {
  TD_ASSIGN_OR_RETURN(std::optional<std::string> naming,
                      store.GetSetting(kLedgerAccountNamesSetting));
  if (!naming) {
    TD_ASSIGN_OR_RETURN(std::vector<store::LedgerEntryRow> first, store.ledger().ReadEntries(0, 1));
    store::WriteBatch batch;
    batch.insert_settings.emplace_back(kLedgerAccountNamesSetting,
                                       first.empty() ? kPseudonymPrefix + NewSecret() : kByUserId);
    TD_RETURN_IF_ERROR(store.WriteSync(std::move(batch)));
    // Another server sharing the database may have decided first; its choice stands.
    TD_ASSIGN_OR_RETURN(naming, store.GetSetting(kLedgerAccountNamesSetting));
    if (!naming) return Status::DataLoss("the ledger account naming was not stored");
  }
  if (*naming == kByUserId) return LedgerAccounts(std::string());
  if (naming->rfind(kPseudonymPrefix, 0) == 0 && naming->size() > sizeof kPseudonymPrefix) {
    return LedgerAccounts(naming->substr(sizeof kPseudonymPrefix - 1));
  }
  return Status::DataLoss("setting ledger_account_names is malformed");
}

LedgerAccounts LedgerAccounts::WithSecret(std::string secret) {
  return LedgerAccounts(std::move(secret));
}

std::string LedgerAccounts::RefOf(int64_t user_id) const {
  if (secret_.empty()) return std::to_string(user_id);
  return HmacSha256Hex(secret_, "user:" + std::to_string(user_id))
      .substr(0, ledger::kUserPseudonymLength);
}

std::string LedgerAccounts::OfUser(int64_t user_id) const {
  return ledger::UserAccount(RefOf(user_id));
}

}  // namespace tinydata::service
