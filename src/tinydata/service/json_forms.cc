// The JSON shapes of docs/api.md for the platform's values.
#include <algorithm>
#include <ctime>

#include "tinydata/service/platform.h"

namespace tinydata::service {
namespace {

nlohmann::json ParseStored(const std::string& text) {
  if (text.empty()) return nullptr;
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

std::string FormatRfc3339(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json UserJson(const store::User& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"display_name", user.display_name},
          {"roles", RoleNames(user.roles)},
          {"level", user.level},
          {"xp", user.xp},
          {"referral_code", user.referral_code},
          {"created_at", FormatRfc3339(user.created_at_ms)}};
}

nlohmann::json TokenJson(const store::Token& t, const Principal& caller) {
  const bool api = t.kind == store::TokenKind::kApi;
  nlohmann::json j = {{"id", t.public_id},
                      {"kind", api ? "api" : "session"},
                      {"created_at", FormatRfc3339(t.created_at_ms)},
                      {"last_used_at", FormatRfc3339(std::max(t.last_used_at_ms, t.created_at_ms))},
                      {"current", !caller.token_id.empty() && t.public_id == caller.token_id}};
  if (api) {
    j["name"] = t.name;
    j["scopes"] = ScopeNames(t.scopes);
    j["expires_at"] = FormatRfc3339(t.expires_at_ms);
  }
  return j;
}

nlohmann::json ProjectJson(const store::Project& p) {
  return {{"id", p.id},
          {"owner_id", p.owner_id},
          {"title", p.title},
          {"instructions", p.instructions},
          {"question", ParseStored(p.question_json)},
          {"domain", p.domain},
          {"tier", p.tier},
          {"min_level", p.min_level},
          {"overlap",
           {{"min_answers", p.min_answers},
            {"max_answers", p.max_answers},
            {"target_confidence", p.target_confidence}}},
          {"reward_aia", p.reward_aia},
          {"gold_rate", p.gold_rate},
          {"gold_promotion_confidence", p.gold_promotion_confidence},
          {"status", p.status},
          {"created_at", FormatRfc3339(p.created_at_ms)}};
}

nlohmann::json TaskAdminJson(const store::Task& t) {
  nlohmann::json j = {{"id", t.id},
                      {"data", ParseStored(t.data_json)},
                      {"state", t.state},
                      {"consensus", ParseStored(t.consensus_json)},
                      {"confidence", t.confidence},
                      {"created_at", FormatRfc3339(t.created_at_ms)}};
  if (t.gold_json) {
    j["gold"] = ParseStored(*t.gold_json);
    j["gold_source"] = store::GoldSourceName(t.gold_source);
    if (!t.explanation.empty()) j["explanation"] = t.explanation;
  }
  if (t.retired_at_ms != 0) j["retired_at"] = FormatRfc3339(t.retired_at_ms);
  return j;
}

nlohmann::json LeasedTaskJson(const LeasedTask& leased) {
  return {{"assignment",
           {{"id", leased.assignment.id},
            {"expires_at", FormatRfc3339(leased.assignment.expires_at_ms)}}},
          {"task", {{"id", leased.task_id}, {"data", ParseStored(leased.task_data_json)}}},
          {"project",
           {{"id", leased.project.id},
            {"title", leased.project.title},
            {"instructions", leased.project.instructions},
            {"question", ParseStored(leased.project.question_json)}}}};
}

nlohmann::json ProjectStatsJson(const ProjectStats& s) {
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [value, count] : s.label_distribution) labels[value] = count;
  nlohmann::json per_task = nlohmann::json::object();
  for (const auto& [n, count] : s.answers_per_task) per_task[std::to_string(n)] = count;
  nlohmann::json accuracy = nlohmann::json::array();
  for (const AnnotatorAccuracy& a : s.annotator_accuracy) {
    accuracy.push_back(
        {{"annotator", a.annotator}, {"accuracy", a.accuracy}, {"answers", a.answers}});
  }
  return {{"tasks",
           {{"total", s.tasks_total},
            {"open", s.tasks_open},
            {"retired", s.tasks_retired},
            {"gold", s.tasks_gold}}},
          {"answers", s.answers},
          {"completion", s.completion},
          {"label_distribution", std::move(labels)},
          {"answers_per_task", std::move(per_task)},
          {"annotator_accuracy", std::move(accuracy)},
          {"confusion", {{"labels", s.confusion_labels}, {"matrix", s.confusion_matrix}}},
          {"answer_time", {{"typical_ms", s.typical_answer_ms}, {"answers", s.timed_answers}}},
          {"review",
           {{"held_answers", s.held_answers}, {"workers_under_review", s.workers_under_review}}}};
}

nlohmann::json ReviewJson(const ReviewView& r) {
  nlohmann::json j = {{"annotator", r.annotator},
                      {"state", store::ReviewStateName(r.state)},
                      {"reason", r.reason},
                      {"fast_answers", r.fast_answers},
                      {"spam_score", r.spam_score},
                      {"held_answers", r.held_answers},
                      {"created_at", FormatRfc3339(r.created_at_ms)}};
  if (r.decided_at_ms > 0) j["decided_at"] = FormatRfc3339(r.decided_at_ms);
  return j;
}

}  // namespace tinydata::service
