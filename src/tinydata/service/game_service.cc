#include "tinydata/service/game_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <iterator>
#include <limits>
#include <type_traits>
#include <utility>

#include "tinydata/game/checkin.h"
#include "tinydata/game/levels.h"
#include "tinydata/game/referral.h"
#include "tinydata/game/rewards.h"
#include "tinydata/ledger/entry.h"
#include "tinydata/ledger/flows.h"
#include "tinydata/ledger/posting.h"

namespace tinydata::service {
namespace {

// Longest referral chain followed when checking for a cycle; real chains are far shorter, and a
// longer one (only possible through a corrupted table) is refused rather than walked forever.
constexpr int kMaxReferralChain = 1024;

}  // namespace

namespace {

// Reads config member `name` into `field` when present. Integers only where the field is one.
template <typename T>
Status ReadMember(const nlohmann::json& object, const char* name, T& field) {
  auto it = object.find(name);
  if (it == object.end()) return Status::Ok();
  if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    if (!it->is_array()) return Status::InvalidArgument("must be an array of integers", name);
    std::vector<int64_t> values;
    for (const nlohmann::json& v : *it) {
      if (!v.is_number_integer()) {
        return Status::InvalidArgument("must be an array of integers", name);
      }
      values.push_back(v.get<int64_t>());
    }
    field = std::move(values);
  } else {
    if (!it->is_number_integer()) return Status::InvalidArgument("must be an integer", name);
    const int64_t value = it->get<int64_t>();
    if (value < std::numeric_limits<T>::min() || value > std::numeric_limits<T>::max()) {
      return Status::InvalidArgument("is out of range", name);
    }
    field = static_cast<T>(value);
  }
  return Status::Ok();
}

}  // namespace

Result<game::GameConfig> GameConfigFromJson(std::string_view text) {
  const nlohmann::json object = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) {
    return Status::InvalidArgument("the game configuration must be a JSON object", "game_config");
  }
  game::GameConfig config;
  struct Member {
    const char* name;
    std::function<Status(const nlohmann::json&)> read;
  };
#define TD_GAME_MEMBER(field) \
  Member { #field, [&config](const nlohmann::json& o) { return ReadMember(o, #field, config.field); } }
  const Member members[] = {
      TD_GAME_MEMBER(xp_per_accepted_answer),
      TD_GAME_MEMBER(level_xp_thresholds),
      TD_GAME_MEMBER(level_up_cost_aia),
      TD_GAME_MEMBER(domain_tier_min_level),
      TD_GAME_MEMBER(advanced_tier_min_level),
      TD_GAME_MEMBER(reputation_max),
      TD_GAME_MEMBER(reputation_gold_pass_gain),
      TD_GAME_MEMBER(reputation_gold_fail_penalty),
      TD_GAME_MEMBER(reputation_demote_below),
      TD_GAME_MEMBER(reputation_after_demotion),
      TD_GAME_MEMBER(reputation_pause_below),
      TD_GAME_MEMBER(pause_days),
      TD_GAME_MEMBER(reputation_after_pause),
      TD_GAME_MEMBER(checkin_base_aia),
      TD_GAME_MEMBER(checkin_streak_bonus_aia),
      TD_GAME_MEMBER(checkin_streak_bonus_max_days),
      TD_GAME_MEMBER(daily_reward_cap_aia),
      TD_GAME_MEMBER(referral_bonus_bps),
      TD_GAME_MEMBER(referral_min_gold_passes),
      TD_GAME_MEMBER(agt_per_level_up),
  };
#undef TD_GAME_MEMBER
  for (const auto& item : object.items()) {
    // A named reference, not a structured binding: clang 14 (the fuzz build) cannot capture one.
    const std::string& key = item.key();
    const bool known = std::any_of(std::begin(members), std::end(members),
                                   [&key](const Member& m) { return key == m.name; });
    if (!known) return Status::InvalidArgument("unknown game configuration member", key);
  }
  for (const Member& member : members) TD_RETURN_IF_ERROR(member.read(object));
  TD_RETURN_IF_ERROR(game::ValidateGameConfig(config));
  return config;
}

