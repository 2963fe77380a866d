// The flows of value the ledger allows: for each reason, which kind of account pays which, in
// which asset. Anything else is refused when posted (ValidatePostings) and reported by the
// verifier, so no code path - nor a row slipped into the database - can create value the rules
// do not name. In particular AIA leaves the treasury only as a credit grant, the operator's
// record of a payment made outside the ledger (an invoice paid, later an on-chain deposit).
//
//   reason            debit     -> credit    asset   what
//   credit_grant      treasury  -> user      AIA     the operator credits a payment received
//   credit_grant      treasury  -> pool      AIA     the operator funds a platform pool
//   project_funding   user      -> project   AIA     a requester moves own credit to a budget
//   answer_reward     project   -> user      AIA     an accepted answer is paid
//   referral_bonus    project   -> user      AIA     the referrer's share, on top
//   checkin_bonus     pool      -> user      AIA     the daily check-in, from pool:checkin
//   level_up          user      -> treasury  AIA     a level is bought (the AIA is retired)
//   agt_grant         treasury  -> user      AGT     reaching a level for the first time
#pragma once

#include <string_view>

#include "tinydata/core/status.h"
#include "tinydata/ledger/entry.h"

namespace tinydata::ledger {

inline constexpr char kCreditGrantReason[] = "credit_grant";
inline constexpr char kProjectFundingReason[] = "project_funding";
inline constexpr char kAnswerRewardReason[] = "answer_reward";
inline constexpr char kReferralBonusReason[] = "referral_bonus";
inline constexpr char kCheckinBonusReason[] = "checkin_bonus";
inline constexpr char kLevelUpReason[] = "level_up";
inline constexpr char kAgtGrantReason[] = "agt_grant";

// Ok when moving `asset` from `debit` to `credit` for `reason` is one of the flows above;
// FailedPrecondition naming `field` otherwise. The accounts must be valid (ValidateAccount).
Status CheckFlow(std::string_view reason, std::string_view debit, std::string_view credit,
                 Asset asset, std::string_view field = "reason");

}  // namespace tinydata::ledger
