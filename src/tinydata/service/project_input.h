// Validation of docs/api.md `project_input` onto a store::Project. Private to service/.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "tinydata/core/status.h"
#include "tinydata/quality/question.h"
#include "tinydata/store/types.h"

namespace tinydata::service {

// The largest reward per accepted answer a project may offer (AIA).
inline constexpr int64_t kMaxRewardAia = 1'000'000;

// Applies the members of `input` to `project` and validates the result. With `partial` false
// (create) `title` and `question` are required. The members the server sets (id, owner_id,
// created_at) and `status` (changed by pause/resume) are refused like any unknown member. Errors are
// InvalidArgument naming the member ("overlap.max_answers"). On success `spec` holds the parsed
// question and project.question_json its canonical JSON.
Status ApplyProjectInput(const nlohmann::json& input, bool partial, store::Project& project,
                         quality::QuestionSpec& spec);

}  // namespace tinydata::service
