// Parsing JSON text that comes from outside (request bodies, uploaded task files, configuration):
// bounded nesting and errors that name the input.
//
// nlohmann's parser is iterative, but serializing, copying and comparing a value recurse once
// per nesting level, so a value nested tens of thousands of levels deep would overflow the
// stack later, far from where it came in. ParseJson measures the nesting of the raw text first
// (linear, no allocation) and refuses text deeper than the limit before any value exists.
//
// Invalid UTF-8 inside JSON strings is refused by the parser itself; text that reaches a JSON
// value by another road (a CSV cell) must be checked with IsValidUtf8 first, since serializing
// a string that holds invalid UTF-8 throws.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tinydata/core/status.h"

namespace tinydata {

// Deepest nesting accepted: an object or array inside 63 others.
inline constexpr int kMaxJsonDepth = 64;

// The deepest nesting of arrays and objects in `text` outside string literals; stops counting
// (and returns a value above `limit`) as soon as it passes `limit`. Does not validate the text.
int JsonNestingDepth(std::string_view text, int limit = kMaxJsonDepth);

// Parses one JSON value of any type. InvalidArgument naming `field`: "nested deeper than 64
// levels", or "malformed JSON: <what and where>" (including invalid UTF-8 in a string and
// numbers beyond double's range).
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view field,
                                 int max_depth = kMaxJsonDepth);

// The byte offset of the first byte of `text` that does not start a well-formed UTF-8 sequence
// (RFC 3629: shortest form, no surrogates, at most U+10FFFF), or std::string_view::npos.
size_t FirstInvalidUtf8(std::string_view text);
inline bool IsValidUtf8(std::string_view text) {
  return FirstInvalidUtf8(text) == std::string_view::npos;
}

// `value` serialized compactly; invalid UTF-8 in its strings (which only a bug can put there)
// becomes U+FFFD instead of throwing.
std::string DumpJson(const nlohmann::json& value);

}  // namespace tinydata
