#include "tinydata/game/checkin.h"

#include <algorithm>
#include <string>

namespace tinydata::game {

int64_t UtcDay(int64_t unix_seconds) {
  constexpr int64_t kSecondsPerDay = 86'400;
  int64_t day = unix_seconds / kSecondsPerDay;
  if (unix_seconds % kSecondsPerDay < 0) --day;
  return day;
}

Result<CheckinResult> CheckIn(const CheckinState& state, int64_t today, const GameConfig& config) {
  if (today < 0) return Status::InvalidArgument("day must not be negative", "day");
  if (today == state.last_day) {
    return Status::AlreadyExists("already checked in on day " + std::to_string(today));
  }
  if (today < state.last_day) {
    return Status::InvalidArgument("day " + std::to_string(today) +
                                       " is before the last check-in on day " +
                                       std::to_string(state.last_day),
                                   "day");
  }
  CheckinResult result;
  result.state.last_day = today;
  result.state.streak = state.last_day == today - 1 ? state.streak + 1 : 1;
  const int64_t bonus_days =
      std::min<int64_t>(result.state.streak - 1, config.checkin_streak_bonus_max_days);
  result.bonus_aia = config.checkin_base_aia + config.checkin_streak_bonus_aia * bonus_days;
  return result;
}

int32_t CurrentStreak(const CheckinState& state, int64_t today) {
  return state.last_day >= 0 && today - state.last_day <= 1 && today >= state.last_day
             ? state.streak
             : 0;
}

}  // namespace tinydata::game
