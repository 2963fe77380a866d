// Tamper tests: a ledger built through the real posting rules, Merkle log and checkpoint
// signing, then altered the way someone with write access to the database could alter it.
#include "tinydata/ledger/verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tinydata/ledger/posting.h"

namespace tinydata::ledger {
namespace {

constexpr int64_t kNow = 1'764'000'000;

Posting Pay(std::string from, std::string to, int64_t amount, std::string reference,
            std::string reason = "answer_reward", Asset asset = Asset::kAia) {
  return Posting{std::move(from), std::move(to), asset,      amount,
                 std::move(reason), std::move(reference), ""};
}

SigningKey Key() {
  std::array<uint8_t, 32> seed;
  seed.fill(1);
  return SigningKeyFromSeed("tinydata.test/ledger", seed).value();
}

// Ten entries, all sequenced, with checkpoints at sizes 6 and 10.
class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Journal journal;
    const std::vector<Posting> postings = {
        Pay("treasury", "user:9", 1000, "inv:1", "credit_grant"),
        Pay("user:9", "project:1", 1000, "project:1/funding:a", "project_funding"),
        Pay("project:1", "user:2", 12, "answer:2"),
        Pay("treasury", "pool:checkin", 50, "inv:2", "credit_grant"),
        Pay("project:1", "user:1", 18, "answer:3"),
        Pay("project:1", "user:2", 1, "answer:3", "referral_bonus"),
        Pay("user:1", "treasury", 15, "user:1/level:2", "level_up"),
        Pay("treasury", "user:2", 100, "level:2:2", "agt_grant", Asset::kAgt),
        Pay("project:1", "user:3", 9, "answer:4"),
        Pay("pool:checkin", "user:3", 5, "checkin:3:20401", "checkin_bonus"),
    };
    for (const Posting& p : postings) ASSERT_TRUE(journal.Post(p, kNow).ok());
    Build(journal.entries());
    key_ = VerifierKeyOf(Key());
  }

  // Sequences `entries` into a fresh log, signing checkpoints at sizes 6 and 10 and at the end,
  // and stores the balances they sum to: the ledger as an honest server (or an attacker holding
  // the signing key) would leave it.
  void Build(const std::vector<JournalEntry>& entries) {
    nodes_ = MemoryNodeStore();
    entries_.clear();
    checkpoints_.clear();
    balances_.clear();
    MerkleLog log = MerkleLog::Open(&nodes_, 0).value();
    const SigningKey key = Key();
    auto sign = [&] {
      Checkpoint c{"tinydata.test/ledger", log.size(), log.Root(), kNow + int64_t(log.size())};
      checkpoints_.push_back(SignCheckpoint(c, key).value());
    };
    std::map<std::pair<std::string, Asset>, int64_t> sums;
    for (const JournalEntry& e : entries) {
      const Hash leaf = EntryLeafHash(e);
      ASSERT_TRUE(log.Append(std::span(&leaf, 1)).ok());
      entries_.push_back(StoredEntry{e, log.size() - 1, leaf});
      if (log.size() == 6 || log.size() == 10) sign();
      sums[{e.debit_account, e.asset}] -= e.amount;
      sums[{e.credit_account, e.asset}] += e.amount;
    }
    if (log.size() != 6 && log.size() != 10) sign();
    for (const auto& [key_pair, sum] : sums) {
      balances_.push_back({key_pair.first, key_pair.second, sum});
    }
  }

  std::vector<JournalEntry> Entries(size_t first_n) const {
    std::vector<JournalEntry> out;
    for (size_t i = 0; i < first_n && i < entries_.size(); ++i) out.push_back(entries_[i].entry);
    return out;
  }

  // A journal entry posted behind the sequencer's back: never given a leaf index.
  void Inject(const JournalEntry& e) {
    entries_.push_back(StoredEntry{e, std::nullopt, std::nullopt});
    AddToBalance(e.debit_account, e.asset, -e.amount);
    AddToBalance(e.credit_account, e.asset, e.amount);
  }

