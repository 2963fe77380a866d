// The game use cases and the settlement of retired tasks on a real SQLite store.
#include "tinydata/service/game_service.h"

#include <gtest/gtest.h>

#include "platform_fixture.h"
#include "tinydata/ledger/entry.h"

namespace tinydata::service {
namespace {

using ledger::Asset;

class GameServiceTest : public PlatformTest {
 protected:
  void SetUp() override {
    PlatformTest::SetUp();
    config_.checkin_base_aia = 5;
    config_.checkin_streak_bonus_aia = 1;
    config_.checkin_streak_bonus_max_days = 7;
    config_.daily_reward_cap_aia = 500;
    config_.referral_bonus_bps = 1000;
    config_.referral_min_gold_passes = 2;
    config_.level_xp_thresholds = {0, 10, 100};
    config_.level_up_cost_aia = {0, 5, 50};
    config_.domain_tier_min_level = 2;
    config_.advanced_tier_min_level = 3;
    MakeGame();
    ASSERT_TRUE(game_->GrantCredit(std::string(ledger::kCheckinPoolAccount), kPool, "pool").ok());
  }

  void MakeGame() {
    auto game = GameService::Create(store_.get(), &clock_, config_);
    ASSERT_TRUE(game.ok()) << game.status().ToString();
    game_ = std::move(game).value();
    platform_->SetRetirementHook(game_->MakeRetirementHook());
  }

  static constexpr int64_t kPool = 1'000;

  std::string Wallet(int64_t user_id) { return game_->accounts().OfUser(user_id); }
  // Credits `owner` and funds the project from that credit, as a requester does.
  void Fund(const Principal& owner, int64_t project_id, int64_t amount) {
    ASSERT_TRUE(game_->GrantCredit(Wallet(owner.user_id), amount,
                                   "invoice-" + std::to_string(++invoices_))
                    .ok());
    auto funded = game_->FundProject(owner.user_id, project_id, amount,
                                     "fund-" + std::to_string(invoices_));
    ASSERT_TRUE(funded.ok()) << funded.status().ToString();
  }

  int64_t Aia(const std::string& account) {
    return store_->ledger().Balance(account, Asset::kAia).value();
  }
  int64_t Agt(const std::string& account) {
    return store_->ledger().Balance(account, Asset::kAgt).value();
  }
  void SetProgress(int64_t user_id, int32_t level, int64_t xp) {
    store::WriteBatch batch;
    batch.update_user_progress.push_back({user_id, level, xp});
    ASSERT_TRUE(store_->WriteSync(std::move(batch)).ok());
  }

  // A retired task of `project` whose answers by `users` got the given verdicts.
  SettlementSummary Settle(const store::Project& project, bool gold, double confidence,
                           const std::vector<std::pair<int64_t, std::string>>& verdicts) {
    store::Task task;
    task.id = ++task_ids_;
    task.project_id = project.id;
    task.state = "retired";
    task.confidence = confidence;
    if (gold) task.gold_json = "\"pos\"";
    std::vector<store::Answer> answers;
    for (const auto& [user, verdict] : verdicts) {
      store::Answer a;
      a.id = ++answer_ids_;
      a.user_id = user;
      a.task_id = task.id;
      a.project_id = project.id;
      a.verdict = verdict;
      answers.push_back(a);
    }
    store::WriteBatch batch;
    RetiredTask retired{&project, &task, &answers};
    auto summary = game_->rewards().SettleRetiredTask(retired, clock_.NowMs(), &batch.ledger);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    Status written = store_->WriteSync(std::move(batch));
    EXPECT_TRUE(written.ok()) << written.ToString();
    return summary.ok() ? *summary : SettlementSummary{};
  }

  // See LateAnswerSetup (below).
  struct LateAnswerSetup RetireWhileAThirdLeaseIsOut();

  store::Project FundedProject(const Principal& owner, int64_t budget) {
    store::Project p = MakeProject(owner, 3, 3);
    if (budget > 0) Fund(owner, p.id, budget);
    return p;
  }

