// Passwords, bearer tokens and pseudonyms (libsodium). Private to service/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tinydata/core/status.h"

namespace tinydata::service {

// Argon2id via crypto_pwhash_str. opslimit/memlimit 0 = libsodium's INTERACTIVE values.
Result<std::string> HashPassword(std::string_view password, uint64_t opslimit, size_t memlimit);
bool VerifyPassword(const std::string& hash, std::string_view password);

// 32 random bytes as 64 lower-case hex characters.
std::string NewBearerToken();
// The raw 32-byte SHA-256 of a token, the only form the store keeps.
std::string TokenHash(std::string_view token);
// `n` random characters from an unambiguous alphabet (no 0/O, 1/l/I), for referral codes.
std::string RandomCode(size_t n);
// 32 random bytes as hex, for server secrets.
std::string NewSecret();
// Lower-case hex of HMAC-SHA256(key, message).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

}  // namespace tinydata::service
