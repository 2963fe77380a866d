// The sequencer and the proofs the API serves, on a real SQLite store.
#include "tinydata/service/ledger_service.h"

#include <gtest/gtest.h>

#include "platform_fixture.h"
#include "tinydata/ledger/merkle.h"
#include "tinydata/service/game_service.h"

namespace tinydata::service {
namespace {

class LedgerServiceTest : public PlatformTest {
 protected:
  void SetUp() override {
    PlatformTest::SetUp();
    auto ledger = LedgerService::Open(store_.get(), &clock_);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ledger_ = std::move(ledger).value();
    auto game = GameService::Create(store_.get(), &clock_, game::GameConfig{});
    ASSERT_TRUE(game.ok());
    game_ = std::move(game).value();
    req_ = Requester();
    project_ = MakeProject(req_);
  }

  // Posts `n` journal entries (credit grants to the requester).
  void Fund(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(game_->GrantCredit(game_->accounts().OfUser(req_.user_id), 1 + i,
                                     "k" + std::to_string(funded_++))
                      .ok());
    }
  }

  std::unique_ptr<LedgerService> ledger_;
  std::unique_ptr<GameService> game_;
  Principal req_;
  store::Project project_;
  int funded_ = 0;
};

TEST_F(LedgerServiceTest, FirstRunSignsEmptyTreeCheckpoint) {
  auto run = ledger_->Sequence();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->tree_size, 0u);
  auto checkpoint = ledger_->LatestCheckpoint();
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(checkpoint->checkpoint.root_hash, ledger::EmptyRootHash());
}

TEST_F(LedgerServiceTest, SequencerGivesContiguousLeavesAndSignsCheckpoint) {
  Fund(5);
  auto run = ledger_->Sequence();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->sequenced, 5u);
  EXPECT_EQ(run->tree_size, 5u);
  auto checkpoint = ledger_->LatestCheckpoint();
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(checkpoint->checkpoint.tree_size, 5u);
  EXPECT_TRUE(ledger::OpenCheckpoint(checkpoint->note, ledger_->verifier_key()).ok());
  EXPECT_EQ(ledger_->Sequence()->sequenced, 0u);
}

TEST_F(LedgerServiceTest, InclusionProofVerifiesAgainstCheckpointRoot) {
  Fund(7);
  ASSERT_TRUE(ledger_->Sequence().ok());
  const ledger::Hash root = ledger_->LatestCheckpoint()->checkpoint.root_hash;
  for (uint64_t i = 0; i < 7; ++i) {
    auto proof = ledger_->Entry(i, std::nullopt);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    EXPECT_TRUE(ledger::VerifyInclusion(i, 7, ledger::EntryLeafHash(proof->row.entry),
                                        proof->inclusion_proof, root)
                    .ok());
  }
  EXPECT_EQ(ledger_->Entry(7, std::nullopt).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ledger_->Entry(0, 8).status().field(), "tree_size");
}

TEST_F(LedgerServiceTest, ConsistencyProofLinksTwoCheckpoints) {
  Fund(3);
  ASSERT_TRUE(ledger_->Sequence().ok());
  const ledger::Hash root3 = ledger_->LatestCheckpoint()->checkpoint.root_hash;
  Fund(4);
  ASSERT_TRUE(ledger_->Sequence().ok());
  const ledger::Hash root7 = ledger_->LatestCheckpoint()->checkpoint.root_hash;
  auto proof = ledger_->Consistency(3, 7);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_TRUE(ledger::VerifyConsistency(3, 7, *proof, root3, root7).ok());
}

TEST_F(LedgerServiceTest, CheckExtendsAcceptsAnEarlierCheckpointOfTheSameLog) {
  Fund(3);
  ASSERT_TRUE(ledger_->Sequence().ok());
  const std::string seen = ledger_->LatestCheckpoint()->note;
  Fund(4);
  ASSERT_TRUE(ledger_->Sequence().ok());
  auto latest = ledger_->CheckExtends(seen);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->checkpoint.tree_size, 7u);
  EXPECT_TRUE(ledger_->CheckExtends(latest->note).ok());
}