  game::GameConfig config_;
  std::unique_ptr<GameService> game_;
  int invoices_ = 0;
  int64_t task_ids_ = 1'000'000;
  int64_t answer_ids_ = 1'000'000;
};

TEST_F(GameServiceTest, FirstCheckinPaysBaseBonus) {
  Principal a = Annotator("a@x.org");
  auto c = game_->CheckIn(a.user_id);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->streak, 1);
  EXPECT_EQ(c->bonus_aia, 5);
  EXPECT_EQ(Aia(Wallet(a.user_id)), 5);
  EXPECT_EQ(Aia(std::string(ledger::kCheckinPoolAccount)), kPool - 5) << "paid by the pool";
  EXPECT_EQ(Aia("treasury"), -kPool) << "no AIA created by a check-in";
}

TEST_F(GameServiceTest, SecondCheckinOnSameUtcDayIsAlreadyExists) {
  Principal a = Annotator("a@x.org");
  ASSERT_TRUE(game_->CheckIn(a.user_id).ok());
  EXPECT_EQ(game_->CheckIn(a.user_id).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Aia(Wallet(a.user_id)), 5);
}

TEST_F(GameServiceTest, ConsecutiveDaysGrowStreakAndMissedDayResetsIt) {
  Principal a = Annotator("a@x.org");
  ASSERT_TRUE(game_->CheckIn(a.user_id).ok());
  clock_.Advance(86'400'000);
  EXPECT_EQ(game_->CheckIn(a.user_id)->bonus_aia, 6);
  clock_.Advance(2 * 86'400'000);
  auto c = game_->CheckIn(a.user_id);
  EXPECT_EQ(c->streak, 1);
  EXPECT_EQ(c->bonus_aia, 5);
}

TEST_F(GameServiceTest, CheckinBonusIsCappedByDailyCap) {
  config_.daily_reward_cap_aia = 3;
  MakeGame();
  Principal a = Annotator("a@x.org");
  auto c = game_->CheckIn(a.user_id);
  EXPECT_EQ(c->bonus_aia, 3);
  EXPECT_EQ(c->withheld_aia, 2);
}

TEST_F(GameServiceTest, AcceptedAnswerPaysRewardFromBudgetAndConfidenceWeightedXp) {
  Principal req = Requester();
  Principal a = Annotator("a@x.org");
  store::Project p = FundedProject(req, 100);
  SettlementSummary s = Settle(p, false, 0.8, {{a.user_id, "accepted"}});
  EXPECT_EQ(s.paid_aia, 10);
  EXPECT_EQ(s.xp, 8);
  EXPECT_EQ(Aia(Wallet(a.user_id)), 10);
  EXPECT_EQ(Aia(ledger::ProjectAccount(p.id)), 90);
  EXPECT_EQ(store_->FindUserById(a.user_id).value()->xp, 8);
}

TEST_F(GameServiceTest, RejectedAnswerEarnsNothing) {
  Principal req = Requester();
  Principal a = Annotator("a@x.org");
  store::Project p = FundedProject(req, 100);
  SettlementSummary s = Settle(p, false, 0.9, {{a.user_id, "rejected"}});
  EXPECT_EQ(s.paid_aia, 0);
  EXPECT_EQ(s.xp, 0);
  EXPECT_EQ(Aia(Wallet(a.user_id)), 0);
}

TEST_F(GameServiceTest, RewardBeyondBudgetIsWithheldNeverOverdrawn) {
  Principal req = Requester();
  Principal a = Annotator("a@x.org");
  Principal b = Annotator("b@x.org");
  store::Project p = FundedProject(req, 15);
  SettlementSummary s = Settle(p, false, 1.0, {{a.user_id, "accepted"}, {b.user_id, "accepted"}});
  EXPECT_EQ(s.paid_aia, 15);
  EXPECT_EQ(s.withheld_aia, 5);
  EXPECT_EQ(Aia(ledger::ProjectAccount(p.id)), 0);
}

TEST_F(GameServiceTest, DailyCapLimitsAnswerRewardsAndResetsNextDay) {
  config_.daily_reward_cap_aia = 15;
  MakeGame();
  Principal req = Requester();
  Principal a = Annotator("a@x.org");
  store::Project p = FundedProject(req, 100);
  EXPECT_EQ(Settle(p, false, 1.0, {{a.user_id, "accepted"}}).paid_aia, 10);
  EXPECT_EQ(Settle(p, false, 1.0, {{a.user_id, "accepted"}}).paid_aia, 5);
  EXPECT_EQ(Settle(p, false, 1.0, {{a.user_id, "accepted"}}).paid_aia, 0);
  clock_.Advance(86'400'000);
  EXPECT_EQ(Settle(p, false, 1.0, {{a.user_id, "accepted"}}).paid_aia, 10);
}

TEST_F(GameServiceTest, ReferrerEarnsBonusOnlyAfterRefereePassedGold) {
  Principal req = Requester();
  Principal referrer = Annotator("r@x.org");
  Principal a = Annotator("a@x.org");
  ASSERT_TRUE(
      game_
          ->RedeemReferral(a.user_id, store_->FindUserById(referrer.user_id).value()->referral_code)
          .ok());
  store::Project p = FundedProject(req, 1000);
  EXPECT_EQ(Settle(p, true, 1.0, {{a.user_id, "accepted"}}).referral_aia, 0);  // 1 gold pass
  EXPECT_EQ(Settle(p, true, 1.0, {{a.user_id, "accepted"}}).referral_aia, 1);  // 2 gold passes
  EXPECT_EQ(Aia(Wallet(referrer.user_id)), 1);
  // Paid on top: the referee keeps the whole reward.
  EXPECT_EQ(Aia(Wallet(a.user_id)), 20);
}

TEST_F(GameServiceTest, ReferralRejectsSelfCyclesSecondReferrerAndUnknownCodes) {
  Principal a = Annotator("a@x.org");
  Principal b = Annotator("b@x.org");
  const std::string code_a = store_->FindUserById(a.user_id).value()->referral_code;
  const std::string code_b = store_->FindUserById(b.user_id).value()->referral_code;
  EXPECT_EQ(game_->RedeemReferral(a.user_id, code_a).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(game_->RedeemReferral(a.user_id, "nope").code(), StatusCode::kNotFound);
  ASSERT_TRUE(game_->RedeemReferral(b.user_id, code_a).ok());
  Status cycle = game_->RedeemReferral(a.user_id, code_b);
  EXPECT_EQ(cycle.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(cycle.field(), "referral_code");
  Principal c = Annotator("c@x.org");
  EXPECT_EQ(game_->RedeemReferral(b.user_id, store_->FindUserById(c.user_id).value()->referral_code)
                .code(),
            StatusCode::kAlreadyExists);
}

TEST_F(GameServiceTest, RepeatedGoldFailuresDemoteUser) {
  config_.reputation_gold_fail_penalty = 25;
  MakeGame();
  Principal req = Requester();
  Principal a = Annotator("a@x.org");
  store::WriteBatch promote;
  promote.update_user_progress.push_back({a.user_id, 2, 50});
  ASSERT_TRUE(store_->WriteSync(std::move(promote)).ok());
  store::Project p = FundedProject(req, 0);
  Settle(p, true, 1.0, {{a.user_id, "rejected"}});  // 75
  EXPECT_EQ(store_->FindUserById(a.user_id).value()->level, 2);
  Settle(p, true, 1.0, {{a.user_id, "rejected"}});  // 50 < 60: demoted
  EXPECT_EQ(store_->FindUserById(a.user_id).value()->level, 1);
  auto profile = game_->GetProfile(a.user_id);
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->reputation, 70);
  EXPECT_EQ(profile->gold_accuracy, 0.0);
}

TEST_F(GameServiceTest, PausedUserIsRefusedALeaseUntilThePauseEnds) {
  config_.reputation_gold_fail_penalty = 80;  // 100 - 80 = 20 < 30 at level 1: paused
  config_.pause_days = 2;
  MakeGame();
  platform_->SetLeaseGate(game_->MakeLeaseGate());
  Principal req = Requester();
  Principal a = Annotator("a@x.org");
  store::Project p = FundedProject(req, 0);
  ASSERT_TRUE(platform_->ImportTasks(req, p.id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  Settle(p, true, 1.0, {{a.user_id, "rejected"}});

  auto refused = Next(a, p.id);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().field(), "user");

  clock_.Advance(2 * 86'400'000);
  auto leased = Next(a, p.id);
  ASSERT_TRUE(leased.ok()) << leased.status().ToString();
  EXPECT_TRUE(leased->has_value());
}

TEST_F(GameServiceTest, LeaseGateUsesTheLevelAfterADemotion) {
  config_.reputation_gold_fail_penalty = 45;  // 100 - 45 = 55 < 60: demoted one level
  MakeGame();
  Principal req = Requester();
  Principal a = Annotator("a@x.org");
  store::WriteBatch promote;
  promote.update_user_progress.push_back({a.user_id, 2, 50});
  ASSERT_TRUE(store_->WriteSync(std::move(promote)).ok());
  a.level = 2;  // the principal as cached before the demotion
  LeaseGate gate = game_->MakeLeaseGate();
  ASSERT_EQ(gate(a).value(), 2);
  Settle(FundedProject(req, 0), true, 1.0, {{a.user_id, "rejected"}});
  Result<int32_t> level = gate(a);
  ASSERT_TRUE(level.ok()) << level.status().ToString();
  EXPECT_EQ(*level, 1);
}

TEST_F(GameServiceTest, LevelUpSpendsAiaAndNeedsXp) {
  Principal a = Annotator("a@x.org");
  ASSERT_TRUE(game_->CheckIn(a.user_id).ok());  // 5 AIA
  Status short_xp = game_->LevelUp(a.user_id).status();
  EXPECT_EQ(short_xp.field(), "xp");
  store::WriteBatch xp;
  xp.update_user_progress.push_back({a.user_id, 1, 10});
  ASSERT_TRUE(store_->WriteSync(std::move(xp)).ok());
  auto level = game_->LevelUp(a.user_id);
  ASSERT_TRUE(level.ok()) << level.status().ToString();
  EXPECT_EQ(level->level, 2);
  EXPECT_EQ(Aia(Wallet(a.user_id)), 0);
  EXPECT_EQ(store_->FindUserById(a.user_id).value()->level, 2);
}

TEST_F(GameServiceTest, LevelUpGrantsAgtFromTreasury) {
  config_.agt_per_level_up = 7;
  MakeGame();
  Principal a = Annotator("a@x.org");
  ASSERT_TRUE(game_->CheckIn(a.user_id).ok());
  SetProgress(a.user_id, 1, 10);
  auto outcome = game_->LevelUp(a.user_id);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->agt_granted, 7);
  EXPECT_EQ(outcome->agt_withheld, 0);
  EXPECT_EQ(Agt(Wallet(a.user_id)), 7);
  EXPECT_EQ(Agt("treasury"), -7);
  EXPECT_EQ(game_->GetProfile(a.user_id)->balances.agt, 7);
  EXPECT_EQ(LevelUpJson(*outcome)["agt_granted"], 7);
}

TEST_F(GameServiceTest, LevelBoughtAgainAfterDemotionGrantsNoMoreAgt) {
  config_.agt_per_level_up = 7;
  MakeGame();
  Principal a = Annotator("a@x.org");
  ASSERT_TRUE(game_->CheckIn(a.user_id).ok());
  SetProgress(a.user_id, 1, 10);
  ASSERT_TRUE(game_->LevelUp(a.user_id).ok());
  clock_.Advance(86'400'000);
  ASSERT_TRUE(game_->CheckIn(a.user_id).ok());
  SetProgress(a.user_id, 1, 11);  // demoted, a little more XP since
  auto again = game_->LevelUp(a.user_id);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->level, 2);
  EXPECT_EQ(again->agt_granted, 0);
  EXPECT_EQ(again->agt_withheld, 0);
  EXPECT_EQ(Agt(Wallet(a.user_id)), 7);
}

TEST_F(GameServiceTest, AgtOverMaxSupplyIsWithheldButLevelUpStands) {
  config_.agt_per_level_up = 7;
  MakeGame();
  store::WriteBatch mint;
  mint.ledger.posted_at_unix_seconds = clock_.NowMs() / 1000;
  mint.ledger.postings.push_back({"treasury", Wallet(Annotator("whale@x.org").user_id),
                                  Asset::kAgt, ledger::kAgtMaxSupply - 3, "agt_grant",
                                  "test:supply", ""});
  ASSERT_TRUE(store_->WriteSync(std::move(mint)).ok());
  Principal a = Annotator("a@x.org");
  Principal b = Annotator("b@x.org");
  for (const Principal* who : {&a, &b}) {
    ASSERT_TRUE(game_->CheckIn(who->user_id).ok());
    SetProgress(who->user_id, 1, 10);
  }
  auto partial = game_->LevelUp(a.user_id);
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  EXPECT_EQ(partial->agt_granted, 3);
  EXPECT_EQ(partial->agt_withheld, 4);
  auto none = game_->LevelUp(b.user_id);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->level, 2);
  EXPECT_EQ(none->agt_granted, 0);
  EXPECT_EQ(none->agt_withheld, 7);
  EXPECT_EQ(Agt("treasury"), -ledger::kAgtMaxSupply);
  EXPECT_EQ(store_->FindUserById(b.user_id).value()->level, 2);
}