  std::vector<Problem> Verify(int64_t flows_from_entry_id = 0) {
    LedgerSnapshot s;
    s.flows_from_entry_id = flows_from_entry_id;
    s.trusted_checkpoints = trusted_;
    s.now_unix_seconds = now_;
    s.max_unsequenced_seconds = max_unsequenced_seconds_;
    s.entries = entries_;
    s.balances = balances_;
    s.checkpoints = checkpoints_;
    s.key = &key_;
    s.nodes = &nodes_;
    return VerifyLedger(s);
  }

  StoredEntry& Row(int64_t id) {
    for (StoredEntry& e : entries_) {
      if (e.entry.id == id) return e;
    }
    ADD_FAILURE() << "no entry " << id;
    return entries_.front();
  }

  void Delete(int64_t id) {
    std::erase_if(entries_, [id](const StoredEntry& e) { return e.entry.id == id; });
  }

  void SetBalance(const std::string& account, Asset asset, int64_t value) {
    for (StoredBalance& b : balances_) {
      if (b.account == account && b.asset == asset) b.balance = value;
    }
  }

  void AddToBalance(const std::string& account, Asset asset, int64_t delta) {
    for (StoredBalance& b : balances_) {
      if (b.account == account && b.asset == asset) b.balance += delta;
    }
  }

  MemoryNodeStore nodes_;
  std::vector<StoredEntry> entries_;
  std::vector<StoredBalance> balances_;
  std::vector<std::string> checkpoints_;
  std::vector<std::string> trusted_;
  int64_t now_ = 0;
  int64_t max_unsequenced_seconds_ = 0;
  VerifierKey key_;
};

MATCHER_P2(IsProblem, kind, entry_id, "") {
  return arg.kind == kind && arg.entry_id == entry_id;
}
MATCHER_P(OfKind, kind, "") { return arg.kind == kind; }

std::string Describe(const std::vector<Problem>& problems) {
  std::string out;
  for (const Problem& p : problems) {
    out += std::string(ProblemKindName(p.kind)) + " #" + std::to_string(p.entry_id) + ": " +
           p.message + "\n";
  }
  return out;
}

TEST_F(VerifierTest, UntouchedLedgerHasNoProblems) {
  const auto problems = Verify();
  EXPECT_TRUE(problems.empty()) << Describe(problems);
}

TEST_F(VerifierTest, EditedAmountIsNamed) {
  Row(5).entry.amount = 800;
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kEditedEntry, 5)))
      << Describe(problems);
  EXPECT_THAT(problems, ::testing::Contains(OfKind(ProblemKind::kBalanceMismatch)));
}

TEST_F(VerifierTest, EditedAmountWithRewrittenLeafHashIsNamedByNodeStore) {
  Row(5).entry.amount = 800;
  Row(5).leaf_hash = EntryLeafHash(Row(5).entry);
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kNodeMismatch, 5)))
      << Describe(problems);
  EXPECT_THAT(problems, ::testing::Contains(OfKind(ProblemKind::kRootMismatch)));
}

TEST_F(VerifierTest, EditedAmountWithoutStoredHashesFailsCheckpointRoot) {
  Row(3).entry.amount = 13;
  for (StoredEntry& e : entries_) e.leaf_hash.reset();
  LedgerSnapshot s;
  s.entries = entries_;
  s.checkpoints = checkpoints_;
  s.key = &key_;
  const auto problems = VerifyLedger(s);
  EXPECT_THAT(problems, ::testing::Contains(OfKind(ProblemKind::kRootMismatch)))
      << Describe(problems);
}

TEST_F(VerifierTest, DeletedEntryIsNamed) {
  Delete(4);
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kMissingEntry, 4)))
      << Describe(problems);
  EXPECT_THAT(problems, ::testing::Contains(OfKind(ProblemKind::kRootMismatch)));
}

