// When a task has enough answers (dynamic overlap) and how each answer is judged then.
#pragma once

#include <cstdint>

#include "tinydata/quality/question.h"

namespace tinydata::quality {

// A project's overlap policy: at least min_answers, at most max_answers per task; in between the
// task retires as soon as the consensus confidence reaches target_confidence.
struct OverlapPolicy {
  int32_t min_answers = 3;
  int32_t max_answers = 5;
  double target_confidence = 0.9;
};

enum class RetireDecision { kKeepOpen, kConfident, kMaxAnswers };

RetireDecision DecideRetirement(const OverlapPolicy& policy, int32_t answers, double confidence);

enum class Verdict { kPending, kAccepted, kRejected };
const char* VerdictName(Verdict verdict);  // "pending", "accepted", "rejected"

// An answer is accepted when it agrees with the consensus (SameAnswer), rejected otherwise.
Verdict JudgeAnswer(const QuestionSpec& spec, const AnswerValue& consensus,
                    const AnswerValue& answer);

// Gold scoring: the answer is correct when it agrees with the expected value.
inline bool IsGoldCorrect(const QuestionSpec& spec, const AnswerValue& expected,
                          const AnswerValue& given) {
  return SameAnswer(spec, expected, given);
}

}  // namespace tinydata::quality
