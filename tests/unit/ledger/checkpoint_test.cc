#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>

#include "tinydata/ledger/checkpoint.h"

namespace tinydata::ledger {
namespace {

SigningKey TestKey(std::string name = "tinydata.test/ledger", uint8_t fill = 7) {
  std::array<uint8_t, 32> seed;
  seed.fill(fill);
  return SigningKeyFromSeed(name, seed).value();
}

Checkpoint Sample() {
  Checkpoint c;
  c.origin = "tinydata.test/ledger";
  c.tree_size = 8;
  c.root_hash = Sha256(std::string_view("root"));
  c.timestamp_unix_seconds = 1'764'000'000;
  return c;
}

TEST(CheckpointTest, TextHasOriginSizeBase64RootAndTimestampLines) {
  Checkpoint c = Sample();
  EXPECT_EQ(CheckpointText(c), "tinydata.test/ledger\n8\n" + Base64Encode(c.root_hash) +
                                   "\ntimestamp 1764000000\n");
}

TEST(CheckpointTest, SignedNoteEndsWithEmDashSignatureLine) {
  const std::string note = SignCheckpoint(Sample(), TestKey()).value();
  const std::string text = CheckpointText(Sample());
  ASSERT_TRUE(note.starts_with(text + "\n\xE2\x80\x94 tinydata.test/ledger "));
  // base64 of 4 + 64 bytes is 92 characters.
  EXPECT_EQ(note.size(), text.size() + 1 + 4 + 21 + 92 + 1);
}

TEST(CheckpointTest, SignThenOpenRoundTrips) {
  const SigningKey key = TestKey();
  const std::string note = SignCheckpoint(Sample(), key).value();
  EXPECT_EQ(OpenCheckpoint(note, VerifierKeyOf(key)).value(), Sample());
}

TEST(CheckpointTest, SigningIsDeterministic) {
  EXPECT_EQ(SignCheckpoint(Sample(), TestKey()).value(),
            SignCheckpoint(Sample(), TestKey()).value());
}

TEST(CheckpointTest, EditedTreeSizeFailsSignature) {
  const SigningKey key = TestKey();
  std::string note = SignCheckpoint(Sample(), key).value();
  note.replace(note.find("\n8\n"), 3, "\n9\n");
  EXPECT_EQ(OpenCheckpoint(note, VerifierKeyOf(key)).status().code(), StatusCode::kDataLoss);
}

TEST(CheckpointTest, OtherKeysSignatureIsNotFound) {
  const std::string note = SignCheckpoint(Sample(), TestKey("other", 9)).value();
  EXPECT_EQ(OpenCheckpoint(note, VerifierKeyOf(TestKey())).status().code(),
            StatusCode::kNotFound);
}

TEST(CheckpointTest, SameNameDifferentKeyIsNotFound) {
  const std::string note = SignCheckpoint(Sample(), TestKey("tinydata.test/ledger", 9)).value();
  EXPECT_EQ(OpenCheckpoint(note, VerifierKeyOf(TestKey())).status().code(),
            StatusCode::kNotFound);
}

TEST(CheckpointTest, ExtraSignaturesAreIgnored) {
  const SigningKey key = TestKey();
  std::string note = SignCheckpoint(Sample(), key).value();
  const std::string other = SignCheckpoint(Sample(), TestKey("witness", 3)).value();
  note += other.substr(other.find("\xE2\x80\x94"));
  EXPECT_TRUE(OpenCheckpoint(note, VerifierKeyOf(key)).ok());
}

TEST(CheckpointTest, MalformedNotesNameTheLine) {
  const SigningKey key = TestKey();
  std::string note = SignCheckpoint(Sample(), key).value();
  std::string bad_size = note;
  bad_size.replace(bad_size.find("\n8\n"), 3, "\n08\n");
  EXPECT_EQ(OpenCheckpoint(bad_size, VerifierKeyOf(key)).status().field(), "checkpoint line 2");
  EXPECT_EQ(OpenCheckpoint("no blank line", VerifierKeyOf(key)).status().code(),
            StatusCode::kInvalidArgument);
}

// Found by tests/fuzz/ledger_fuzz: a timestamp beyond int64 used to open as a negative one
// (the parse comes before the signature check, so the edited note names the line).
TEST(CheckpointTest, TimestampBeyondInt64IsMalformed) {
  const SigningKey key = TestKey();
  std::string note = SignCheckpoint(Sample(), key).value();
  note.replace(note.find("timestamp 1764000000"), 20, "timestamp 17640000001764000000");
  const Result<Checkpoint> opened = OpenCheckpoint(note, VerifierKeyOf(key));
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(opened.status().field(), "checkpoint line 4");
}

TEST(CheckpointTest, RejectsMultiLineOrigin) {
  Checkpoint c = Sample();
  c.origin = "a\nb";
  EXPECT_EQ(SignCheckpoint(c, TestKey()).status().field(), "origin");
}

TEST(KeyTest, SigningKeyRoundTripsThroughText) {
  const SigningKey key = TestKey();
  const std::string text = FormatSigningKey(key);
  EXPECT_TRUE(text.starts_with("PRIVATE+KEY+tinydata.test/ledger+"));
  const SigningKey parsed = ParseSigningKey(text).value();
  EXPECT_EQ(parsed.public_key, key.public_key);
  EXPECT_EQ(parsed.key_id, key.key_id);
}

TEST(KeyTest, KeyDataContainingPlusRoundTrips) {
  // Standard base64 uses '+', the separator of the key text; base64(0x01 || f8 f8 ...) has one.
  std::array<uint8_t, 32> seed;
  seed.fill(0xf8);
  const SigningKey key = SigningKeyFromSeed("tinydata.test/ledger", seed).value();
  const std::string text = FormatSigningKey(key);
  ASSERT_GT(std::count(text.begin(), text.end(), '+'), 4);
  auto parsed = ParseSigningKey(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->public_key, key.public_key);
}

TEST(KeyTest, VerifierKeyRoundTripsThroughText) {
  const VerifierKey key = VerifierKeyOf(TestKey());
  const VerifierKey parsed = ParseVerifierKey(FormatVerifierKey(key)).value();
  EXPECT_EQ(parsed.name, key.name);
  EXPECT_EQ(parsed.public_key, key.public_key);
}

TEST(KeyTest, VerifierKeyWithWrongIdIsRejected) {
  std::string text = FormatVerifierKey(VerifierKeyOf(TestKey()));
  const size_t plus = text.find('+');
  text[plus + 1] = text[plus + 1] == '0' ? '1' : '0';
  EXPECT_FALSE(ParseVerifierKey(text).ok());
}

TEST(KeyTest, KeyIdFollowsSignedNoteDefinition) {
  // Key id = SHA-256(name || "\n" || 0x01 || public key)[:4].
  const SigningKey key = TestKey();
  std::string data = key.name + "\n\x01";
  data.append(reinterpret_cast<const char*>(key.public_key.data()), 32);
  const Hash h = Sha256(data);
  EXPECT_EQ(key.key_id, uint32_t{h[0]} << 24 | uint32_t{h[1]} << 16 | uint32_t{h[2]} << 8 | h[3]);
}

TEST(KeyTest, GeneratedKeysDiffer) {
  const SigningKey a = GenerateSigningKey("log").value();
  const SigningKey b = GenerateSigningKey("log").value();
  EXPECT_NE(a.public_key, b.public_key);
}

TEST(KeyTest, RejectsNamesWithPlusOrSpace) {
  std::array<uint8_t, 32> seed{};
  EXPECT_FALSE(SigningKeyFromSeed("a+b", seed).ok());
  EXPECT_FALSE(SigningKeyFromSeed("a b", seed).ok());
  EXPECT_FALSE(SigningKeyFromSeed("", seed).ok());
}

}  // namespace
}  // namespace tinydata::ledger