TEST_F(VerifierTest, DeletedLastEntryIsNamed) {
  Delete(10);
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kMissingEntry, 10)))
      << Describe(problems);
}

TEST_F(VerifierTest, DeletedLastEntryIsNamedByCheckpointAlone) {
  Delete(10);
  LedgerSnapshot s;
  s.entries = entries_;
  s.checkpoints = checkpoints_;
  s.key = &key_;
  const auto problems = VerifyLedger(s);
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kMissingEntry, 10)))
      << Describe(problems);
}

TEST_F(VerifierTest, DeletedEntryAndRenumberedLeavesFailRoot) {
  // A careful attacker closes the gap by shifting every later leaf index down by one.
  Delete(4);
  for (StoredEntry& e : entries_) {
    if (e.entry.id > 4) *e.leaf_index -= 1;
  }
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(OfKind(ProblemKind::kRootMismatch)))
      << Describe(problems);
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kNodeMismatch, 5)));
}

TEST_F(VerifierTest, SwappedLeafIndexesAreNamed) {
  std::swap(Row(3).leaf_index, Row(4).leaf_index);
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kOutOfOrder, 3)))
      << Describe(problems);
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kOutOfOrder, 4)));
}

TEST_F(VerifierTest, SwappedRowContentsAreNamed) {
  // Everything but the ids trades places, so both rows now describe the other's movement.
  std::swap(Row(2).entry, Row(3).entry);
  std::swap(Row(2).entry.id, Row(3).entry.id);
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kEditedEntry, 2)))
      << Describe(problems);
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kEditedEntry, 3)));
}

TEST_F(VerifierTest, DuplicatedLeafIndexIsNamed) {
  Row(7).leaf_index = 5;
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kOutOfOrder, 7)))
      << Describe(problems);
}

TEST_F(VerifierTest, EditedCheckpointFailsSignature) {
  checkpoints_[1].replace(checkpoints_[1].find("\n10\n"), 4, "\n11\n");
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(OfKind(ProblemKind::kBadCheckpoint)))
      << Describe(problems);
}

TEST_F(VerifierTest, CheckpointsMustNotShrink) {
  std::swap(checkpoints_[0], checkpoints_[1]);
  const auto problems = Verify();
  ASSERT_EQ(problems.size(), 1u) << Describe(problems);
  EXPECT_EQ(problems[0].kind, ProblemKind::kBadCheckpoint);
}

TEST_F(VerifierTest, EditedStoredBalanceIsNamed) {
  SetBalance("user:2", Asset::kAia, 1000);
  const auto problems = Verify();
  ASSERT_EQ(problems.size(), 1u) << Describe(problems);
  EXPECT_EQ(problems[0].kind, ProblemKind::kBalanceMismatch);
  EXPECT_THAT(problems[0].message, ::testing::HasSubstr("user:2"));
  EXPECT_EQ(problems[0].entry_id, 6);  // the last entry that touched user:2's AIA
}

TEST_F(VerifierTest, MissingStoredBalanceIsReported) {
  std::erase_if(balances_, [](const StoredBalance& b) { return b.account == "user:3"; });
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kBalanceMismatch, 10)))
      << Describe(problems);
}

TEST_F(VerifierTest, UnsequencedEntriesAfterTheLastLeafAreFine) {
  JournalEntry e = Row(10).entry;
  e.id = 11;
  e.idempotency_key = "checkin_bonus/checkin:3:20402";
  e.reference = "checkin:3:20402";
  entries_.push_back(StoredEntry{e, std::nullopt, std::nullopt});
  AddToBalance("user:3", Asset::kAia, 5);
  AddToBalance("pool:checkin", Asset::kAia, -5);
  const auto problems = Verify();
  EXPECT_TRUE(problems.empty()) << Describe(problems);
}

