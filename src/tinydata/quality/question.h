// The question a project asks and the answers it accepts.
//
// A QuestionSpec is parsed once from the project's JSON (`{type, options?, min?, max?, step?}`,
// docs/api.md) and then used to validate every answer and gold value into a canonical
// AnswerValue, so comparisons (gold scoring, verdicts, consensus) never look at raw JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tinydata/core/status.h"

namespace tinydata::quality {

enum class QuestionType { kSingleChoice, kMultiChoice, kNumeric, kText };

// "single_choice", "multi_choice", "numeric", "text".
const char* QuestionTypeName(QuestionType type);

struct ChoiceOption {
  std::string value;
  std::string label;
};

inline constexpr int kMinOptions = 2;
inline constexpr int kMaxOptions = 50;  // multi-choice answers are a 64-bit option mask
inline constexpr size_t kMaxTextAnswerBytes = 10'000;

struct QuestionSpec {
  QuestionType type = QuestionType::kSingleChoice;
  std::vector<ChoiceOption> options;  // choice types only
  double min = 0.0;                   // numeric only, min < max
  double max = 0.0;
  std::optional<double> step;         // numeric only, > 0

  bool is_choice() const {
    return type == QuestionType::kSingleChoice || type == QuestionType::kMultiChoice;
  }
  // The index of the option with this value, or -1.
  int OptionIndex(std::string_view value) const;
  // Two numeric answers closer than this agree: the step when given, else 1% of the range.
  double NumericTolerance() const;
};

// Validates a question object. Errors are InvalidArgument naming the member under `field`,
// e.g. "question.options[2].value".
Result<QuestionSpec> ParseQuestionSpec(const nlohmann::json& json,
                                       std::string_view field = "question");
nlohmann::json QuestionSpecToJson(const QuestionSpec& spec);

// One answer in canonical form; which member is meaningful depends on the question type.
struct AnswerValue {
  int32_t choice = -1;   // single choice: option index
  uint64_t choices = 0;  // multi choice: bit i set when option i was chosen
  double number = 0.0;   // numeric
  std::string text;      // text: trimmed
};

// Validates an answer value against the spec: single choice takes an option value (string),
// multi choice an array of distinct option values (possibly empty), numeric a finite number in
// [min, max] (on the step grid from min when a step is given), text a non-empty string of at
// most kMaxTextAnswerBytes. Errors are InvalidArgument naming `field`.
Result<AnswerValue> ParseAnswerValue(const QuestionSpec& spec, const nlohmann::json& value,
                                     std::string_view field = "value");
// The JSON form of a canonical value (option values for choices, in option order).
nlohmann::json AnswerValueToJson(const QuestionSpec& spec, const AnswerValue& value);

// Whether two answers agree: equal choice / equal option set / numbers within NumericTolerance /
// texts equal after trimming, collapsing whitespace and lower-casing ASCII.
bool SameAnswer(const QuestionSpec& spec, const AnswerValue& a, const AnswerValue& b);

// The normalised text used by SameAnswer for text questions.
std::string NormalizeText(std::string_view text);

}  // namespace tinydata::quality
