#include "tinydata/service/project_input.h"

#include <array>
#include <cmath>
#include <string>
#include <string_view>

namespace tinydata::service {
namespace {

constexpr std::array<std::string_view, 6> kDomains = {"general", "driving", "games",
                                                      "film",    "medical", "technology"};
constexpr size_t kMaxTitleBytes = 200;
constexpr size_t kMaxInstructionsBytes = 100'000;

Status Bad(std::string message, std::string field) {
  return Status::InvalidArgument(std::move(message), std::move(field));
}

Result<int64_t> Int(const nlohmann::json& v, const std::string& field) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::floor(d) == d && std::abs(d) < 9e15) return static_cast<int64_t>(d);
  }
  return Bad("must be an integer", field);
}

Result<double> Number(const nlohmann::json& v, const std::string& field) {
  if (!v.is_number()) return Bad("must be a number", field);
  return v.get<double>();
}

Result<std::string> String(const nlohmann::json& v, const std::string& field) {
  if (!v.is_string()) return Bad("must be a string", field);
  return v.get<std::string>();
}

}  // namespace

Status ApplyProjectInput(const nlohmann::json& input, bool partial, store::Project& p,
                         quality::QuestionSpec& spec) {
  if (!input.is_object()) return Bad("the body must be a JSON object", "");
  bool have_question = false;
  for (const auto& [key, v] : input.items()) {
    if (key == "id" || key == "owner_id" || key == "created_at") {
      return Bad("is set by the server and cannot be given", key);
    }
    if (key == "status") {
      return Bad("cannot be set here: use POST /api/v1/projects/{id}/pause or /resume", key);
    }
    if (key == "title") {
      TD_ASSIGN_OR_RETURN(std::string title, String(v, key));
      const size_t first = title.find_first_not_of(" \t\r\n");
      if (first == std::string::npos) return Bad("must not be empty", key);
      if (title.size() > kMaxTitleBytes) return Bad("must be at most 200 bytes", key);
      p.title = std::move(title);
    } else if (key == "instructions") {
      TD_ASSIGN_OR_RETURN(std::string text, String(v, key));
      if (text.size() > kMaxInstructionsBytes) return Bad("must be at most 100000 bytes", key);
      p.instructions = std::move(text);
    } else if (key == "question") {
      TD_ASSIGN_OR_RETURN(spec, quality::ParseQuestionSpec(v, "question"));
      p.question_json = quality::QuestionSpecToJson(spec).dump();
      have_question = true;
    } else if (key == "domain") {
      TD_ASSIGN_OR_RETURN(std::string domain, String(v, key));
      bool known = false;
      for (auto d : kDomains) known = known || d == domain;
      if (!known) {
        return Bad("must be one of general, driving, games, film, medical, technology", key);
      }
      p.domain = std::move(domain);
    } else if (key == "tier") {
      TD_ASSIGN_OR_RETURN(int64_t tier, Int(v, key));
      if (tier < 1 || tier > 3) return Bad("must be 1, 2 or 3", key);
      p.tier = static_cast<int32_t>(tier);
    } else if (key == "min_level") {
      TD_ASSIGN_OR_RETURN(int64_t level, Int(v, key));
      if (level < 1 || level > 1000) return Bad("must be between 1 and 1000", key);
      p.min_level = static_cast<int32_t>(level);
    } else if (key == "overlap") {
      if (!v.is_object()) return Bad("must be an object", key);
      for (const auto& [okey, ov] : v.items()) {
        const std::string field = "overlap." + okey;
        if (okey == "min_answers") {
          TD_ASSIGN_OR_RETURN(int64_t n, Int(ov, field));
          if (n < 1 || n > 100) return Bad("must be between 1 and 100", field);
          p.min_answers = static_cast<int32_t>(n);
        } else if (okey == "max_answers") {
          TD_ASSIGN_OR_RETURN(int64_t n, Int(ov, field));
          if (n < 1 || n > 100) return Bad("must be between 1 and 100", field);
          p.max_answers = static_cast<int32_t>(n);
        } else if (okey == "target_confidence") {
          TD_ASSIGN_OR_RETURN(double t, Number(ov, field));
          if (!(t >= 0.5 && t < 1.0)) return Bad("must be in [0.5, 1)", field);
          p.target_confidence = t;
        } else {
          return Bad("is not a member of overlap", field);
        }
      }
    } else if (key == "reward_aia") {
      TD_ASSIGN_OR_RETURN(int64_t reward, Int(v, key));
      if (reward < 0 || reward > kMaxRewardAia) {
        return Bad("must be between 0 and " + std::to_string(kMaxRewardAia), key);
      }
      p.reward_aia = reward;
    } else if (key == "gold_rate") {
      TD_ASSIGN_OR_RETURN(double rate, Number(v, key));
      if (!(rate >= 0.0 && rate <= 1.0)) return Bad("must be in [0, 1]", key);
      p.gold_rate = rate;
    } else if (key == "gold_promotion_confidence") {
      TD_ASSIGN_OR_RETURN(double c, Number(v, key));
      if (!(c == 0.0 || (c >= 0.5 && c < 1.0))) return Bad("must be 0 (off) or in [0.5, 1)", key);
      p.gold_promotion_confidence = c;
    } else {
      return Bad("is not a member of a project", key);
    }
  }
  if (!partial) {
    if (!input.contains("title")) return Bad("is required", "title");
    if (!have_question) return Bad("is required", "question");
  }
  if (p.min_answers > p.max_answers) {
    return Bad("must be at least overlap.min_answers (" + std::to_string(p.min_answers) + ")",
               "overlap.max_answers");
  }
  if (!have_question) {
    TD_ASSIGN_OR_RETURN(
        spec, quality::ParseQuestionSpec(nlohmann::json::parse(p.question_json), "question"));
  }
  return Status::Ok();
}

}  // namespace tinydata::service