// A row slipped into the journal that mints AIA for someone (with its balances adjusted to
// match) breaks no hash, yet no flow of the ledger allows it.
TEST_F(VerifierTest, InjectedMintIsAForbiddenFlow) {
  JournalEntry mint = Row(9).entry;
  mint.id = 11;
  mint.debit_account = "treasury";
  mint.amount = 1'000'000;
  mint.reference = "answer:99";
  mint.idempotency_key = "answer_reward/answer:99";
  entries_.push_back(StoredEntry{mint, std::nullopt, std::nullopt});
  AddToBalance("user:3", Asset::kAia, 1'000'000);
  AddToBalance("treasury", Asset::kAia, -1'000'000);
  const auto problems = Verify();
  ASSERT_EQ(problems.size(), 1u) << Describe(problems);
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kForbiddenFlow, 11)));
  EXPECT_TRUE(Verify(12).empty()) << "entries older than the flow rules are exempt";
}

TEST_F(VerifierTest, SequencedEntryAfterUnsequencedOneIsOutOfOrder) {
  Row(9).leaf_index.reset();
  Row(9).leaf_hash.reset();
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kOutOfOrder, 10)))
      << Describe(problems);
}

TEST_F(VerifierTest, NegativeBalanceIsNamed) {
  Row(7).entry.amount = 500;  // user:1 pays more than it has
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kNegativeBalance, 7)))
      << Describe(problems);
}

TEST_F(VerifierTest, SupplyCapExcessIsNamed) {
  Row(8).entry.amount = kAgtMaxSupply + 1;
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kSupplyCapExceeded, 8)))
      << Describe(problems);
}

TEST_F(VerifierTest, DuplicateIdempotencyKeyIsNamed) {
  Row(9).entry.idempotency_key = Row(2).entry.idempotency_key;
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kDuplicateKey, 9)))
      << Describe(problems);
}

TEST_F(VerifierTest, MalformedEntryIsNamed) {
  Row(6).entry.amount = 0;
  const auto problems = Verify();
  EXPECT_THAT(problems, ::testing::Contains(IsProblem(ProblemKind::kMalformedEntry, 6)))
      << Describe(problems);
}

TEST_F(VerifierTest, TamperedStoredNodeIsReported) {
  nodes_.OverwriteForTesting({1, 2}, Sha256(std::string_view("x")));
  const auto problems = Verify();
  ASSERT_EQ(problems.size(), 1u) << Describe(problems);
  EXPECT_EQ(problems[0].kind, ProblemKind::kNodeMismatch);
  EXPECT_EQ(problems[0].entry_id, 5);  // leaves 4..5 are entries 5 and 6
}

TEST_F(VerifierTest, TruncatedLogIsNamedOnlyByATrustedCheckpoint) {
  // Someone with the database (and the key stored in it) drops the last three entries, their
  // nodes and checkpoints, re-signs a checkpoint at size 7 and fixes the balances. The log is
  // consistent in itself; only a checkpoint seen before the rollback tells.
  const std::vector<std::string> seen = {checkpoints_.back()};  // size 10
  Build(Entries(7));
  auto problems = Verify();
  EXPECT_TRUE(problems.empty()) << Describe(problems);

  trusted_ = seen;
  problems = Verify();
  ASSERT_EQ(problems.size(), 1u) << Describe(problems);
  EXPECT_EQ(problems[0].kind, ProblemKind::kRolledBack);
  EXPECT_EQ(problems[0].entry_id, 8);
  EXPECT_THAT(problems[0].message, ::testing::HasSubstr("covers 10 leaves but the log holds 7"));
}

TEST_F(VerifierTest, RewrittenLogIsNamedByATrustedCheckpoint) {
  trusted_ = {checkpoints_[0], checkpoints_[1]};  // sizes 6 and 10
  std::vector<JournalEntry> entries = Entries(10);
  entries[8].amount = 90;  // entry 9 pays ten times more; everything re-signed around it
  Build(entries);
  const auto problems = Verify();
  ASSERT_EQ(problems.size(), 1u) << Describe(problems);
  EXPECT_EQ(problems[0].kind, ProblemKind::kRolledBack);
  EXPECT_THAT(problems[0].message, ::testing::HasSubstr("trusted checkpoint 1 (tree size 10)"));
}

