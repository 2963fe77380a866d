// Validation of docs/api.md `project_input` onto a store::Project. Private to service/.
#pragma once

#include <nlohmann/json.hpp>

#include "tinydata/core/status.h"
#include "tinydata/quality/question.h"
#include "tinydata/store/types.h"

namespace tinydata::service {

// Applies the members of `input` to `project` and validates the result. With `partial` false
// (create) `title` and `question` are required. Read-only members of a `project` (id, owner_id,
// status, created_at) are ignored; any other unknown member is an error. Errors are
// InvalidArgument naming the member ("overlap.max_answers"). On success `spec` holds the parsed
// question and project.question_json its canonical JSON.
Status ApplyProjectInput(const nlohmann::json& input, bool partial, store::Project& project,
                         quality::QuestionSpec& spec);

}  // namespace tinydata::service
