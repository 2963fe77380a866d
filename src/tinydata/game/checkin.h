// Daily check-in with a streak bonus. Days are UTC day numbers (days since 1970-01-01), which
// the caller derives from its clock, e.g. with UtcDay().
#pragma once

#include <cstdint>

#include "tinydata/core/status.h"
#include "tinydata/game/config.h"

namespace tinydata::game {

// The UTC day number of a Unix time (floor division, so times before 1970 work too).
int64_t UtcDay(int64_t unix_seconds);

struct CheckinState {
  int64_t last_day = -1;  // UTC day of the last check-in; -1 = never checked in
  int32_t streak = 0;     // consecutive days up to and including last_day
};

struct CheckinResult {
  CheckinState state;     // to store
  int64_t bonus_aia = 0;  // to pay (subject to the daily cap)
};

// Checks in on UTC day `today`. The streak grows by one when the previous check-in was
// yesterday and restarts at 1 after a missed day. AlreadyExists when `today` was already
// checked in; InvalidArgument (field "day") when `today` is negative or before the last
// check-in.
Result<CheckinResult> CheckIn(const CheckinState& state, int64_t today, const GameConfig& config);

// The streak to show on `today`: the stored streak while it is still alive (checked in today
// or yesterday), else 0.
int32_t CurrentStreak(const CheckinState& state, int64_t today);

}  // namespace tinydata::game
