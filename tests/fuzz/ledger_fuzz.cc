// libFuzzer harness: the ledger's decoders of outside bytes (ledger/checkpoint.h, hash.h,
// entry.h, merkle.h). The input is taken
//   - whole, as a signed checkpoint note checked against a fixed key;
//   - as note text (up to its first blank line) that this harness signs with that key, so
//     that the parse behind the signature check is reached by any mutation;
//   - line by line, as a verifier key, a signing key, base64, a hex hash, an asset, an account;
//   - as binary: a leaf index and a tree size (8 bytes each, big-endian) and proof hashes for
//     the inclusion and consistency proof checks.
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "tinydata/ledger/checkpoint.h"
#include "tinydata/ledger/entry.h"
#include "tinydata/ledger/hash.h"
#include "tinydata/ledger/merkle.h"

namespace tinydata::fuzz {
namespace {

// The key that signed the notes of corpus/ledger/ (seed bytes 0, 1, ..., 31).
const ledger::SigningKey& FixedKey() {
  static const ledger::SigningKey key = [] {
    std::array<uint8_t, 32> seed;
    for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i);
    Result<ledger::SigningKey> k = ledger::SigningKeyFromSeed("tinydata.example/ledger", seed);
    FUZZ_CHECK(k.ok());
    return *k;
  }();
  return key;
}

// `text` (ending in a newline) as a signed note with one signature of `key`, as c2sp.org/
// signed-note has it.
std::string SignNote(std::string_view text, const ledger::SigningKey& key) {
  uint8_t blob[4 + crypto_sign_BYTES];
  for (int i = 0; i < 4; ++i) blob[i] = static_cast<uint8_t>(key.key_id >> (24 - 8 * i));
  crypto_sign_ed25519_detached(blob + 4, nullptr, reinterpret_cast<const uint8_t*>(text.data()),
                               text.size(), key.secret_key.data());
  return std::string(text) + "\n\xE2\x80\x94 " + key.name + " " + ledger::Base64Encode(blob) + "\n";
}

// A checkpoint that opened: what the note said, and it signs and opens again unchanged.
void CheckOpened(const ledger::Checkpoint& c) {
  FUZZ_CHECK(!c.origin.empty() && c.origin.find('\n') == std::string::npos);
  FUZZ_CHECK(c.timestamp_unix_seconds >= 0);
  const ledger::SigningKey& key = FixedKey();
  Result<std::string> note = ledger::SignCheckpoint(c, key);
  FUZZ_CHECK(note.ok());
  Result<ledger::Checkpoint> again = ledger::OpenCheckpoint(*note, ledger::VerifierKeyOf(key));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == c);
}

void FuzzNotes(std::string_view input) {
  const ledger::VerifierKey verifier = ledger::VerifierKeyOf(FixedKey());
  Result<ledger::Checkpoint> opened = ledger::OpenCheckpoint(input, verifier);
  if (opened.ok()) CheckOpened(*opened);

  std::string text(input.substr(0, input.find("\n\n")));
  if (text.empty()) return;
  if (text.back() != '\n') text.push_back('\n');
  Result<ledger::Checkpoint> signed_by_us =
      ledger::OpenCheckpoint(SignNote(text, FixedKey()), verifier);
  if (signed_by_us.ok()) {
    CheckOpened(*signed_by_us);
  } else {
    // Our signature is there and valid, so only the text can be at fault.
    FUZZ_CHECK(signed_by_us.status().code() == StatusCode::kInvalidArgument);
  }
}

void FuzzLine(std::string_view line) {
  if (Result<ledger::VerifierKey> key = ledger::ParseVerifierKey(line); key.ok()) {
    Result<ledger::VerifierKey> again = ledger::ParseVerifierKey(ledger::FormatVerifierKey(*key));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->name == key->name && again->key_id == key->key_id &&
               again->public_key == key->public_key);
  }
  if (Result<ledger::SigningKey> key = ledger::ParseSigningKey(line); key.ok()) {
    Result<ledger::SigningKey> again = ledger::ParseSigningKey(ledger::FormatSigningKey(*key));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->name == key->name && again->key_id == key->key_id &&
               again->seed == key->seed);
    const ledger::Checkpoint c{"tinydata.example/fuzz", 1, ledger::EmptyRootHash(), 1};
    Result<std::string> note = ledger::SignCheckpoint(c, *key);
    FUZZ_CHECK(note.ok());
    Result<ledger::Checkpoint> opened = ledger::OpenCheckpoint(*note, ledger::VerifierKeyOf(*key));
    FUZZ_CHECK(opened.ok() && *opened == c);
  }
  if (Result<std::string> bytes = ledger::Base64Decode(line, "base64"); bytes.ok()) {
    const std::string encoded = ledger::Base64Encode(
        std::span(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()));
    Result<std::string> again = ledger::Base64Decode(encoded, "base64");
    FUZZ_CHECK(again.ok() && *again == *bytes);
  }
  if (Result<ledger::Hash> hash = ledger::HexDecodeHash(line); hash.ok()) {
    std::string lower(line);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    FUZZ_CHECK(ledger::HexEncode(*hash) == lower);
  }
  if (Result<ledger::Asset> asset = ledger::ParseAsset(line); asset.ok()) {
    FUZZ_CHECK(ledger::AssetName(*asset) == line);
  }
  (void)ledger::ValidateAccount(line, "account");
}

uint64_t BigEndian64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}

void FuzzProofs(const uint8_t* data, size_t size) {
  if (size < 16) return;
  const uint64_t first = BigEndian64(data);
  const uint64_t second = BigEndian64(data + 8);
  std::vector<ledger::Hash> proof((size - 16) / ledger::kHashSize);
  for (size_t i = 0; i < proof.size(); ++i) {
    std::memcpy(proof[i].data(), data + 16 + i * ledger::kHashSize, ledger::kHashSize);
  }
  const ledger::Hash leaf = ledger::HashLeaf(std::string_view("leaf"));
  Result<ledger::Hash> root = ledger::RootFromInclusionProof(first, second, leaf, proof);
  if (root.ok()) FUZZ_CHECK(ledger::VerifyInclusion(first, second, leaf, proof, *root).ok());
  const ledger::Hash other = ledger::EmptyRootHash();
  (void)ledger::VerifyConsistency(first, second, proof, leaf, other);
}

void FuzzLedger(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzNotes(input);
  for (std::string_view rest = input; !rest.empty();) {
    const size_t nl = rest.find('\n');
    FuzzLine(rest.substr(0, nl));
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  FuzzProofs(data, size);
}

}  // namespace
}  // namespace tinydata::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tinydata::fuzz::FuzzLedger(data, size);
  return 0;
}