TEST_F(GameServiceTest, ProfileReportsProgressStreakBalancesAndGoldAccuracy) {
  Principal req = Requester();
  Principal a = Annotator("a@x.org");
  ASSERT_TRUE(game_->CheckIn(a.user_id).ok());
  store::Project p = FundedProject(req, 100);
  Settle(p, true, 1.0, {{a.user_id, "accepted"}});
  Settle(p, true, 1.0, {{a.user_id, "rejected"}});
  auto profile = game_->GetProfile(a.user_id);
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_EQ(profile->progress.level, 1);
  EXPECT_EQ(profile->progress.xp, 10);
  EXPECT_EQ(profile->progress.xp_to_next, 0);
  EXPECT_EQ(profile->streak, 1);
  EXPECT_EQ(profile->balances.aia, 15);
  EXPECT_EQ(profile->gold_accuracy, 0.5);
  nlohmann::json j = ProfileJson(*profile);
  EXPECT_EQ(j["balances"]["AIA"], 15);
  EXPECT_EQ(j["accuracy_history"].size(), 1u);
}

TEST_F(GameServiceTest, LeaderboardRanksByXpInPeriod) {
  Principal req = Requester();
  Principal a = Annotator("a@x.org");
  Principal b = Annotator("b@x.org");
  store::Project p = FundedProject(req, 0);
  Settle(p, false, 1.0, {{a.user_id, "accepted"}});
  clock_.Advance(86'400'000);
  Settle(p, false, 1.0, {{b.user_id, "accepted"}});
  Settle(p, false, 0.5, {{b.user_id, "accepted"}});
  auto daily = game_->Leaderboard(game::LeaderboardPeriod::kDaily, 10);
  ASSERT_EQ(daily->size(), 1u);
  EXPECT_EQ((*daily)[0].user_id, b.user_id);
  auto all = game_->Leaderboard(game::LeaderboardPeriod::kAllTime, 10);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].user_id, b.user_id);
  EXPECT_EQ((*all)[0].xp, 15);
  EXPECT_EQ((*all)[1].rank, 2);
}