TEST_F(LedgerServiceTest, CheckExtendsNamesARollbackAndARewrite) {
  Fund(7);
  ASSERT_TRUE(ledger_->Sequence().ok());
  // Checkpoints signed with the log's own key (which the database holds) but of another
  // history: one longer than the log, one that disagrees with its first three entries.
  auto key_text = store_->GetSetting(kLedgerSigningKeySetting);
  ASSERT_TRUE(key_text.ok() && key_text->has_value());
  const ledger::SigningKey key = ledger::ParseSigningKey(**key_text).value();
  auto sign = [&](uint64_t size, const ledger::Hash& root) {
    return ledger::SignCheckpoint({"tinydata/ledger", size, root, 1}, key).value();
  };
  const ledger::Hash root = ledger_->LatestCheckpoint()->checkpoint.root_hash;

  auto longer = ledger_->CheckExtends(sign(9, root));
  EXPECT_EQ(longer.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(longer.status().message().find("rolled back"), std::string::npos)
      << longer.status().ToString();

  auto forked = ledger_->CheckExtends(sign(3, ledger::Sha256(std::string_view("other"))));
  EXPECT_EQ(forked.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(forked.status().message().find("rewritten"), std::string::npos)
      << forked.status().ToString();

  auto garbage = ledger_->CheckExtends("tinydata/ledger\n3\n");
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(garbage.status().field(), "checkpoint");
}

TEST_F(LedgerServiceTest, SigningKeySurvivesRestart) {
  const std::string key = ledger_->verifier_key_text();
  ledger_.reset();
  auto reopened = LedgerService::Open(store_.get(), &clock_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->verifier_key_text(), key);
}

TEST_F(LedgerServiceTest, GivenSigningKeyIsUsedAndItsVerifierStored) {
  auto fresh = store::OpenStore((dir_ / "fresh.db").string());
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  auto key = ledger::GenerateSigningKey("tinydata-ledger");
  ASSERT_TRUE(key.ok());
  LedgerOptions options;
  options.signing_key = ledger::FormatSigningKey(*key);
  auto opened = LedgerService::Open(fresh->get(), &clock_, options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const std::string verifier = ledger::FormatVerifierKey(ledger::VerifierKeyOf(*key));
  EXPECT_EQ((*opened)->verifier_key_text(), verifier);
  EXPECT_EQ((*fresh)->GetSetting(kLedgerVerifierKeySetting).value(), verifier);
  // The secret stays in the key file: the database keeps only the verifier key.
  EXPECT_FALSE((*fresh)->GetSetting(kLedgerSigningKeySetting).value().has_value());
  opened->reset();
  (*fresh)->Close();
}

TEST_F(LedgerServiceTest, RefusesSigningKeyThatDiffersFromStoredVerifier) {
  const std::string stored = ledger_->verifier_key_text();
  auto other = ledger::GenerateSigningKey("tinydata-ledger");
  ASSERT_TRUE(other.ok());
  LedgerOptions options;
  options.signing_key = ledger::FormatSigningKey(*other);
  auto opened = LedgerService::Open(store_.get(), &clock_, options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(opened.status().field(), "signing_key");
  EXPECT_EQ(store_->GetSetting(kLedgerVerifierKeySetting).value(), stored);
}

TEST_F(LedgerServiceTest, RefusesMalformedSigningKey) {
  LedgerOptions options;
  options.signing_key = "PRIVATE+KEY+not-a-key";
  auto opened = LedgerService::Open(store_.get(), &clock_, options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(opened.status().field(), "signing_key");
}

TEST_F(LedgerServiceTest, SequencerContinuesAfterRestart) {
  Fund(3);
  ASSERT_TRUE(ledger_->Sequence().ok());
  auto reopened = LedgerService::Open(store_.get(), &clock_);
  ASSERT_TRUE(reopened.ok());
  Fund(2);
  auto run = (*reopened)->Sequence();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->tree_size, 5u);
  auto proof = (*reopened)->Consistency(3, 5);
  ASSERT_TRUE(proof.ok());
}

}  // namespace
}  // namespace tinydata::service

namespace tinydata::service {
namespace {

// A journal that began before the flow rules keeps its older entries exempt from them; a new
// one checks every entry.
TEST_F(LedgerServiceTest, RecordsWhereTheFlowRulesBegin) {
  EXPECT_EQ(FlowRulesStart(*store_).value(), 1) << "recorded at Open on an empty journal";
  store::WriteBatch forget;
  forget.upsert_settings.emplace_back(kFlowRulesFromSetting, "7");
  ASSERT_TRUE(store_->WriteSync(std::move(forget)).ok());
  EXPECT_EQ(FlowRulesStart(*store_).value(), 7);
  ASSERT_TRUE(RecordFlowRulesStart(*store_).ok());
  EXPECT_EQ(FlowRulesStart(*store_).value(), 7) << "never moved once recorded";
}

}  // namespace
}  // namespace tinydata::service