Result<std::unique_ptr<GameService>> GameService::Create(store::Store* store, const Clock* clock,
                                                         game::GameConfig config) {
  TD_RETURN_IF_ERROR(game::ValidateGameConfig(config));
  TD_ASSIGN_OR_RETURN(LedgerAccounts accounts, LedgerAccounts::Load(*store));
  return std::unique_ptr<GameService>(
      new GameService(store, clock, std::move(config), std::move(accounts)));
}

void GameService::SetLevelChangedListener(std::function<void(int64_t)> listener) {
  level_changed_ = std::move(listener);
}

int64_t GameService::Today() const { return game::UtcDay(clock_->NowMs() / 1000); }

Result<game::Reputation> GameService::CurrentReputation(int64_t user_id) {
  if (!store_->shared()) return rewards_.ReputationOf(user_id);
  // Another server may have demoted or paused the user a moment ago: read it now.
  TD_ASSIGN_OR_RETURN(std::optional<store::User> user, store_->FindUserById(user_id));
  if (!user) return Status::NotFound("no user " + std::to_string(user_id), "user_id");
  TD_ASSIGN_OR_RETURN(std::optional<store::UserGameRow> game, store_->ledger().UserGame(user_id));
  return Rewards::ReputationFrom(user->level, game, rewards_.config());
}

LeaseGate GameService::MakeLeaseGate() {
  return [this](const Principal& caller) -> Result<int32_t> {
    TD_ASSIGN_OR_RETURN(game::Reputation reputation, CurrentReputation(caller.user_id));
    if (game::IsPaused(reputation, Today())) {
      return Status::FailedPrecondition(
          "paused after failing gold questions until " +
              FormatRfc3339(reputation.paused_until_day * 86'400'000).substr(0, 10),
          "user");
    }
    return reputation.level;
  };
}

RetirementHook GameService::MakeRetirementHook() {
  return [this](const RetiredTask& retired, store::WriteBatch& batch) -> Status {
    store::LedgerChanges changes;
    const int64_t now_ms = clock_->NowMs();
    Result<SettlementSummary> summary = Status::Internal("not settled");
    if (retired.txn != nullptr) {
      // Every user the settlement scores or pays - the answerers and their referrers - is
      // locked and read in one statement (in id order) before anything is decided; Rewards then
      // locks the project budget. Referrals never change once made, so reading them first,
      // unlocked, is safe.
      std::vector<int64_t> users;
      for (const store::Answer& a : *retired.answers) users.push_back(a.user_id);
      TD_ASSIGN_OR_RETURN(auto referrers, retired.txn->ReferrersOf(users));
      for (const auto& [referee, referrer] : referrers) users.push_back(referrer);
      const int64_t day = game::UtcDay(now_ms / 1000);
      TD_ASSIGN_OR_RETURN(std::vector<store::UserRewardState> states,
                          retired.txn->LockRewardStates(std::move(users), day));
      Rewards rewards(retired.txn, rewards_.config(), accounts());
      rewards.Preload(states, day);
      summary = rewards.SettleRetiredTask(retired, now_ms, &changes);
    } else {
      summary = rewards_.SettleRetiredTask(retired, now_ms, &changes);
    }
    TD_RETURN_IF_ERROR(summary.status());
    store::LedgerChanges& to = batch.ledger;
    auto append = [](auto& dst, auto& src) {
      dst.insert(dst.end(), std::make_move_iterator(src.begin()),
                 std::make_move_iterator(src.end()));
    };
    to.posted_at_unix_seconds = changes.posted_at_unix_seconds;
    append(to.postings, changes.postings);
    append(to.add_user_xp, changes.add_user_xp);
    append(to.xp_awards, changes.xp_awards);
    append(to.add_daily_rewards, changes.add_daily_rewards);
    append(to.add_gold_results, changes.add_gold_results);
    append(to.upsert_user_game, changes.upsert_user_game);
    append(to.set_user_level, changes.set_user_level);
    return Status::Ok();
  };
}

