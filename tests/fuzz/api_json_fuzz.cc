// libFuzzer harness: a JSON request body of the /api/v1 endpoints. The bytes go through
// http::ParseJsonObject, then through the typed readers (http/api_json.h) the way the handlers
// decode their bodies, through service::ApplyProjectInput as POST and PATCH
// /api/v1/projects[/{id}] apply it, and a "value" member through the answer validation of
// quality/question.h against fixed questions and the body's own "question".
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "tinydata/core/json.h"
#include "tinydata/http/api_json.h"
#include "tinydata/http/request.h"
#include "tinydata/quality/question.h"
#include "tinydata/service/project_input.h"
#include "tinydata/store/types.h"

namespace tinydata::fuzz {
namespace {

using nlohmann::json;

// Every typed read of every member, and of the members of nested objects down to `depth`.
void ReadEveryMember(const http::JsonObjectReader& in, int depth) {
  FUZZ_CHECK(in.CheckIsObject().ok());
  FUZZ_CHECK(in.RejectUnknown({}).ok() == in.json().empty());
  for (const auto& [name, value] : in.json().items()) {
    FUZZ_CHECK(in.Has(name) == !value.is_null());
    const std::string path = in.FieldPath(name);
    for (const Status& s :
         {in.String(name).status(), in.Int(name).status(), in.Number(name).status(),
          in.Bool(name).status(), in.Object(name).status(), in.Value(name).status(),
          in.OptionalString(name).status(), in.OptionalInt(name).status(),
          in.OptionalNumber(name).status()}) {
      if (!s.ok()) FUZZ_CHECK(s.code() == StatusCode::kInvalidArgument && s.field() == path);
    }
    if (value.is_object() && depth > 0) ReadEveryMember(in.Nested(name, value), depth - 1);
  }
}

// The bodies of POST .../answer, POST /auth/register and POST /me/level-up (api_annotate.cc,
// api_auth.cc, api_game.cc).
void DecodeLikeHandlers(const http::JsonObjectReader& in) {
  if (in.RejectUnknown({"value", "duration_ms"}).ok()) {
    (void)in.Value("value");
    (void)in.OptionalInt("duration_ms");
  }
  if (in.RejectUnknown({"email", "password", "display_name", "role", "referral_code"}).ok()) {
    (void)in.String("email");
    (void)in.String("password");
    (void)in.OptionalString("display_name");
    (void)in.OptionalString("role");
    (void)in.OptionalString("referral_code");
  }
  if (in.RejectUnknown({"amount_aia"}).ok()) (void)in.Int("amount_aia");
}

// The promises of service/project_input.h on a project it accepted.
void CheckProject(const store::Project& p, const quality::QuestionSpec& spec) {
  FUZZ_CHECK(!p.title.empty() && p.title.size() <= 200);
  FUZZ_CHECK(p.tier >= 1 && p.tier <= 3);
  FUZZ_CHECK(p.min_answers >= 1 && p.min_answers <= p.max_answers && p.max_answers <= 100);
  FUZZ_CHECK(p.target_confidence >= 0.5 && p.target_confidence < 1.0);
  FUZZ_CHECK(p.gold_rate >= 0.0 && p.gold_rate <= 1.0);
  FUZZ_CHECK(p.reward_aia >= 0 && p.reward_aia <= service::kMaxRewardAia);
  if (spec.is_choice()) {
    FUZZ_CHECK(spec.options.size() >= quality::kMinOptions &&
               spec.options.size() <= quality::kMaxOptions);
  }
  if (spec.type == quality::QuestionType::kNumeric) {
    FUZZ_CHECK(std::isfinite(spec.min) && std::isfinite(spec.max) && spec.min < spec.max);
  }
  // The stored question reads back as the same question.
  const json stored = json::parse(p.question_json);
  Result<quality::QuestionSpec> reread = quality::ParseQuestionSpec(stored);
  FUZZ_CHECK(reread.ok());
  FUZZ_CHECK(quality::QuestionSpecToJson(*reread) == stored);
}

// A valid answer survives its canonical JSON form.
void CheckAnswer(const quality::QuestionSpec& spec, const json& value) {
  Result<quality::AnswerValue> answer = quality::ParseAnswerValue(spec, value);
  if (!answer.ok()) return;
  const json canonical = quality::AnswerValueToJson(spec, *answer);
  (void)canonical.dump();
  Result<quality::AnswerValue> again = quality::ParseAnswerValue(spec, canonical);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(quality::SameAnswer(spec, *answer, *again));
}

constexpr const char* kFixedQuestions[] = {
    R"({"type": "single_choice", "options": ["pos", "neg", "neutral"]})",
    R"({"type": "multi_choice", "options": ["cat", "dog", {"value": "bird", "label": "B"}]})",
    R"({"type": "numeric", "min": -10, "max": 10, "step": 0.5})",
    R"({"type": "numeric", "min": 0, "max": 1})",
    R"({"type": "text"})",
};

std::vector<quality::QuestionSpec> FixedQuestions() {
  std::vector<quality::QuestionSpec> specs;
  for (const char* text : kFixedQuestions) {
    Result<quality::QuestionSpec> spec = quality::ParseQuestionSpec(json::parse(text));
    FUZZ_CHECK(spec.ok());
    specs.push_back(*spec);
  }
  return specs;
}

void FuzzJsonBody(const uint8_t* data, size_t size) {
  static const std::vector<quality::QuestionSpec> fixed_questions = FixedQuestions();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<json> body = http::ParseJsonObject(text);
  if (!body.ok()) {
    FUZZ_CHECK(body.status().code() == StatusCode::kInvalidArgument);
    FUZZ_CHECK(body.status().field() == "body");
    return;
  }
  FUZZ_CHECK(body->is_object());
  FUZZ_CHECK(JsonNestingDepth(body->dump()) <= kMaxJsonDepth);

  const http::JsonObjectReader in(*body);
  ReadEveryMember(in, 2);
  DecodeLikeHandlers(in);

  store::Project created;
  quality::QuestionSpec created_spec;
  if (service::ApplyProjectInput(*body, /*partial=*/false, created, created_spec).ok()) {
    CheckProject(created, created_spec);
  }

  store::Project patched;
  patched.title = "Product review sentiment";
  patched.question_json = quality::QuestionSpecToJson(fixed_questions[0]).dump();
  quality::QuestionSpec patched_spec;
  if (service::ApplyProjectInput(*body, /*partial=*/true, patched, patched_spec).ok()) {
    CheckProject(patched, patched_spec);
  }

  auto value = body->find("value");
  if (value == body->end()) return;
  for (const quality::QuestionSpec& spec : fixed_questions) CheckAnswer(spec, *value);
  if (auto question = body->find("question"); question != body->end()) {
    Result<quality::QuestionSpec> spec = quality::ParseQuestionSpec(*question);
    if (spec.ok()) CheckAnswer(*spec, *value);
  }
}

}  // namespace
}  // namespace tinydata::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tinydata::fuzz::FuzzJsonBody(data, size);
  return 0;
}