TEST_F(GameServiceTest, RetiringTaskThroughPlatformPaysEveryAcceptedAnswer) {
  Principal req = Requester();
  store::Project p = FundedProject(req, 100);
  ASSERT_TRUE(platform_->ImportTasks(req, p.id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  std::vector<Principal> annotators = {Annotator("a@x.org"), Annotator("b@x.org"),
                                       Annotator("c@x.org")};
  for (const Principal& who : annotators) {
    auto leased = Next(who, p.id);
    ASSERT_TRUE(leased.ok() && leased->has_value()) << leased.status().ToString();
    ASSERT_TRUE(Submit(who, (*leased)->assignment.id, "pos").ok());
  }
  for (const Principal& who : annotators) {
    EXPECT_EQ(Aia(Wallet(who.user_id)), 10);
  }
  EXPECT_EQ(Aia(ledger::ProjectAccount(p.id)), 70);
}

// A funded project (reward 10, overlap 2 to 3, target 0.8) with one task leased to three
// annotators at once; the first two answer "pos", which retires it.
struct LateAnswerSetup {
  store::Project project;
  std::vector<Principal> annotators;
  std::vector<int64_t> assignments;
};

LateAnswerSetup GameServiceTest::RetireWhileAThirdLeaseIsOut() {
  LateAnswerSetup s;
  Principal req = Requester();
  s.project = MakeProject(req, 2, 3, 0.8);
  Fund(req, s.project.id, 100);
  EXPECT_TRUE(
      platform_->ImportTasks(req, s.project.id, io::TaskFormat::kCsv, "t\nx\n").status.ok());
  s.annotators = {Annotator("a@x.org"), Annotator("b@x.org"), Annotator("c@x.org")};
  for (const Principal& who : s.annotators) {
    auto leased = Next(who, s.project.id);
    if (!leased.ok() || !leased->has_value()) {
      ADD_FAILURE() << "no lease for " << who.user_id << ": " << leased.status().ToString();
      return s;
    }
    s.assignments.push_back((*leased)->assignment.id);
  }
  EXPECT_TRUE(Submit(s.annotators[0], s.assignments[0], "pos").ok());
  auto retiring = Submit(s.annotators[1], s.assignments[1], "pos");
  EXPECT_TRUE(retiring.ok() && retiring->task_retired)
      << "two agreeing answers reach the target confidence";
  return s;
}

TEST_F(GameServiceTest, AnswerThatArrivesAfterItsTaskRetiredIsJudgedAndPaidOnce) {
  LateAnswerSetup s = RetireWhileAThirdLeaseIsOut();
  ASSERT_EQ(s.assignments.size(), 3u);
  auto late = Submit(s.annotators[2], s.assignments[2], "pos", "late-key");
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  for (const Principal& who : s.annotators) {
    EXPECT_EQ(Aia(Wallet(who.user_id)), 10) << "user " << who.user_id;
  }
  EXPECT_EQ(Aia(ledger::ProjectAccount(s.project.id)), 70);
  // A retry of the late answer replays it and pays nothing more.
  auto again = Submit(s.annotators[2], s.assignments[2], "pos", "late-key");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(Aia(Wallet(s.annotators[2].user_id)), 10);
}

TEST_F(GameServiceTest, LateWrongAnswerIsRejectedAndUnpaid) {
  LateAnswerSetup s = RetireWhileAThirdLeaseIsOut();
  ASSERT_EQ(s.assignments.size(), 3u);
  ASSERT_TRUE(Submit(s.annotators[2], s.assignments[2], "neg").ok());
  EXPECT_EQ(Aia(Wallet(s.annotators[2].user_id)), 0);
  EXPECT_EQ(Aia(ledger::ProjectAccount(s.project.id)), 80);
}

TEST_F(GameServiceTest, FundingIsIdempotentPerRequestKey) {
  Principal req = Requester();
  store::Project p = MakeProject(req);
  ASSERT_TRUE(game_->GrantCredit(Wallet(req.user_id), 100, "inv-1").ok());
  EXPECT_EQ(game_->FundProject(req.user_id, p.id, 50, "key-1").value(), 50);
  EXPECT_EQ(game_->FundProject(req.user_id, p.id, 50, "key-1").value(), 50);
  EXPECT_EQ(game_->FundProject(req.user_id, p.id, 25, "key-2").value(), 75);
  EXPECT_EQ(Aia(Wallet(req.user_id)), 25);
  EXPECT_EQ(game_->FundProject(req.user_id, p.id, 0, "key-3").status().field(), "amount_aia");
  auto other_amount = game_->FundProject(req.user_id, p.id, 10, "key-1");
  EXPECT_EQ(other_amount.status().code(), StatusCode::kConflict);
  EXPECT_EQ(other_amount.status().field(), "Idempotency-Key");
  EXPECT_EQ(Aia(ledger::ProjectAccount(p.id)), 75);
}

// Funding used to mint AIA from the treasury, so anyone could create points by funding a
// project of their own, and ~2^63 left the treasury broken for everyone.
TEST_F(GameServiceTest, FundingSpendsOwnCreditAndCreatesNone) {
  Principal req = Requester();
  store::Project p = MakeProject(req);
  auto broke = game_->FundProject(req.user_id, p.id, 50, "key-1");
  EXPECT_EQ(broke.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(broke.status().field(), "amount_aia");
  EXPECT_EQ(game_->FundProject(req.user_id, p.id, int64_t{1} << 62, "key-2").status().field(),
            "amount_aia");
  ASSERT_TRUE(game_->GrantCredit(Wallet(req.user_id), 40, "inv-1").ok());
  EXPECT_EQ(game_->FundProject(req.user_id, p.id, 41, "key-3").status().field(), "amount_aia");
  EXPECT_EQ(game_->FundProject(req.user_id, p.id, 40, "key-4").value(), 40);
  EXPECT_EQ(Aia(Wallet(req.user_id)), 0);
  EXPECT_EQ(Aia("treasury"), -(kPool + 40)) << "only grants put AIA in circulation";
}

TEST_F(GameServiceTest, CreditGrantsAreBoundedAndOncePerReference) {
  Principal req = Requester();
  EXPECT_EQ(game_->GrantCredit(Wallet(req.user_id), 10, "inv-7").value(), 10);
  auto again = game_->GrantCredit(Wallet(req.user_id), 10, "inv-7");
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().field(), "reference");
  EXPECT_EQ(game_->GrantCredit(Wallet(req.user_id), kMaxGrantAia + 1, "inv-8").status().field(),
            "amount_aia");
  EXPECT_EQ(game_->GrantCredit(Wallet(req.user_id), 0, "inv-9").status().field(), "amount_aia");
  EXPECT_EQ(game_->GrantCredit(Wallet(req.user_id), 5, "has space").status().field(), "reference");
  EXPECT_EQ(game_->GrantCredit("project:1", 5, "inv-10").status().field(), "account");
  EXPECT_EQ(game_->GrantCredit("bank", 5, "inv-11").status().field(), "account");
  EXPECT_EQ(Aia(Wallet(req.user_id)), 10);
}

TEST_F(GameServiceTest, AnEmptyCheckinPoolWithholdsTheBonusButCountsTheDay) {
  Principal a = Annotator("a@x.org");
  Principal b = Annotator("b@x.org");
  config_.checkin_base_aia = kPool - 2;
  config_.daily_reward_cap_aia = kPool;
  MakeGame();
  ASSERT_EQ(game_->CheckIn(a.user_id)->bonus_aia, kPool - 2);
  auto short_pool = game_->CheckIn(b.user_id);
  ASSERT_TRUE(short_pool.ok()) << short_pool.status().ToString();
  EXPECT_EQ(short_pool->bonus_aia, 2);
  EXPECT_EQ(short_pool->withheld_aia, kPool - 4);
  EXPECT_EQ(short_pool->streak, 1);
  EXPECT_EQ(Aia(std::string(ledger::kCheckinPoolAccount)), 0);
}

TEST_F(GameServiceTest, LedgerAccountsArePseudonymous) {
  Principal a = Annotator("a@x.org");
  const std::string account = Wallet(a.user_id);
  EXPECT_EQ(account.rfind("user:", 0), 0u);
  EXPECT_EQ(account.size(), 5 + ledger::kUserPseudonymLength);
  EXPECT_NE(account, "user:" + std::to_string(a.user_id));
  EXPECT_NE(Wallet(Annotator("b@x.org").user_id), account);
  EXPECT_TRUE(ledger::ValidateAccount(account, "a").ok());
  ASSERT_TRUE(game_->CheckIn(a.user_id).ok());
  auto profile = game_->GetProfile(a.user_id);
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->ledger_account, account);
  EXPECT_EQ(profile->balances.aia, 5);
  // The naming survives a restart (it lives in the database).
  Reopen();
  MakeGame();
  EXPECT_EQ(Wallet(a.user_id), account);
}

}  // namespace
}  // namespace tinydata::service

