#include "tinydata/ledger/flows.h"

#include <string>

namespace tinydata::ledger {
namespace {

struct Flow {
  std::string_view reason;
  AccountKind debit;
  AccountKind credit;
  Asset asset;
};

constexpr Flow kFlows[] = {
    {kCreditGrantReason, AccountKind::kTreasury, AccountKind::kUser, Asset::kAia},
    {kCreditGrantReason, AccountKind::kTreasury, AccountKind::kPool, Asset::kAia},
    {kProjectFundingReason, AccountKind::kUser, AccountKind::kProject, Asset::kAia},
    {kAnswerRewardReason, AccountKind::kProject, AccountKind::kUser, Asset::kAia},
    {kReferralBonusReason, AccountKind::kProject, AccountKind::kUser, Asset::kAia},
    {kCheckinBonusReason, AccountKind::kPool, AccountKind::kUser, Asset::kAia},
    {kLevelUpReason, AccountKind::kUser, AccountKind::kTreasury, Asset::kAia},
    {kAgtGrantReason, AccountKind::kTreasury, AccountKind::kUser, Asset::kAgt},
};

}  // namespace

Status CheckFlow(std::string_view reason, std::string_view debit, std::string_view credit,
                 Asset asset, std::string_view field) {
  TD_ASSIGN_OR_RETURN(AccountKind from, KindOfAccount(debit, "debit_account"));
  TD_ASSIGN_OR_RETURN(AccountKind to, KindOfAccount(credit, "credit_account"));
  bool known_reason = false;
  for (const Flow& f : kFlows) {
    if (f.reason != reason) continue;
    known_reason = true;
    if (f.debit == from && f.credit == to && f.asset == asset) return Status::Ok();
  }
  std::string message = known_reason ? "the ledger does not let " + std::string(reason) +
                                           " move " + std::string(AssetName(asset)) + " from " +
                                           std::string(debit) + " to " + std::string(credit)
                                     : "'" + std::string(reason) + "' is not a flow of the ledger";
  return Status::FailedPrecondition(std::move(message), std::string(field));
}

}  // namespace tinydata::ledger