TEST_F(VerifierTest, TrustedCheckpointStillInTheLogPasses) {
  trusted_ = {checkpoints_[0]};
  const auto problems = Verify();
  EXPECT_TRUE(problems.empty()) << Describe(problems);
}

TEST_F(VerifierTest, TrustedCheckpointOfAnotherKeyIsBad) {
  std::array<uint8_t, 32> seed;
  seed.fill(2);
  const SigningKey other = SigningKeyFromSeed("tinydata.test/ledger", seed).value();
  trusted_ = {SignCheckpoint({"tinydata.test/ledger", 10, Hash{}, kNow}, other).value()};
  const auto problems = Verify();
  ASSERT_EQ(problems.size(), 1u) << Describe(problems);
  EXPECT_EQ(problems[0].kind, ProblemKind::kBadCheckpoint);
  EXPECT_THAT(problems[0].message, ::testing::HasSubstr("trusted checkpoint 0"));
}

TEST_F(VerifierTest, DeletedCheckpointsAreNamed) {
  checkpoints_.clear();
  auto problems = Verify();
  ASSERT_EQ(problems.size(), 1u) << Describe(problems);
  EXPECT_EQ(problems[0].kind, ProblemKind::kMissingCheckpoint);

  Build(Entries(10));
  checkpoints_.pop_back();  // the one at size 10: leaves 7..10 are vouched for by none
  problems = Verify();
  ASSERT_EQ(problems.size(), 1u) << Describe(problems);
  EXPECT_EQ(problems[0].kind, ProblemKind::kMissingCheckpoint);
  EXPECT_EQ(problems[0].entry_id, 7);
}

TEST_F(VerifierTest, BackdatedUnsequencedMintIsNamed) {
  // A credit grant slipped into the journal with an old timestamp, so it looks like an entry
  // the sequencer has not reached yet: but a checkpoint signed long after it leaves it out.
  JournalEntry mint{11, kNow - 3600, "treasury", "user:3", Asset::kAia, 1'000'000,
                    "credit_grant", "inv:forged", "grant:forged"};
  Inject(mint);
  const auto problems = Verify();
  ASSERT_EQ(problems.size(), 1u) << Describe(problems);
  EXPECT_EQ(problems[0].kind, ProblemKind::kUnsequenced);
  EXPECT_EQ(problems[0].entry_id, 11);
  EXPECT_THAT(problems[0].message, ::testing::HasSubstr("credit_grant, 1000000 AIA to user:3"));
}

TEST_F(VerifierTest, EntryWaitingTooLongForTheSequencerIsNamed) {
  JournalEntry mint{11, kNow + 100, "treasury", "user:3", Asset::kAia, 5, "credit_grant",
                    "inv:3", "grant:3"};
  Inject(mint);
  max_unsequenced_seconds_ = 600;
  now_ = kNow + 100 + 30;  // just posted: the sequencer runs every few seconds
  auto problems = Verify();
  EXPECT_TRUE(problems.empty()) << Describe(problems);

  now_ = kNow + 100 + 601;
  problems = Verify();
  ASSERT_EQ(problems.size(), 1u) << Describe(problems);
  EXPECT_EQ(problems[0].kind, ProblemKind::kUnsequenced);
  EXPECT_THAT(problems[0].message, ::testing::HasSubstr("waited 601 s"));
}

TEST(VerifierEmptyTest, EmptyLedgerHasNoProblems) {
  EXPECT_TRUE(VerifyLedger(LedgerSnapshot{}).empty());
}

}  // namespace
}  // namespace tinydata::ledger