namespace tinydata::service {
namespace {

TEST(GameConfigFromJsonTest, MembersLeftOutKeepTheirDefaults) {
  Result<game::GameConfig> config =
      GameConfigFromJson(R"({"daily_reward_cap_aia": 300, "level_xp_thresholds": [0, 50, 200],
                             "level_up_cost_aia": [0, 10, 40]})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->daily_reward_cap_aia, 300);
  EXPECT_EQ(config->level_xp_thresholds, (std::vector<int64_t>{0, 50, 200}));
  EXPECT_EQ(config->xp_per_accepted_answer, game::GameConfig{}.xp_per_accepted_answer);
}

TEST(GameConfigFromJsonTest, UnknownMemberIsNamed) {
  Result<game::GameConfig> config = GameConfigFromJson(R"({"daily_cap": 300})");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().field(), "daily_cap");
}

TEST(GameConfigFromJsonTest, WrongTypeIsNamed) {
  Result<game::GameConfig> config = GameConfigFromJson(R"({"pause_days": "seven"})");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().field(), "pause_days");
}

TEST(GameConfigFromJsonTest, OutOfRangeIntegerIsNamed) {
  Result<game::GameConfig> config = GameConfigFromJson(R"({"pause_days": 4294967296})");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().field(), "pause_days");
}

TEST(GameConfigFromJsonTest, RuleViolationIsRefused) {
  // Thresholds must start at 0 and increase.
  Result<game::GameConfig> config =
      GameConfigFromJson(R"({"level_xp_thresholds": [0, 100, 50], "level_up_cost_aia": [0, 1, 2]})");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
}

TEST(GameConfigFromJsonTest, NonObjectIsRefused) {
  Result<game::GameConfig> config = GameConfigFromJson("[1, 2]");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().field(), "game_config");
  EXPECT_FALSE(GameConfigFromJson("{not json").ok());
}

}  // namespace
}  // namespace tinydata::service
