// Signed checkpoints of the ledger's Merkle log, in the C2SP formats:
// tlog-checkpoint (https://c2sp.org/tlog-checkpoint) inside a signed note
// (https://c2sp.org/signed-note) with an Ed25519 signature (libsodium).
//
// A checkpoint note reads
//
//   <origin>\n
//   <tree size, decimal>\n
//   <root hash, standard base64>\n
//   timestamp <unix seconds, decimal>\n
//   \n
//   — <key name> <base64(key id (4 bytes) || Ed25519 signature (64 bytes))>\n
//
// The signature covers the first four lines (the note text, final newline included); the
// "timestamp" line is a checkpoint extension line. The key id is the first 4 bytes of
// SHA-256(key name || "\n" || 0x01 || public key), 0x01 being the Ed25519 signature type.
//
// Keys are written as in Go's golang.org/x/mod/sumdb/note:
//   verifier key: <name>+<key id, 8 hex>+<base64(0x01 || public key)>
//   signing key:  PRIVATE+KEY+<name>+<key id, 8 hex>+<base64(0x01 || 32-byte seed)>
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tinydata/core/status.h"
#include "tinydata/ledger/hash.h"

namespace tinydata::ledger {

struct Checkpoint {
  std::string origin;                   // the log's name, e.g. "tinydata.example.org/ledger"
  uint64_t tree_size = 0;
  Hash root_hash{};
  int64_t timestamp_unix_seconds = 0;   // when the checkpoint was signed
  bool operator==(const Checkpoint&) const = default;
};

struct VerifierKey {
  std::string name;
  uint32_t key_id = 0;
  std::array<uint8_t, 32> public_key{};
};

// Holds secret material; callers keep it out of logs.
struct SigningKey {
  std::string name;
  uint32_t key_id = 0;
  std::array<uint8_t, 32> seed{};
  std::array<uint8_t, 32> public_key{};
  std::array<uint8_t, 64> secret_key{};  // libsodium's expanded form: seed || public key
};

// Derives the key pair for `name` from a 32-byte seed. A name is non-empty printable ASCII
// without spaces or '+'.
Result<SigningKey> SigningKeyFromSeed(std::string_view name, std::span<const uint8_t, 32> seed);
// A new key from the operating system's randomness (libsodium randombytes): the one function
// of this module that is not deterministic.
Result<SigningKey> GenerateSigningKey(std::string_view name);

VerifierKey VerifierKeyOf(const SigningKey& key);
std::string FormatSigningKey(const SigningKey& key);
Result<SigningKey> ParseSigningKey(std::string_view text);
std::string FormatVerifierKey(const VerifierKey& key);
Result<VerifierKey> ParseVerifierKey(std::string_view text);

// The note text (first four lines above) of a checkpoint.
std::string CheckpointText(const Checkpoint& checkpoint);
// The signed note of `checkpoint`. InvalidArgument for an origin that is empty or has a
// newline.
Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const SigningKey& key);
// Parses a signed checkpoint note and verifies the signature of `key` in it. Unknown
// signatures are ignored. InvalidArgument when malformed (naming the line), NotFound when no
// signature of `key` is present, DataLoss when that signature does not verify.
Result<Checkpoint> OpenCheckpoint(std::string_view note, const VerifierKey& key);

}  // namespace tinydata::ledger
