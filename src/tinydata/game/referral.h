// Who may refer whom. A referral links a new user (the referee) to the user whose code they
// signed up with (the referrer); the links form chains that must never loop.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "tinydata/core/status.h"

namespace tinydata::game {

// Checks that `referee` may record `referrer` as their referrer.
//   `referee_current_referrer`: the referee's existing referrer, if any;
//   `referrer_chain`: the referrer's own referrer, that one's referrer, and so on upwards, as
//   stored (it ends at a user without a referrer).
// InvalidArgument (field "referrer") for self-referral or non-positive ids; AlreadyExists when
// the referee already has a referrer; FailedPrecondition (field "referrer") when the referee
// appears in the referrer's chain, i.e. the link would close a cycle.
Status ValidateReferral(int64_t referee, int64_t referrer,
                        std::optional<int64_t> referee_current_referrer,
                        std::span<const int64_t> referrer_chain);

}  // namespace tinydata::game
