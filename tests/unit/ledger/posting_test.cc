#include <gtest/gtest.h>

#include <vector>

#include "tinydata/ledger/entry.h"
#include "tinydata/ledger/posting.h"

namespace tinydata::ledger {
namespace {

constexpr int64_t kNow = 1'764'000'000;

// The reason of the ledger flow from `from` to `to` (flows.h), for tests about other rules.
std::string FlowReason(const std::string& from, const std::string& to, Asset asset) {
  auto kind = [](const std::string& a) { return KindOfAccount(a).value(); };
  const AccountKind d = kind(from);
  const AccountKind c = kind(to);
  if (asset == Asset::kAgt) return "agt_grant";
  if (d == AccountKind::kTreasury) return "credit_grant";
  if (d == AccountKind::kUser && c == AccountKind::kProject) return "project_funding";
  if (d == AccountKind::kUser && c == AccountKind::kTreasury) return "level_up";
  if (d == AccountKind::kPool) return "checkin_bonus";
  return "answer_reward";
}

Posting Pay(std::string from, std::string to, int64_t amount, std::string reference,
            Asset asset = Asset::kAia, std::string reason = "") {
  if (reason.empty() && ValidateAccount(from, "").ok() && ValidateAccount(to, "").ok()) {
    reason = FlowReason(from, to, asset);
  }
  if (reason.empty()) reason = "answer_reward";
  Posting p;
  p.debit_account = std::move(from);
  p.credit_account = std::move(to);
  p.asset = asset;
  p.amount = amount;
  p.reason = std::move(reason);
  p.reference = std::move(reference);
  return p;
}

JournalEntry SampleEntry() {
  JournalEntry e;
  e.id = 42;
  e.created_at_unix_seconds = kNow;
  e.debit_account = "project:3";
  e.credit_account = "user:7";
  e.asset = Asset::kAia;
  e.amount = 15;
  e.reason = "answer_reward";
  e.reference = "answer:17";
  e.idempotency_key = "answer_reward/answer:17";
  return e;
}

// Credits `project` with `amount` through a requester's wallet, as the flows allow.
void Fund(Journal& j, const std::string& project, int64_t amount) {
  static int n = 0;
  const std::string ref = "fund:" + std::to_string(++n);
  ASSERT_TRUE(j.Post(Pay("treasury", "user:999", amount, ref), kNow).ok());
  ASSERT_TRUE(j.Post(Pay("user:999", project, amount, ref), kNow).ok());
}

TEST(AccountTest, AcceptsTheAccountForms) {
  EXPECT_TRUE(ValidateAccount("treasury", "a").ok());
  EXPECT_TRUE(ValidateAccount(UserAccount(12), "a").ok());
  EXPECT_TRUE(ValidateAccount(UserAccount("0123456789abcdef0123"), "a").ok());
  EXPECT_TRUE(ValidateAccount(ProjectAccount(3), "a").ok());
  EXPECT_TRUE(ValidateAccount(PoolAccount("checkin"), "a").ok());
  EXPECT_EQ(KindOfAccount("pool:checkin").value(), AccountKind::kPool);
  EXPECT_EQ(KindOfAccount("user:0123456789abcdef0123").value(), AccountKind::kUser);
}

TEST(AccountTest, RejectsMalformedAccountsNamingTheField) {
  for (const char* bad : {"user:", "user:0", "user:007", "user:-1", "project:x", "bank", "",
                          "user:0123456789ABCDEF0123", "user:0123456789abcdef012", "pool:",
                          "pool:Checkin", "pool:1x"}) {
    Status s = ValidateAccount(bad, "credit_account");
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.field(), "credit_account");
  }
}

TEST(AssetTest, ParsesNamesExactly) {
  EXPECT_EQ(ParseAsset("AIA").value(), Asset::kAia);
  EXPECT_EQ(ParseAsset("AGT").value(), Asset::kAgt);
  EXPECT_FALSE(ParseAsset("aia").ok());
}

TEST(CanonicalBytesTest, LayoutIsDocumentedBigEndianFormat) {
  JournalEntry e = SampleEntry();
  const std::string bytes = CanonicalBytes(e);
  ASSERT_EQ(bytes.size(), 1 + 8 + 8 + 1 + 8 + 4 * 5 + 9 + 6 + 13 + 9 + 23);
  EXPECT_EQ(bytes[0], 0x01);
  EXPECT_EQ(bytes.substr(1, 8), std::string("\0\0\0\0\0\0\0\x2a", 8));
  EXPECT_EQ(bytes[17], 1);  // AIA
  EXPECT_EQ(bytes.substr(18, 8), std::string("\0\0\0\0\0\0\0\x0f", 8));
  EXPECT_EQ(bytes.substr(26, 4 + 9), std::string("\0\0\0\x09project:3", 13));
}

TEST(CanonicalBytesTest, EveryFieldChangesTheLeafHash) {
  const Hash base = EntryLeafHash(SampleEntry());
  std::vector<JournalEntry> variants(9, SampleEntry());
  variants[0].id = 43;
  variants[1].created_at_unix_seconds += 1;
  variants[2].debit_account = "project:4";
  variants[3].credit_account = "user:8";
  variants[4].asset = Asset::kAgt;
  variants[5].amount = 16;
  variants[6].reason = "referral_bonus";
  variants[7].reference = "answer:18";
  variants[8].idempotency_key = "x";
  for (size_t i = 0; i < variants.size(); ++i) {
    EXPECT_NE(EntryLeafHash(variants[i]), base) << "field " << i;
  }
}

TEST(CanonicalBytesTest, LengthPrefixesKeepFieldBoundariesUnambiguous) {
  auto with = [](std::string reason, std::string reference) {
    JournalEntry e = SampleEntry();
    e.reason = std::move(reason);
    e.reference = std::move(reference);
    return e;
  };
  const JournalEntry a = with("ab", "c");
  const JournalEntry b = with("a", "bc");
  EXPECT_NE(CanonicalBytes(a), CanonicalBytes(b));
}

TEST(JournalTest, PostingMovesValueFromDebitToCredit) {
  Journal j;
  Fund(j, "project:1", 100);
  ASSERT_TRUE(j.Post(Pay("project:1", "user:7", 30, "answer:1"), kNow).ok());
  EXPECT_EQ(j.Balance("project:1", Asset::kAia).value(), 70);
  EXPECT_EQ(j.Balance("user:7", Asset::kAia).value(), 30);
  EXPECT_EQ(j.Balance("treasury", Asset::kAia).value(), -100);
  EXPECT_EQ(j.Balance("user:7", Asset::kAgt).value(), 0);
}

TEST(JournalTest, EntriesGetConsecutiveIdsTimeAndDefaultKey) {
  Journal j(10);
  auto first = j.Post(Pay("treasury", "user:1", 5, "checkin:1:20000"), kNow);
  auto second = j.Post(Pay("treasury", "user:1", 5, "checkin:1:20001"), kNow + 1);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->id, 10);
  EXPECT_EQ(second->id, 11);
  EXPECT_EQ(second->created_at_unix_seconds, kNow + 1);
  EXPECT_EQ(first->idempotency_key, "credit_grant/checkin:1:20000");
}

