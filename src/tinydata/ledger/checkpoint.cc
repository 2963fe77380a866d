#include "tinydata/ledger/checkpoint.h"

#include <sodium.h>

#include <charconv>
#include <cstring>
#include <limits>
#include <vector>

namespace tinydata::ledger {
namespace {

constexpr uint8_t kEd25519Type = 0x01;
constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // em dash U+2014, space
constexpr std::string_view kPrivateKeyPrefix = "PRIVATE+KEY+";
constexpr std::string_view kTimestampPrefix = "timestamp ";

Status EnsureSodium() {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  return Status::Ok();
}

Status ValidateKeyName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("key name is empty", "name");
  for (char c : name) {
    if (c <= ' ' || c > '~' || c == '+') {
      return Status::InvalidArgument("key name may not contain spaces, '+' or non-ASCII",
                                     "name");
    }
  }
  return Status::Ok();
}

uint32_t KeyId(std::string_view name, const std::array<uint8_t, 32>& public_key) {
  std::string data(name);
  data.push_back('\n');
  data.push_back(static_cast<char>(kEd25519Type));
  data.append(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  const Hash h = Sha256(data);
  return uint32_t{h[0]} << 24 | uint32_t{h[1]} << 16 | uint32_t{h[2]} << 8 | h[3];
}

std::string Hex8(uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) out[i] = kDigits[v & 0xf];
  return out;
}

Result<uint32_t> ParseHex8(std::string_view s, std::string_view field) {
  uint32_t v = 0;
  if (s.size() != 8) return Status::InvalidArgument("key id must be 8 hex digits", std::string(field));
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return Status::InvalidArgument("key id must be 8 hex digits", std::string(field));
  }
  return v;
}

Result<uint64_t> ParseDecimal(std::string_view s, std::string_view field) {
  uint64_t v = 0;
  if (s.empty() || (s.size() > 1 && s[0] == '0')) {
    return Status::InvalidArgument("not a canonical decimal number: '" + std::string(s) + "'",
                                   std::string(field));
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return Status::InvalidArgument("not a decimal number: '" + std::string(s) + "'",
                                   std::string(field));
  }
  return v;
}

// Splits "<name>+<hex8>+<base64>" into its three parts. Only the first two '+' separate: the
// standard base64 key data may itself contain '+' (as in Go's sumdb/note, which cuts twice).
Result<std::array<std::string_view, 3>> SplitKey(std::string_view text) {
  const size_t first = text.find('+');
  const size_t second = first == std::string_view::npos ? first : text.find('+', first + 1);
  if (second == std::string_view::npos) {
    return Status::InvalidArgument("expected <name>+<key id>+<key>", "key");
  }
  return std::array<std::string_view, 3>{text.substr(0, first),
                                         text.substr(first + 1, second - first - 1),
                                         text.substr(second + 1)};
}

// Decodes base64(0x01 || 32 bytes).
Result<std::array<uint8_t, 32>> DecodeTypedKey(std::string_view b64) {
  TD_ASSIGN_OR_RETURN(std::string raw, Base64Decode(b64, "key"));
  if (raw.size() != 33 || static_cast<uint8_t>(raw[0]) != kEd25519Type) {
    return Status::InvalidArgument("expected an Ed25519 key (type 0x01, 32 bytes)", "key");
  }
  std::array<uint8_t, 32> out;
  std::memcpy(out.data(), raw.data() + 1, 32);
  return out;
}

std::string EncodeTypedKey(const std::array<uint8_t, 32>& key) {
  uint8_t raw[33];
  raw[0] = kEd25519Type;
  std::memcpy(raw + 1, key.data(), 32);
  return Base64Encode(raw);
}

std::string LineField(int line) { return "checkpoint line " + std::to_string(line); }

}  // namespace

Result<SigningKey> SigningKeyFromSeed(std::string_view name, std::span<const uint8_t, 32> seed) {
  TD_RETURN_IF_ERROR(EnsureSodium());
  TD_RETURN_IF_ERROR(ValidateKeyName(name));
  SigningKey key;
  key.name = std::string(name);
  std::memcpy(key.seed.data(), seed.data(), 32);
  crypto_sign_ed25519_seed_keypair(key.public_key.data(), key.secret_key.data(), key.seed.data());
  key.key_id = KeyId(name, key.public_key);
  return key;
}

