#include "tinydata/http/api_json.h"

#include <cmath>
#include <limits>

namespace tinydata::http {

Status JsonObjectReader::CheckIsObject() const {
  if (object_.is_object()) return Status::Ok();
  return Status::InvalidArgument(
      std::string("must be a JSON object, got ") + object_.type_name(),
      path_.empty() ? "body" : path_);
}

Status JsonObjectReader::RejectUnknown(std::initializer_list<std::string_view> known) const {
  for (const auto& [key, value] : object_.items()) {
    bool found = false;
    for (std::string_view k : known) {
      if (k == key) {
        found = true;
        break;
      }
    }
    if (!found) return Status::InvalidArgument("unknown member", FieldPath(key));
  }
  return Status::Ok();
}

bool JsonObjectReader::Has(std::string_view name) const {
  const nlohmann::json* v = Find(name);
  return v != nullptr && !v->is_null();
}

std::string JsonObjectReader::FieldPath(std::string_view name) const {
  if (path_.empty()) return std::string(name);
  return path_ + "." + std::string(name);
}

const nlohmann::json* JsonObjectReader::Find(std::string_view name) const {
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(name);
  return it == object_.end() ? nullptr : &*it;
}

Result<const nlohmann::json*> JsonObjectReader::Value(std::string_view name) const {
  const nlohmann::json* v = Find(name);
  if (v == nullptr || v->is_null()) return Status::InvalidArgument("is required", FieldPath(name));
  return v;
}

Result<std::string> JsonObjectReader::String(std::string_view name) const {
  TD_ASSIGN_OR_RETURN(const nlohmann::json* v, Value(name));
  if (!v->is_string()) {
    return Status::InvalidArgument(std::string("must be a string, got ") + v->type_name(),
                                   FieldPath(name));
  }
  return v->get<std::string>();
}

Result<int64_t> JsonObjectReader::Int(std::string_view name) const {
  TD_ASSIGN_OR_RETURN(const nlohmann::json* v, Value(name));
  if (v->is_number_integer()) {
    if (v->is_number_unsigned() &&
        v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Status::InvalidArgument("is out of range", FieldPath(name));
    }
    return v->get<int64_t>();
  }
  // 3.0 is an integer to a JavaScript client.
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.007199254740992e15) {
      return static_cast<int64_t>(d);
    }
  }
  return Status::InvalidArgument(std::string("must be an integer, got ") + v->type_name(),
                                 FieldPath(name));
}

Result<double> JsonObjectReader::Number(std::string_view name) const {
  TD_ASSIGN_OR_RETURN(const nlohmann::json* v, Value(name));
  if (!v->is_number()) {
    return Status::InvalidArgument(std::string("must be a number, got ") + v->type_name(),
                                   FieldPath(name));
  }
  return v->get<double>();
}

Result<bool> JsonObjectReader::Bool(std::string_view name) const {
  TD_ASSIGN_OR_RETURN(const nlohmann::json* v, Value(name));
  if (!v->is_boolean()) {
    return Status::InvalidArgument(std::string("must be a boolean, got ") + v->type_name(),
                                   FieldPath(name));
  }
  return v->get<bool>();
}

Result<const nlohmann::json*> JsonObjectReader::Object(std::string_view name) const {
  TD_ASSIGN_OR_RETURN(const nlohmann::json* v, Value(name));
  if (!v->is_object()) {
    return Status::InvalidArgument(std::string("must be an object, got ") + v->type_name(),
                                   FieldPath(name));
  }
  return v;
}

Result<std::optional<std::string>> JsonObjectReader::OptionalString(std::string_view name) const {
  if (!Has(name)) return std::optional<std::string>();
  TD_ASSIGN_OR_RETURN(std::string s, String(name));
  return std::optional<std::string>(std::move(s));
}

Result<std::optional<int64_t>> JsonObjectReader::OptionalInt(std::string_view name) const {
  if (!Has(name)) return std::optional<int64_t>();
  TD_ASSIGN_OR_RETURN(int64_t i, Int(name));
  return std::optional<int64_t>(i);
}

Result<std::optional<double>> JsonObjectReader::OptionalNumber(std::string_view name) const {
  if (!Has(name)) return std::optional<double>();
  TD_ASSIGN_OR_RETURN(double d, Number(name));
  return std::optional<double>(d);
}

}  // namespace tinydata::http