TEST(JournalTest, RewardForSameAnswerAndReasonPostsOnce) {
  Journal j;
  Fund(j, "project:1", 100);
  ASSERT_TRUE(j.Post(Pay("project:1", "user:1", 10, "answer:5"), kNow).ok());
  auto again = j.Post(Pay("project:1", "user:1", 10, "answer:5"), kNow);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().field(), "postings[0].idempotency_key");
  EXPECT_EQ(j.Balance("user:1", Asset::kAia).value(), 10);
}

TEST(JournalTest, SameAnswerWithDifferentReasonIsAllowed) {
  Journal j;
  Fund(j, "project:1", 100);
  ASSERT_TRUE(j.Post(Pay("project:1", "user:1", 10, "answer:5"), kNow).ok());
  EXPECT_TRUE(j.Post(Pay("project:1", "user:2", 1, "answer:5", Asset::kAia, "referral_bonus"), kNow).ok());
}

TEST(JournalTest, RejectsPaymentThatWouldMakeUserNegative) {
  Journal j;
  ASSERT_TRUE(j.Post(Pay("treasury", "user:1", 10, "answer:5"), kNow).ok());
  auto spend = j.Post(Pay("user:1", "treasury", 11, "user:1:level:2", Asset::kAia, "level_up"), kNow);
  EXPECT_EQ(spend.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(j.Balance("user:1", Asset::kAia).value(), 10);
}

TEST(JournalTest, ProjectBudgetCannotGoNegative) {
  Journal j;
  auto pay = j.Post(Pay("project:1", "user:1", 1, "answer:1"), kNow);
  EXPECT_EQ(pay.status().code(), StatusCode::kFailedPrecondition);
}

TEST(JournalTest, TreasuryMayGoNegative) {
  Journal j;
  EXPECT_TRUE(j.Post(Pay("treasury", "user:1", 1'000'000, "grant:1"), kNow).ok());
  EXPECT_EQ(j.Balance("treasury", Asset::kAia).value(), -1'000'000);
}

TEST(JournalTest, AgtIssuanceUpToMaxSupplyIsAllowed) {
  Journal j;
  ASSERT_TRUE(j.Post(Pay("treasury", "user:1", kAgtMaxSupply - 1, "g:1", Asset::kAgt, "agt_grant"), kNow).ok());
  ASSERT_TRUE(j.Post(Pay("treasury", "user:2", 1, "g:2", Asset::kAgt, "agt_grant"), kNow).ok());
  EXPECT_EQ(j.AgtInCirculation(), kAgtMaxSupply);
}

TEST(JournalTest, AgtIssuanceAboveMaxSupplyIsRejected) {
  Journal j;
  ASSERT_TRUE(j.Post(Pay("treasury", "user:1", kAgtMaxSupply, "g:1", Asset::kAgt, "agt_grant"), kNow).ok());
  auto over = j.Post(Pay("treasury", "user:2", 1, "g:2", Asset::kAgt, "agt_grant"), kNow);
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(j.AgtInCirculation(), kAgtMaxSupply);
}

// No flow moves AGT back to the treasury, so issued AGT stays issued.
TEST(JournalTest, AgtCannotBeReturnedToTheTreasury) {
  Journal j;
  ASSERT_TRUE(j.Post(Pay("treasury", "user:1", 5, "g:1", Asset::kAgt, "agt_grant"), kNow).ok());
  auto back = j.Post(Pay("user:1", "treasury", 5, "b:1", Asset::kAgt, "agt_return"), kNow);
  EXPECT_EQ(back.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(back.status().field(), "postings[0].reason");
}

// Every way to create AIA other than a credit grant used to be open to any code path.
TEST(JournalTest, OnlyTheLedgerFlowsArePosted) {
  Journal j;
  const std::vector<Posting> forbidden = {
      Pay("treasury", "project:1", 100, "mint", Asset::kAia, "project_funding"),
      Pay("treasury", "user:1", 100, "mint", Asset::kAia, "answer_reward"),
      Pay("treasury", "user:1", 100, "mint", Asset::kAia, "checkin_bonus"),
      Pay("treasury", "project:1", 100, "mint", Asset::kAia, "credit_grant"),
      Pay("treasury", "user:1", 100, "mint", Asset::kAgt, "credit_grant"),
      Pay("project:1", "user:1", 1, "answer:1", Asset::kAia, "credit_grant"),
      Pay("treasury", "user:1", 100, "mint", Asset::kAia, "bonus"),
  };
  for (const Posting& p : forbidden) {
    auto posted = j.Post(p, kNow);
    EXPECT_EQ(posted.status().code(), StatusCode::kFailedPrecondition)
        << p.reason << " " << p.debit_account << " -> " << p.credit_account;
    EXPECT_EQ(posted.status().field(), "postings[0].reason");
  }
  EXPECT_TRUE(j.entries().empty());
}

TEST(JournalTest, RejectsNonPositiveAmountNamingTheField) {
  Journal j;
  auto zero = j.Post(Pay("treasury", "user:1", 0, "answer:1"), kNow);
  EXPECT_EQ(zero.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(zero.status().field(), "postings[0].amount");
  EXPECT_FALSE(j.Post(Pay("treasury", "user:1", -5, "answer:1"), kNow).ok());
}

TEST(JournalTest, RejectsTransferToSameAccount) {
  Journal j;
  auto self = j.Post(Pay("user:1", "user:1", 1, "answer:1"), kNow);
  EXPECT_EQ(self.status().field(), "postings[0].credit_account");
}

TEST(JournalTest, RejectsMalformedReasonAndReference) {
  Journal j;
  EXPECT_EQ(j.Post(Pay("treasury", "user:1", 1, "answer:1", Asset::kAia, "Bad Reason"), kNow)
                .status().field(),
            "postings[0].reason");
  EXPECT_EQ(j.Post(Pay("treasury", "user:1", 1, "has space"), kNow).status().field(),
            "postings[0].reference");
}

TEST(JournalTest, BatchIsCheckedCumulativelyAndAppliedAtomically) {
  Journal j;
  Fund(j, "project:1", 10);
  std::vector<Posting> batch = {Pay("project:1", "user:1", 6, "answer:1"),
                                Pay("project:1", "user:2", 6, "answer:2")};
  EXPECT_EQ(j.Post(batch, kNow).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(j.Post(batch, kNow).status().field(), "postings[1].amount");
  EXPECT_EQ(j.Balance("user:1", Asset::kAia).value(), 0);
  EXPECT_EQ(j.entries().size(), 2u);
}

TEST(JournalTest, BatchUsesFundsReceivedEarlierInTheBatch) {
  Journal j;
  std::vector<Posting> batch = {Pay("treasury", "user:9", 10, "inv:1"),
                                Pay("user:9", "project:1", 10, "fund:1"),
                                Pay("project:1", "user:1", 10, "answer:1")};
  EXPECT_TRUE(j.Post(batch, kNow).ok());
}

TEST(JournalTest, RepeatedKeyWithinBatchIsRejected) {
  Journal j;
  std::vector<Posting> batch = {Pay("treasury", "user:1", 1, "answer:1"),
                                Pay("treasury", "user:1", 1, "answer:1")};
  EXPECT_EQ(j.Post(batch, kNow).status().code(), StatusCode::kAlreadyExists);
}

// A grant of ~2^63 once left the treasury at -9223372036854775807, after which every further
// issue overflowed. Amounts and the AIA in circulation are bounded now.
TEST(JournalTest, AmountsAndAiaSupplyAreBounded) {
  Journal j;
  auto huge = j.Post(Pay("treasury", "user:1", INT64_MAX, "grant:1"), kNow);
  EXPECT_EQ(huge.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(huge.status().field(), "postings[0].amount");
  ASSERT_TRUE(j.Post(Pay("treasury", "user:1", kMaxAmount, "grant:2"), kNow).ok());
  auto over = j.Post(Pay("treasury", "user:2", 1, "grant:3"), kNow);
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted) << "above kAiaMaxSupply";
  EXPECT_EQ(j.Balance("treasury", Asset::kAia).value(), -kAiaMaxSupply);
  EXPECT_TRUE(j.Post(Pay("user:1", "treasury", 1, "level:2"), kNow).ok());
  EXPECT_TRUE(j.Post(Pay("treasury", "user:2", 1, "grant:4"), kNow).ok())
      << "AIA paid back to the treasury may be issued again";
}

// A view whose lookups fail, like a database that went away mid-transaction.
class FailingView : public LedgerView {
 public:
  Result<int64_t> Balance(std::string_view, Asset) const override {
    return Status::Unavailable("database is locked");
  }
  Result<bool> HasIdempotencyKey(std::string_view) const override { return false; }
};

TEST(ValidatePostingsTest, PassesViewErrorsThrough) {
  std::vector<Posting> batch = {Pay("treasury", "user:1", 1, "answer:1")};
  EXPECT_EQ(ValidatePostings(batch, FailingView()).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace tinydata::ledger