GameService::GameTxn GameService::InTransaction(store::Transaction& txn, Rewards& rewards) {
  return GameTxn{txn.ledger(), rewards,
                 [&txn](const store::WriteBatch& batch) { return txn.TryApply(batch); },
                 [&txn](int64_t id) { return txn.FindUserById(id); },
                 [&txn](std::string_view account, ledger::Asset asset) {
                   return txn.LockBalance(account, asset);
                 }};
}

template <typename T>
Result<T> GameService::ForUser(int64_t user_id, const UseCase<T>& use_case) {
  if (!store_->shared()) {
    GameTxn here{store_->ledger(), rewards_,
                 [this](const store::WriteBatch& batch) { return store_->WriteSync(batch); },
                 [this](int64_t id) { return store_->FindUserById(id); },
                 [this](std::string_view account, ledger::Asset asset) {
                   return store_->ledger().Balance(account, asset);
                 }};
    return use_case(here);
  }
  return RunInTransaction<T>(*store_, [&](store::Transaction& txn) -> Result<T> {
    const int64_t day = Today();
    TD_ASSIGN_OR_RETURN(std::vector<store::UserRewardState> states,
                        txn.LockRewardStates({user_id}, day));
    Rewards rewards(&txn, rewards_.config(), accounts());
    rewards.Preload(states, day);
    GameTxn here = InTransaction(txn, rewards);
    return use_case(here);
  });
}

Result<CheckinOutcome> GameService::CheckIn(int64_t user_id) {
  return ForUser<CheckinOutcome>(user_id, [&](GameTxn& here) -> Result<CheckinOutcome> {
    const int64_t now_ms = clock_->NowMs();
    const int64_t today = game::UtcDay(now_ms / 1000);
    TD_ASSIGN_OR_RETURN(std::optional<store::CheckinRow> last, here.reader.LatestCheckin(user_id));
    game::CheckinState state;
    if (last) state = {last->day, last->streak};
    TD_ASSIGN_OR_RETURN(game::CheckinResult result, game::CheckIn(state, today, rewards_.config()));
    TD_ASSIGN_OR_RETURN(int64_t capped,
                        here.rewards.ReserveDailyCap(user_id, today, result.bonus_aia));
    // The bonus is what the pool can pay of it; the check-in and its streak count regardless.
    TD_ASSIGN_OR_RETURN(int64_t paid,
                        here.rewards.ReserveFunds(ledger::kCheckinPoolAccount, capped));
    if (paid < capped) here.rewards.ReleaseDailyCap(user_id, today, capped - paid);

    store::WriteBatch batch;
    batch.ledger.posted_at_unix_seconds = now_ms / 1000;
    batch.ledger.insert_checkins.push_back({user_id, today, result.state.streak, paid, now_ms});
    if (paid > 0) {
      batch.ledger.postings.push_back(
          {std::string(ledger::kCheckinPoolAccount), accounts().OfUser(user_id),
           ledger::Asset::kAia, paid, ledger::kCheckinBonusReason,
           "checkin:" + accounts().RefOf(user_id) + ":" + std::to_string(today), ""});
      batch.ledger.add_daily_rewards.push_back({user_id, today, paid});
    }
    Status status = here.write(batch);
    if (!status.ok()) {
      here.rewards.ReleaseDailyCap(user_id, today, paid);
      here.rewards.ReleaseFunds(ledger::kCheckinPoolAccount, paid);
      if (status.code() == StatusCode::kAlreadyExists) {
        return Status::AlreadyExists("already checked in today");
      }
      return status;
    }
    return CheckinOutcome{today, result.state.streak, paid, result.bonus_aia - paid};
  });
}

