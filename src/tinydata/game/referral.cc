#include "tinydata/game/referral.h"

#include <algorithm>
#include <string>

namespace tinydata::game {

Status ValidateReferral(int64_t referee, int64_t referrer,
                        std::optional<int64_t> referee_current_referrer,
                        std::span<const int64_t> referrer_chain) {
  if (referee <= 0 || referrer <= 0) {
    return Status::InvalidArgument("user ids must be positive", "referrer");
  }
  if (referee == referrer) {
    return Status::InvalidArgument("a user cannot refer themselves", "referrer");
  }
  if (referee_current_referrer) {
    return Status::AlreadyExists("user " + std::to_string(referee) +
                                 " was already referred by user " +
                                 std::to_string(*referee_current_referrer));
  }
  if (std::find(referrer_chain.begin(), referrer_chain.end(), referee) != referrer_chain.end()) {
    return Status::FailedPrecondition("user " + std::to_string(referrer) +
                                          " was referred (directly or through others) by user " +
                                          std::to_string(referee) + "; the referral would loop",
                                      "referrer");
  }
  return Status::Ok();
}

}  // namespace tinydata::game
