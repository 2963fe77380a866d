#include "tinydata/quality/question.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>
#include <unordered_set>

namespace tinydata::quality {
namespace {

std::string Member(std::string_view field, std::string_view name) {
  std::string out(field);
  out += '.';
  out += name;
  return out;
}

std::string Index(std::string_view field, size_t i) {
  std::string out(field);
  out += '[';
  out += std::to_string(i);
  out += ']';
  return out;
}

Result<double> RequireNumber(const nlohmann::json& json, std::string_view name,
                             std::string_view field) {
  auto it = json.find(name);
  if (it == json.end()) return Status::InvalidArgument("is required", Member(field, name));
  if (!it->is_number()) return Status::InvalidArgument("must be a number", Member(field, name));
  const double v = it->get<double>();
  if (!std::isfinite(v)) return Status::InvalidArgument("must be finite", Member(field, name));
  return v;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

const char* QuestionTypeName(QuestionType type) {
  switch (type) {
    case QuestionType::kSingleChoice:
      return "single_choice";
    case QuestionType::kMultiChoice:
      return "multi_choice";
    case QuestionType::kNumeric:
      return "numeric";
    case QuestionType::kText:
      return "text";
  }
  return "single_choice";
}

int QuestionSpec::OptionIndex(std::string_view value) const {
  for (size_t i = 0; i < options.size(); ++i) {
    if (options[i].value == value) return static_cast<int>(i);
  }
  return -1;
}

double QuestionSpec::NumericTolerance() const {
  if (step) return *step;
  return (max - min) * 0.01;
}

Result<QuestionSpec> ParseQuestionSpec(const nlohmann::json& json, std::string_view field) {
  if (!json.is_object()) return Status::InvalidArgument("must be an object", std::string(field));
  QuestionSpec spec;
  auto type = json.find("type");
  if (type == json.end()) return Status::InvalidArgument("is required", Member(field, "type"));
  if (!type->is_string()) return Status::InvalidArgument("must be a string", Member(field, "type"));
  const std::string t = type->get<std::string>();
  if (t == "single_choice") {
    spec.type = QuestionType::kSingleChoice;
  } else if (t == "multi_choice") {
    spec.type = QuestionType::kMultiChoice;
  } else if (t == "numeric") {
    spec.type = QuestionType::kNumeric;
  } else if (t == "text") {
    spec.type = QuestionType::kText;
  } else {
    return Status::InvalidArgument(
        "must be one of single_choice, multi_choice, numeric, text (got \"" + t + "\")",
        Member(field, "type"));
  }

  if (spec.is_choice()) {
    const std::string options_field = Member(field, "options");
    auto options = json.find("options");
    if (options == json.end()) return Status::InvalidArgument("is required", options_field);
    if (!options->is_array()) return Status::InvalidArgument("must be an array", options_field);
    if (options->size() < kMinOptions || options->size() > kMaxOptions) {
      return Status::InvalidArgument("must have between 2 and 50 options", options_field);
    }
    std::unordered_set<std::string> seen;
    for (size_t i = 0; i < options->size(); ++i) {
      const nlohmann::json& o = (*options)[i];
      const std::string at = Index(options_field, i);
      ChoiceOption option;
      if (o.is_string()) {
        option.value = o.get<std::string>();
        option.label = option.value;
      } else if (o.is_object()) {
        auto value = o.find("value");
        if (value == o.end() || !value->is_string()) {
          return Status::InvalidArgument("must be a string", Member(at, "value"));
        }
        option.value = value->get<std::string>();
        auto label = o.find("label");
        if (label != o.end() && !label->is_string()) {
          return Status::InvalidArgument("must be a string", Member(at, "label"));
        }
        option.label = label != o.end() ? label->get<std::string>() : option.value;
      } else {
        return Status::InvalidArgument("must be an object {value, label}", at);
      }
      if (option.value.empty()) return Status::InvalidArgument("must not be empty", Member(at, "value"));
      if (!seen.insert(option.value).second) {
        return Status::InvalidArgument("duplicates the value \"" + option.value + "\"",
                                       Member(at, "value"));
      }
      spec.options.push_back(std::move(option));
    }
  } else if (json.contains("options")) {
    return Status::InvalidArgument("is only allowed for choice questions", Member(field, "options"));
  }

  if (spec.type == QuestionType::kNumeric) {
    TD_ASSIGN_OR_RETURN(spec.min, RequireNumber(json, "min", field));
    TD_ASSIGN_OR_RETURN(spec.max, RequireNumber(json, "max", field));
    if (!(spec.min < spec.max)) {
      return Status::InvalidArgument("must be greater than min", Member(field, "max"));
    }
    if (json.contains("step") && !json["step"].is_null()) {
      TD_ASSIGN_OR_RETURN(double step, RequireNumber(json, "step", field));
      if (!(step > 0)) return Status::InvalidArgument("must be positive", Member(field, "step"));
      spec.step = step;
    }
  }
  return spec;
}

nlohmann::json QuestionSpecToJson(const QuestionSpec& spec) {
  nlohmann::json out = {{"type", QuestionTypeName(spec.type)}};
  if (spec.is_choice()) {
    nlohmann::json options = nlohmann::json::array();
    for (const ChoiceOption& o : spec.options) {
      options.push_back({{"value", o.value}, {"label", o.label}});
    }
    out["options"] = std::move(options);
  }
  if (spec.type == QuestionType::kNumeric) {
    out["min"] = spec.min;
    out["max"] = spec.max;
    if (spec.step) out["step"] = *spec.step;
  }
  return out;
}

Result<AnswerValue> ParseAnswerValue(const QuestionSpec& spec, const nlohmann::json& value,
                                     std::string_view field) {
  const std::string f(field);
  AnswerValue out;
  switch (spec.type) {
    case QuestionType::kSingleChoice: {
      if (!value.is_string()) return Status::InvalidArgument("must be an option value (a string)", f);
      out.choice = spec.OptionIndex(value.get_ref<const std::string&>());
      if (out.choice < 0) {
        return Status::InvalidArgument(
            "\"" + value.get<std::string>() + "\" is not one of the question's options", f);
      }
      return out;
    }
    case QuestionType::kMultiChoice: {
      if (!value.is_array()) return Status::InvalidArgument("must be an array of option values", f);
      for (size_t i = 0; i < value.size(); ++i) {
        const nlohmann::json& v = value[i];
        if (!v.is_string()) return Status::InvalidArgument("must be a string", Index(f, i));
        const int idx = spec.OptionIndex(v.get_ref<const std::string&>());
        if (idx < 0) {
          return Status::InvalidArgument(
              "\"" + v.get<std::string>() + "\" is not one of the question's options", Index(f, i));
        }
        const uint64_t bit = uint64_t{1} << idx;
        if (out.choices & bit) return Status::InvalidArgument("repeats an option", Index(f, i));
        out.choices |= bit;
      }
      return out;
    }
    case QuestionType::kNumeric: {
      if (!value.is_number()) return Status::InvalidArgument("must be a number", f);
      out.number = value.get<double>();
      if (!std::isfinite(out.number) || out.number < spec.min || out.number > spec.max) {
        char buf[128];
        std::snprintf(buf, sizeof buf, "must be between %g and %g", spec.min, spec.max);
        return Status::InvalidArgument(buf, f);
      }
      if (spec.step) {
        const double k = (out.number - spec.min) / *spec.step;
        if (std::fabs(k - std::round(k)) > 1e-6) {
          char buf[128];
          std::snprintf(buf, sizeof buf, "must be a multiple of %g from %g", *spec.step, spec.min);
          return Status::InvalidArgument(buf, f);
        }
      }
      return out;
    }
    case QuestionType::kText: {
      if (!value.is_string()) return Status::InvalidArgument("must be a string", f);
      const std::string_view text = Trim(value.get_ref<const std::string&>());
      if (text.empty()) return Status::InvalidArgument("must not be empty", f);
      if (text.size() > kMaxTextAnswerBytes) {
        return Status::InvalidArgument("must be at most 10000 bytes", f);
      }
      out.text = std::string(text);
      return out;
    }
  }
  return Status::Internal("unknown question type");
}

nlohmann::json AnswerValueToJson(const QuestionSpec& spec, const AnswerValue& value) {
  switch (spec.type) {
    case QuestionType::kSingleChoice:
      if (value.choice < 0 || value.choice >= static_cast<int>(spec.options.size())) return nullptr;
      return spec.options[value.choice].value;
    case QuestionType::kMultiChoice: {
      nlohmann::json out = nlohmann::json::array();
      for (size_t i = 0; i < spec.options.size(); ++i) {
        if (value.choices & (uint64_t{1} << i)) out.push_back(spec.options[i].value);
      }
      return out;
    }
    case QuestionType::kNumeric:
      return value.number;
    case QuestionType::kText:
      return value.text;
  }
  return nullptr;
}

std::string NormalizeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : Trim(text)) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool SameAnswer(const QuestionSpec& spec, const AnswerValue& a, const AnswerValue& b) {
  switch (spec.type) {
    case QuestionType::kSingleChoice:
      return a.choice == b.choice;
    case QuestionType::kMultiChoice:
      return a.choices == b.choices;
    case QuestionType::kNumeric:
      return std::fabs(a.number - b.number) <= spec.NumericTolerance() + 1e-12;
    case QuestionType::kText:
      return NormalizeText(a.text) == NormalizeText(b.text);
  }
  return false;
}

}  // namespace tinydata::quality