Result<Profile> GameService::GetProfile(int64_t user_id) {
  TD_ASSIGN_OR_RETURN(std::optional<store::User> user, store_->FindUserById(user_id));
  if (!user) return Status::NotFound("no user " + std::to_string(user_id));
  store::LedgerReader& reader = store_->ledger();
  const int64_t today = Today();
  Profile p;
  p.progress = game::ProgressOf(user->level, user->xp, rewards_.config());
  TD_ASSIGN_OR_RETURN(std::optional<store::CheckinRow> last, reader.LatestCheckin(user_id));
  if (last) p.streak = game::CurrentStreak({last->day, last->streak}, today);
  p.ledger_account = accounts().OfUser(user_id);
  TD_ASSIGN_OR_RETURN(p.balances, reader.BalancesOf(p.ledger_account));
  TD_ASSIGN_OR_RETURN(p.pending_aia, reader.PendingRewardAia(user_id));
  TD_ASSIGN_OR_RETURN(p.gold_history, reader.GoldHistory(user_id));
  int64_t passes = 0;
  int64_t total = 0;
  for (const store::GoldDay& d : p.gold_history) {
    passes += d.passes;
    total += d.passes + d.failures;
  }
  if (total > 0) p.gold_accuracy = static_cast<double>(passes) / static_cast<double>(total);
  TD_ASSIGN_OR_RETURN(game::Reputation reputation, CurrentReputation(user_id));
  p.reputation = reputation.score;
  p.paused_until_day = reputation.paused_until_day;
  p.paused = game::IsPaused(reputation, today);
  p.user = std::move(*user);
  return p;
}

Result<std::vector<LeaderboardEntry>> GameService::Leaderboard(game::LeaderboardPeriod period,
                                                               int limit) {
  if (limit < 1 || limit > 100) return Status::InvalidArgument("must lie in 1..100", "limit");
  const game::DayRange days = game::PeriodDays(period, Today());
  TD_ASSIGN_OR_RETURN(std::vector<store::LeaderboardRow> rows,
                      store_->ledger().Leaderboard(days.first_day, days.last_day, limit));
  std::vector<game::Standing> standings;
  std::unordered_map<int64_t, std::string> names;
  for (store::LeaderboardRow& row : rows) {
    standings.push_back({row.user_id, row.xp, 0});
    names[row.user_id] = std::move(row.display_name);
  }
  std::vector<LeaderboardEntry> out;
  for (const game::Standing& s : game::RankStandings(std::move(standings), limit)) {
    out.push_back({s.rank, s.user_id, names[s.user_id], s.xp});
  }
  return out;
}

