#include "tinydata/quality/retirement.h"

namespace tinydata::quality {

RetireDecision DecideRetirement(const OverlapPolicy& policy, int32_t answers, double confidence) {
  if (answers >= policy.max_answers) return RetireDecision::kMaxAnswers;
  if (answers >= policy.min_answers && confidence >= policy.target_confidence) {
    return RetireDecision::kConfident;
  }
  return RetireDecision::kKeepOpen;
}

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPending:
      return "pending";
    case Verdict::kAccepted:
      return "accepted";
    case Verdict::kRejected:
      return "rejected";
  }
  return "pending";
}

Verdict JudgeAnswer(const QuestionSpec& spec, const AnswerValue& consensus,
                    const AnswerValue& answer) {
  return SameAnswer(spec, consensus, answer) ? Verdict::kAccepted : Verdict::kRejected;
}

}  // namespace tinydata::quality