Result<SigningKey> GenerateSigningKey(std::string_view name) {
  TD_RETURN_IF_ERROR(EnsureSodium());
  std::array<uint8_t, 32> seed;
  randombytes_buf(seed.data(), seed.size());
  auto key = SigningKeyFromSeed(name, seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

VerifierKey VerifierKeyOf(const SigningKey& key) {
  return VerifierKey{key.name, key.key_id, key.public_key};
}

std::string FormatSigningKey(const SigningKey& key) {
  return std::string(kPrivateKeyPrefix) + key.name + "+" + Hex8(key.key_id) + "+" +
         EncodeTypedKey(key.seed);
}

Result<SigningKey> ParseSigningKey(std::string_view text) {
  if (!text.starts_with(kPrivateKeyPrefix)) {
    return Status::InvalidArgument("a signing key starts with PRIVATE+KEY+", "key");
  }
  TD_ASSIGN_OR_RETURN(auto parts, SplitKey(text.substr(kPrivateKeyPrefix.size())));
  TD_ASSIGN_OR_RETURN(uint32_t key_id, ParseHex8(parts[1], "key"));
  TD_ASSIGN_OR_RETURN(auto seed, DecodeTypedKey(parts[2]));
  TD_ASSIGN_OR_RETURN(SigningKey key, SigningKeyFromSeed(parts[0], seed));
  if (key.key_id != key_id) {
    return Status::InvalidArgument("key id does not match the key", "key");
  }
  return key;
}

std::string FormatVerifierKey(const VerifierKey& key) {
  return key.name + "+" + Hex8(key.key_id) + "+" + EncodeTypedKey(key.public_key);
}

Result<VerifierKey> ParseVerifierKey(std::string_view text) {
  TD_ASSIGN_OR_RETURN(auto parts, SplitKey(text));
  TD_RETURN_IF_ERROR(ValidateKeyName(parts[0]));
  TD_ASSIGN_OR_RETURN(uint32_t key_id, ParseHex8(parts[1], "key"));
  TD_ASSIGN_OR_RETURN(auto public_key, DecodeTypedKey(parts[2]));
  VerifierKey key{std::string(parts[0]), key_id, public_key};
  if (KeyId(key.name, key.public_key) != key_id) {
    return Status::InvalidArgument("key id does not match the key", "key");
  }
  return key;
}

std::string CheckpointText(const Checkpoint& c) {
  return c.origin + "\n" + std::to_string(c.tree_size) + "\n" + Base64Encode(c.root_hash) +
         "\n" + std::string(kTimestampPrefix) + std::to_string(c.timestamp_unix_seconds) + "\n";
}

Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const SigningKey& key) {
  TD_RETURN_IF_ERROR(EnsureSodium());
  if (checkpoint.origin.empty() || checkpoint.origin.find('\n') != std::string::npos) {
    return Status::InvalidArgument("origin must be one non-empty line", "origin");
  }
  if (checkpoint.timestamp_unix_seconds < 0) {
    return Status::InvalidArgument("timestamp must not be negative", "timestamp");
  }
  const std::string text = CheckpointText(checkpoint);
  uint8_t blob[4 + crypto_sign_BYTES];
  blob[0] = static_cast<uint8_t>(key.key_id >> 24);
  blob[1] = static_cast<uint8_t>(key.key_id >> 16);
  blob[2] = static_cast<uint8_t>(key.key_id >> 8);
  blob[3] = static_cast<uint8_t>(key.key_id);
  crypto_sign_ed25519_detached(blob + 4, nullptr, reinterpret_cast<const uint8_t*>(text.data()),
                               text.size(), key.secret_key.data());
  return text + "\n" + std::string(kSignaturePrefix) + key.name + " " + Base64Encode(blob) + "\n";
}

Result<Checkpoint> OpenCheckpoint(std::string_view note, const VerifierKey& key) {
  TD_RETURN_IF_ERROR(EnsureSodium());
  const size_t split = note.find("\n\n");
  if (split == std::string_view::npos) {
    return Status::InvalidArgument("no blank line before the signatures", "checkpoint");
  }
  const std::string_view text = note.substr(0, split + 1);
  std::string_view signatures = note.substr(split + 2);

  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    const size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  if (lines.size() < 4) {
    return Status::InvalidArgument("expected origin, size, root hash and timestamp lines",
                                   "checkpoint");
  }
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (c.origin.empty()) return Status::InvalidArgument("origin is empty", LineField(1));
  TD_ASSIGN_OR_RETURN(c.tree_size, ParseDecimal(lines[1], LineField(2)));
  TD_ASSIGN_OR_RETURN(std::string root, Base64Decode(lines[2], LineField(3)));
  if (root.size() != kHashSize) {
    return Status::InvalidArgument("root hash must be 32 bytes", LineField(3));
  }
  std::memcpy(c.root_hash.data(), root.data(), kHashSize);
  if (!lines[3].starts_with(kTimestampPrefix)) {
    return Status::InvalidArgument("expected 'timestamp <unix seconds>'", LineField(4));
  }
  TD_ASSIGN_OR_RETURN(uint64_t ts, ParseDecimal(lines[3].substr(kTimestampPrefix.size()),
                                                LineField(4)));
  if (ts > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status::InvalidArgument("timestamp is out of range", LineField(4));
  }
  c.timestamp_unix_seconds = static_cast<int64_t>(ts);

  if (signatures.empty() || signatures.back() != '\n') {
    return Status::InvalidArgument("signature lines must end with a newline", "checkpoint");
  }
  bool found = false;
  while (!signatures.empty()) {
    const size_t nl = signatures.find('\n');
    std::string_view line = signatures.substr(0, nl);
    signatures.remove_prefix(nl + 1);
    if (!line.starts_with(kSignaturePrefix)) {
      return Status::InvalidArgument("signature line must start with an em dash", "checkpoint");
    }
    line.remove_prefix(kSignaturePrefix.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return Status::InvalidArgument("signature line lacks the signature", "checkpoint");
    }
    if (line.substr(0, space) != key.name) continue;
    auto blob = Base64Decode(line.substr(space + 1), "checkpoint");
    if (!blob.ok() || blob->size() < 4) {
      return Status::InvalidArgument("signature is not valid base64", "checkpoint");
    }
    const auto* b = reinterpret_cast<const uint8_t*>(blob->data());
    const uint32_t id = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
    if (id != key.key_id) continue;
    found = true;
    if (blob->size() != 4 + crypto_sign_BYTES ||
        crypto_sign_ed25519_verify_detached(b + 4, reinterpret_cast<const uint8_t*>(text.data()),
                                            text.size(), key.public_key.data()) != 0) {
      return Status::DataLoss("checkpoint signature of " + key.name + " does not verify");
    }
  }
  if (!found) return Status::NotFound("checkpoint has no signature by " + key.name);
  return c;
}

}  // namespace tinydata::ledger