Result<LevelUpOutcome> GameService::LevelUp(int64_t user_id) {
  TD_ASSIGN_OR_RETURN(
      LevelUpOutcome outcome,
      ForUser<LevelUpOutcome>(user_id, [&](GameTxn& here) -> Result<LevelUpOutcome> {
        TD_ASSIGN_OR_RETURN(std::optional<store::User> user, here.find_user(user_id));
        if (!user) return Status::NotFound("no user " + std::to_string(user_id));
        // Only the treasury issues AGT, so what it has issued is what circulates. Every balance
        // the level-up moves is read (and, in a transaction, locked) in the store's lock order:
        // by account, then asset.
        TD_ASSIGN_OR_RETURN(int64_t treasury_agt,
                            here.balance(ledger::kTreasuryAccount, ledger::Asset::kAgt));
        TD_RETURN_IF_ERROR(here.balance(ledger::kTreasuryAccount, ledger::Asset::kAia).status());
        const std::string account = accounts().OfUser(user_id);
        const std::string ref = accounts().RefOf(user_id);
        TD_RETURN_IF_ERROR(here.balance(account, ledger::Asset::kAgt).status());
        TD_ASSIGN_OR_RETURN(int64_t balance, here.balance(account, ledger::Asset::kAia));
        TD_ASSIGN_OR_RETURN(game::LevelUpQuote quote,
                            game::QuoteLevelUp(user->level, user->xp, balance, rewards_.config()));
        const game::AgtGrant grant =
            game::LevelUpAgtGrant(-treasury_agt, ledger::kAgtMaxSupply, rewards_.config());

        auto make_batch = [&](int64_t agt) {
          store::WriteBatch batch;
          batch.ledger.posted_at_unix_seconds = clock_->NowMs() / 1000;
          if (quote.cost_aia > 0) {
            // The XP in the reference tells apart a level bought again after a demotion.
            batch.ledger.postings.push_back(
                {account, std::string(ledger::kTreasuryAccount), ledger::Asset::kAia,
                 quote.cost_aia, ledger::kLevelUpReason,
                 account + "/level:" + std::to_string(quote.new_level) +
                     "/xp:" + std::to_string(user->xp),
                 ""});
          }
          if (agt > 0) {
            batch.ledger.postings.push_back(
                {std::string(ledger::kTreasuryAccount), account, ledger::Asset::kAgt, agt,
                 ledger::kAgtGrantReason, "level:" + ref + ":" + std::to_string(quote.new_level),
                 ""});
          }
          batch.ledger.set_user_level.emplace_back(user_id, quote.new_level);
          return batch;
        };
        const std::string grant_field =
            "postings[" + std::to_string(quote.cost_aia > 0 ? 1 : 0) + "].idempotency_key";

        LevelUpOutcome out{quote.new_level, grant.granted_agt, grant.withheld_agt};
        Status status = here.write(make_batch(grant.granted_agt));
        if (grant.granted_agt > 0 && status.code() == StatusCode::kAlreadyExists &&
            status.field() == grant_field) {
          // This level's AGT was paid before the user was demoted; it is paid once.
          out.agt_granted = 0;
          out.agt_withheld = 0;
          status = here.write(make_batch(0));
        } else if (grant.granted_agt > 0 && status.code() == StatusCode::kResourceExhausted) {
          // A concurrent grant took the last of the supply after it was read.
          out.agt_granted = 0;
          out.agt_withheld = grant.granted_agt + grant.withheld_agt;
          status = here.write(make_batch(0));
        }
        if (status.code() == StatusCode::kAlreadyExists) {
          return Status::Conflict("a concurrent level-up of this user won");
        }
        TD_RETURN_IF_ERROR(status);
        return out;
      }));
  if (outcome.agt_withheld > 0) {
    spdlog::warn("agt grant withheld user_id={} level={} granted={} withheld={} reason=max_supply",
                 user_id, outcome.level, outcome.agt_granted, outcome.agt_withheld);
  }
  rewards_.SetCachedLevel(user_id, outcome.level);
  if (level_changed_) level_changed_(user_id);
  return outcome;
}

Status GameService::CheckReferralCode(std::string_view referral_code) {
  TD_ASSIGN_OR_RETURN(std::optional<int64_t> owner,
                      store_->ledger().UserIdByReferralCode(referral_code));
  if (!owner) return Status::NotFound("unknown referral code", "referral_code");
  return Status::Ok();
}

Status GameService::RedeemReferral(int64_t referee_id, std::string_view referral_code) {
  TD_ASSIGN_OR_RETURN(std::optional<int64_t> referrer,
                      store_->ledger().UserIdByReferralCode(referral_code));
  if (!referrer) return Status::NotFound("unknown referral code", "referral_code");
  const auto redeem = [&](GameTxn& here) -> Result<bool> {
    TD_ASSIGN_OR_RETURN(std::optional<int64_t> current, here.reader.ReferrerOf(referee_id));
    std::vector<int64_t> chain;
    std::optional<int64_t> up = *referrer;
    while (true) {
      TD_ASSIGN_OR_RETURN(up, here.reader.ReferrerOf(*up));
      if (!up) break;
      chain.push_back(*up);
      if (chain.size() > kMaxReferralChain || *up == *referrer) {
        return Status::FailedPrecondition("the referrer's referral chain loops", "referral_code");
      }
    }
    Status valid = game::ValidateReferral(referee_id, *referrer, current, chain);
    if (!valid.ok()) return Status(valid.code(), valid.message(), "referral_code");
    store::WriteBatch batch;
    batch.ledger.insert_referrals.push_back({referee_id, *referrer, clock_->NowMs()});
    Status status = here.write(batch);
    if (status.code() == StatusCode::kAlreadyExists) {
      return Status::AlreadyExists("this user already has a referrer", "referral_code");
    }
    TD_RETURN_IF_ERROR(status);
    return true;
  };
  if (store_->shared()) {
    // Both users locked: concurrent referrals between them cannot close a loop.
    TD_RETURN_IF_ERROR(
        RunInTransaction<bool>(*store_, [&](store::Transaction& txn) -> Result<bool> {
          TD_RETURN_IF_ERROR(txn.LockUsers({referee_id, *referrer}));
          Rewards rewards(&txn, rewards_.config(), accounts());
          GameTxn here = InTransaction(txn, rewards);
          return redeem(here);
        }).status());
  } else {
    std::lock_guard<std::mutex> lock(referral_mu_);
    TD_RETURN_IF_ERROR(ForUser<bool>(referee_id, redeem).status());
  }
  rewards_.SetCachedReferrer(referee_id, *referrer);
  return Status::Ok();
}

