// Typed reading of JSON request bodies for the /api/v1 handlers.
//
// Every error is InvalidArgument naming the offending member by its path from the body root
// ("overlap.max_answers", "question.options[1].value"), so a client can point at the input field.
// A body member that the endpoint does not know is an error too (a typo such as "reward" for
// "reward_aia" must not be silently ignored).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tinydata/core/status.h"

namespace tinydata::http {

// A view of one JSON object inside a request body, with the path that names its members.
class JsonObjectReader {
 public:
  // `object` must outlive the reader. `path` is the object's own path ("" for the body root).
  JsonObjectReader(const nlohmann::json& object, std::string path = {})
      : object_(object), path_(std::move(path)) {}

  // InvalidArgument when `object` (as given) is not a JSON object; field = this path or "body".
  Status CheckIsObject() const;
  // InvalidArgument naming the first member whose name is not in `known`.
  Status RejectUnknown(std::initializer_list<std::string_view> known) const;

  bool Has(std::string_view name) const;
  // The member's path, e.g. FieldPath("max_answers") == "overlap.max_answers".
  std::string FieldPath(std::string_view name) const;

  // Required members: InvalidArgument "is required" when absent (or null), "must be a <type>"
  // when of another type.
  Result<std::string> String(std::string_view name) const;
  Result<int64_t> Int(std::string_view name) const;
  Result<double> Number(std::string_view name) const;
  Result<bool> Bool(std::string_view name) const;
  Result<const nlohmann::json*> Object(std::string_view name) const;
  // Any JSON value (present and not null).
  Result<const nlohmann::json*> Value(std::string_view name) const;

  // Optional members: nullopt when absent or null; a type error otherwise like the above.
  Result<std::optional<std::string>> OptionalString(std::string_view name) const;
  Result<std::optional<int64_t>> OptionalInt(std::string_view name) const;
  Result<std::optional<double>> OptionalNumber(std::string_view name) const;

  // A reader for a nested object member (which the caller checked with Object()).
  JsonObjectReader Nested(std::string_view name, const nlohmann::json& value) const {
    return JsonObjectReader(value, FieldPath(name));
  }

  const nlohmann::json& json() const { return object_; }

 private:
  const nlohmann::json* Find(std::string_view name) const;

  const nlohmann::json& object_;
  std::string path_;
};

}  // namespace tinydata::http
