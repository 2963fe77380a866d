#include "tinydata/quality/holds.h"

#include <algorithm>
#include <cstdio>

namespace tinydata::quality {

int64_t AnswerTimeMs(int64_t server_elapsed_ms, int64_t client_duration_ms) {
  const int64_t server = std::max<int64_t>(0, server_elapsed_ms);
  if (client_duration_ms > 0) return std::min(server, client_duration_ms);
  return server;
}

int64_t MedianMs(std::span<int64_t> times_ms) {
  if (times_ms.empty()) return 0;
  const auto middle = times_ms.begin() + static_cast<std::ptrdiff_t>(times_ms.size() / 2);
  std::nth_element(times_ms.begin(), middle, times_ms.end());
  return *middle;
}

bool IsTooFast(int64_t answer_ms, int64_t typical_ms, int64_t timed_answers,
               const HoldRules& rules) {
  if (timed_answers < rules.min_timed_answers || typical_ms < rules.min_typical_ms) return false;
  return static_cast<double>(answer_ms) < rules.fast_fraction * static_cast<double>(typical_ms);
}

std::string TooFastReason(int64_t answer_ms, int64_t typical_ms) {
  return "answered in " + std::to_string(answer_ms) + " ms; answers here typically take " +
         std::to_string(typical_ms) + " ms";
}

bool HoldsEveryAnswer(int64_t fast_answers, double spam_score, const HoldRules& rules) {
  return fast_answers >= rules.fast_answers_to_hold_worker || spam_score >= rules.spam_score;
}

bool IsSpamWorker(double spam_score, int64_t answers, double second_class_mass,
                  const HoldRules& rules) {
  return answers >= rules.spam_min_answers && second_class_mass >= rules.spam_min_class_mass &&
         spam_score >= rules.spam_score;
}

std::string SpamReason(double spam_score, int64_t answers) {
  char score[16];
  std::snprintf(score, sizeof score, "%.2f", spam_score);
  return std::string("spam score ") + score + " over " + std::to_string(answers) +
         " answers: they say little about the truth";
}

}  // namespace tinydata::quality