Result<int64_t> GameService::FundProject(int64_t funder_id, int64_t project_id,
                                         int64_t amount_aia, std::string_view request_key) {
  if (amount_aia <= 0 || amount_aia > ledger::kMaxAmount) {
    return Status::InvalidArgument("must be between 1 and " + std::to_string(ledger::kMaxAmount),
                                   "amount_aia");
  }
  if (request_key.empty() || request_key.size() > 64) {
    return Status::InvalidArgument("must have 1 to 64 characters", "Idempotency-Key");
  }
  const std::string budget = ledger::ProjectAccount(project_id);
  const std::string wallet = accounts().OfUser(funder_id);
  const ledger::Posting posting{wallet,
                                budget,
                                ledger::Asset::kAia,
                                amount_aia,
                                ledger::kProjectFundingReason,
                                "project:" + std::to_string(project_id) + "/funding:" +
                                    std::string(request_key),
                                ""};
  const std::string key = ledger::EffectiveIdempotencyKey(posting);
  // A retry of a funding that went through: the same request again, or a mistake.
  const auto replay = [&](store::LedgerReader& reader) -> Result<bool> {
    TD_ASSIGN_OR_RETURN(std::optional<store::LedgerEntryRow> earlier, reader.EntryByKey(key));
    if (!earlier) return false;
    if (earlier->entry.amount != amount_aia || earlier->entry.debit_account != wallet) {
      return Status(StatusCode::kConflict,
                    "this Idempotency-Key funded the project with another amount or account",
                    "Idempotency-Key");
    }
    return true;
  };
  TD_ASSIGN_OR_RETURN(
      bool replayed, ForUser<bool>(funder_id, [&](GameTxn& here) -> Result<bool> {
        TD_ASSIGN_OR_RETURN(bool earlier, replay(here.reader));
        if (earlier) return true;
        // Both balances locked in the store's lock order (by account): "project:" < "user:".
        TD_RETURN_IF_ERROR(here.balance(budget, ledger::Asset::kAia).status());
        TD_ASSIGN_OR_RETURN(int64_t credit, here.balance(wallet, ledger::Asset::kAia));
        if (credit < amount_aia) {
          return Status::FailedPrecondition(
              "your credit is " + std::to_string(credit) + " AIA, not enough to fund " +
                  std::to_string(amount_aia) + "; the operator credits payments to it",
              "amount_aia");
        }
        store::WriteBatch batch;
        batch.ledger.posted_at_unix_seconds = clock_->NowMs() / 1000;
        batch.ledger.postings.push_back(posting);
        Status status = here.write(batch);
        if (status.code() == StatusCode::kAlreadyExists) return replay(here.reader);
        if (status.code() == StatusCode::kFailedPrecondition) {
          // Spent meanwhile (a level-up, another funding): the store refused to overdraw.
          return Status::FailedPrecondition("your credit is not enough to fund " +
                                                std::to_string(amount_aia) + " AIA",
                                            "amount_aia");
        }
        TD_RETURN_IF_ERROR(status);
        return false;
      }));
  if (!replayed) rewards_.AddFunds(budget, amount_aia);
  return ProjectBudget(project_id);
}

