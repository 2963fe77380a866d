#include "tinydata/service/clock.h"

#include <cctype>
#include <string>

namespace tinydata::service {

int64_t SystemClock::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t OffsetClock::NowMs() const {
  return start_ms_ + std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - started_)
                         .count();
}

namespace {

// Reads exactly `digits` decimal digits at `pos`; -1 when they are not all digits.
int ReadNumber(std::string_view text, size_t pos, size_t digits) {
  if (pos + digits > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + digits; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool CharIs(std::string_view text, size_t pos, char lower_or_symbol) {
  return pos < text.size() &&
         std::tolower(static_cast<unsigned char>(text[pos])) == lower_or_symbol;
}

}  // namespace

Result<int64_t> ParseRfc3339Ms(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  auto invalid = [&quoted](const std::string& why) {
    return Status::InvalidArgument(quoted + " is not an RFC 3339 date-time (e.g. "
                                   "2026-11-02T09:00:00Z): " + why);
  };
  const int year = ReadNumber(text, 0, 4);
  const int month = ReadNumber(text, 5, 2);
  const int day = ReadNumber(text, 8, 2);
  if (year < 0 || month < 0 || day < 0 || !CharIs(text, 4, '-') || !CharIs(text, 7, '-')) {
    return invalid("the date must read YYYY-MM-DD");
  }
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return invalid("no such date");
  if (!CharIs(text, 10, 't')) return invalid("the date and time must be separated by 'T'");
  const int hour = ReadNumber(text, 11, 2);
  const int minute = ReadNumber(text, 14, 2);
  const int second = ReadNumber(text, 17, 2);
  if (hour < 0 || minute < 0 || second < 0 || !CharIs(text, 13, ':') || !CharIs(text, 16, ':')) {
    return invalid("the time must read HH:MM:SS");
  }
  // 60 is a leap second, which Unix time folds into the next second.
  if (hour > 23 || minute > 59 || second > 60) return invalid("time out of range");
  size_t pos = 19;
  int64_t millis = 0;
  if (CharIs(text, pos, '.')) {
    ++pos;
    const size_t first = pos;
    int64_t scale = 100;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == first) return invalid("a '.' must be followed by digits");
  }
  int64_t offset_minutes = 0;
  if (CharIs(text, pos, 'z')) {
    ++pos;
  } else if (CharIs(text, pos, '+') || CharIs(text, pos, '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    const int off_hour = ReadNumber(text, pos + 1, 2);
    const int off_minute = ReadNumber(text, pos + 4, 2);
    if (off_hour < 0 || off_minute < 0 || !CharIs(text, pos + 3, ':') || off_hour > 23 ||
        off_minute > 59) {
      return invalid("the offset must read Z or +HH:MM");
    }
    offset_minutes = sign * (off_hour * 60 + off_minute);
    pos += 6;
  } else {
    return invalid("the offset is missing (end with Z for UTC)");
  }
  if (pos != text.size()) return invalid("unexpected text after the offset");
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86'400 + hour * 3'600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

}  // namespace tinydata::service
