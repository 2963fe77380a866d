// SHA-256 hashes of the ledger's transparency log, as in RFC 9162 §2.1.1:
// leaf hash = SHA-256(0x00 || leaf bytes), node hash = SHA-256(0x01 || left || right).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tinydata/core/status.h"

namespace tinydata::ledger {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

// SHA-256 of `data`.
Hash Sha256(std::span<const uint8_t> data);
Hash Sha256(std::string_view data);

// RFC 9162 leaf hash: SHA-256(0x00 || leaf).
Hash HashLeaf(std::span<const uint8_t> leaf);
Hash HashLeaf(std::string_view leaf);

// RFC 9162 interior node hash: SHA-256(0x01 || left || right).
Hash HashChildren(const Hash& left, const Hash& right);

// The root of the empty tree: SHA-256 of the empty string.
Hash EmptyRootHash();

// Lower-case hex of a hash (64 characters).
std::string HexEncode(const Hash& hash);
// Parses 64 hex characters (either case). `field` names the input in the error.
Result<Hash> HexDecodeHash(std::string_view hex, std::string_view field = "hash");

// Standard base64 (RFC 4648 §4, with padding) of arbitrary bytes, and its inverse.
std::string Base64Encode(std::span<const uint8_t> bytes);
Result<std::string> Base64Decode(std::string_view text, std::string_view field);

}  // namespace tinydata::ledger