Result<int64_t> GameService::GrantCredit(std::string_view account, int64_t amount_aia,
                                         std::string_view reference) {
  TD_ASSIGN_OR_RETURN(ledger::AccountKind kind, ledger::KindOfAccount(account, "account"));
  if (kind != ledger::AccountKind::kUser && kind != ledger::AccountKind::kPool) {
    return Status::InvalidArgument("credit goes to a user or a pool", "account");
  }
  if (amount_aia <= 0 || amount_aia > kMaxGrantAia) {
    return Status::InvalidArgument("must be between 1 and " + std::to_string(kMaxGrantAia),
                                   "amount_aia");
  }
  const bool printable = std::all_of(reference.begin(), reference.end(),
                                     [](char c) { return c > ' ' && c <= '~'; });
  if (reference.empty() || reference.size() > 64 || !printable) {
    return Status::InvalidArgument("must be 1 to 64 printable characters without spaces",
                                   "reference");
  }
  store::WriteBatch batch;
  batch.ledger.posted_at_unix_seconds = clock_->NowMs() / 1000;
  batch.ledger.postings.push_back({std::string(ledger::kTreasuryAccount), std::string(account),
                                   ledger::Asset::kAia, amount_aia, ledger::kCreditGrantReason,
                                   std::string(reference), ""});
  Status status = store_->WriteSync(std::move(batch));
  if (status.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("a grant with this reference was made before", "reference");
  }
  if (status.code() == StatusCode::kResourceExhausted) {
    return Status::ResourceExhausted(status.message(), "amount_aia");
  }
  TD_RETURN_IF_ERROR(status);
  rewards_.AddFunds(account, amount_aia);
  spdlog::info("event=credit_grant account={} amount_aia={} reference={}", account, amount_aia,
               reference);
  return store_->ledger().Balance(account, ledger::Asset::kAia);
}

Result<int64_t> GameService::ProjectBudget(int64_t project_id) {
  return store_->ledger().Balance(ledger::ProjectAccount(project_id), ledger::Asset::kAia);
}

nlohmann::json CheckinJson(const CheckinOutcome& o) {
  return {{"day", FormatRfc3339(o.day * 86'400'000).substr(0, 10)},
          {"streak", o.streak},
          {"bonus_aia", o.bonus_aia},
          {"withheld_aia", o.withheld_aia}};
}

nlohmann::json LevelUpJson(const LevelUpOutcome& o) {
  return {{"level", o.level}, {"agt_granted", o.agt_granted}, {"agt_withheld", o.agt_withheld}};
}

nlohmann::json ProfileJson(const Profile& p) {
  nlohmann::json history = nlohmann::json::array();
  for (const store::GoldDay& d : p.gold_history) {
    const int64_t total = d.passes + d.failures;
    history.push_back({{"day", FormatRfc3339(d.day * 86'400'000).substr(0, 10)},
                       {"accuracy", total > 0 ? static_cast<double>(d.passes) / total : 0.0},
                       {"gold_answers", total}});
  }
  nlohmann::json j = {
      {"user", UserJson(p.user)},
      {"ledger_account", p.ledger_account},
      {"level", p.progress.level},
      {"xp", p.progress.xp},
      {"xp_to_next", p.progress.xp_to_next},
      {"next_level_xp", p.progress.next_level_xp ? nlohmann::json(*p.progress.next_level_xp)
                                                 : nlohmann::json(nullptr)},
      {"next_level_cost_aia", p.progress.next_level_cost_aia
                                  ? nlohmann::json(*p.progress.next_level_cost_aia)
                                  : nlohmann::json(nullptr)},
      {"streak", p.streak},
      {"balances", {{"AIA", p.balances.aia}, {"AGT", p.balances.agt}}},
      {"pending_aia", p.pending_aia},
      {"gold_accuracy",
       p.gold_accuracy ? nlohmann::json(*p.gold_accuracy) : nlohmann::json(nullptr)},
      {"accuracy_history", std::move(history)},
      {"reputation", p.reputation},
      {"paused", p.paused},
  };
  if (p.paused_until_day > 0) {
    j["paused_until"] = FormatRfc3339(p.paused_until_day * 86'400'000);
  }
  return j;
}

}  // namespace tinydata::service
