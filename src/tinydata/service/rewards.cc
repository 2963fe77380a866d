#include "tinydata/service/rewards.h"

#include <algorithm>
#include <utility>

#include "tinydata/game/checkin.h"
#include "tinydata/game/levels.h"
#include "tinydata/game/rewards.h"
#include "tinydata/ledger/entry.h"

namespace tinydata::service {

Rewards::Rewards(store::Store* store, game::GameConfig config, LedgerAccounts accounts)
    : store_(store), config_(std::move(config)), accounts_(std::move(accounts)) {}

Rewards::Rewards(store::Transaction* txn, game::GameConfig config, LedgerAccounts accounts)
    : txn_(txn), config_(std::move(config)), accounts_(std::move(accounts)) {}

game::Reputation Rewards::ReputationFrom(int32_t level,
                                         const std::optional<store::UserGameRow>& game,
                                         const game::GameConfig& config) {
  game::Reputation reputation = game::InitialReputation(config);
  reputation.level = level;
  if (game) {
    reputation.score = game->reputation;
    reputation.paused_until_day = game->paused_until_day;
  }
  return reputation;
}

void Rewards::Preload(const std::vector<store::UserRewardState>& states, int64_t day) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const store::UserRewardState& s : states) {
    UserState& state = users_[s.user_id];
    state.reputation = ReputationFrom(s.level, s.game, config_);
    state.unrevealed_gold_passes = s.unrevealed_gold_passes;
    state.referrer = s.referrer;
    state.cap_day = day;
    state.cap_used = s.daily_aia;
    state.loaded = true;
  }
}

Result<Rewards::UserState*> Rewards::User(int64_t user_id) {
  UserState& state = users_[user_id];
  if (state.loaded) return &state;
  store::LedgerReader& reader = this->reader();
  TD_ASSIGN_OR_RETURN(std::optional<store::User> user, FindUser(user_id));
  if (!user) return Status::NotFound("no user " + std::to_string(user_id), "user_id");
  TD_ASSIGN_OR_RETURN(std::optional<store::UserGameRow> game, reader.UserGame(user_id));
  state.reputation = ReputationFrom(user->level, game, config_);
  TD_ASSIGN_OR_RETURN(std::vector<store::GoldDay> gold, reader.GoldHistory(user_id));
  for (const store::GoldDay& d : gold) state.unrevealed_gold_passes += d.unrevealed_passes;
  TD_ASSIGN_OR_RETURN(state.referrer, reader.ReferrerOf(user_id));
  state.loaded = true;
  return &state;
}

Result<int64_t*> Rewards::Funds(const std::string& account) {
  auto it = funds_.find(account);
  if (it == funds_.end()) {
    // In a transaction the balance row is locked, so no other server spends it meanwhile.
    TD_ASSIGN_OR_RETURN(int64_t balance, txn_ ? txn_->LockBalance(account, ledger::Asset::kAia)
                                              : store_->ledger().Balance(account, ledger::Asset::kAia));
    it = funds_.emplace(account, balance).first;
  }
  return &it->second;
}

Result<int64_t> Rewards::ReserveLocked(int64_t user_id, int64_t day, int64_t amount_aia) {
  TD_ASSIGN_OR_RETURN(UserState * user, User(user_id));
  if (user->cap_day != day) {
    TD_ASSIGN_OR_RETURN(int64_t used, reader().DailyRewardAia(user_id, day));
    user->cap_day = day;
    user->cap_used = used;
  }
  const game::CappedReward capped = game::ApplyDailyCap(user->cap_used, amount_aia, config_);
  user->cap_used += capped.paid_aia;
  return capped.paid_aia;
}

Result<int64_t> Rewards::ReserveDailyCap(int64_t user_id, int64_t day, int64_t amount_aia) {
  std::lock_guard<std::mutex> lock(mu_);
  return ReserveLocked(user_id, day, amount_aia);
}

void Rewards::ReleaseDailyCap(int64_t user_id, int64_t day, int64_t amount_aia) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = users_.find(user_id);
  if (it != users_.end() && it->second.cap_day == day) {
    it->second.cap_used = std::max<int64_t>(0, it->second.cap_used - amount_aia);
  }
}

void Rewards::AddFunds(std::string_view account, int64_t amount_aia) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = funds_.find(std::string(account));
  // Not cached yet: the next use reads the committed balance, which includes this amount.
  if (it != funds_.end()) it->second += amount_aia;
}

Result<int64_t> Rewards::AvailableBudget(int64_t project_id) {
  std::lock_guard<std::mutex> lock(mu_);
  TD_ASSIGN_OR_RETURN(int64_t * budget, Funds(ledger::ProjectAccount(project_id)));
  return *budget;
}

Result<int64_t> Rewards::ReserveFunds(std::string_view account, int64_t amount_aia) {
  std::lock_guard<std::mutex> lock(mu_);
  TD_ASSIGN_OR_RETURN(int64_t * funds, Funds(std::string(account)));
  const int64_t reserved = std::clamp<int64_t>(*funds, 0, std::max<int64_t>(0, amount_aia));
  *funds -= reserved;
  return reserved;
}

void Rewards::ReleaseFunds(std::string_view account, int64_t amount_aia) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = funds_.find(std::string(account));
  if (it != funds_.end()) it->second += amount_aia;
}

Result<game::Reputation> Rewards::ReputationOf(int64_t user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  TD_ASSIGN_OR_RETURN(UserState * user, User(user_id));
  return user->reputation;
}

void Rewards::SetCachedLevel(int64_t user_id, int32_t level) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = users_.find(user_id);
  if (it != users_.end()) it->second.reputation.level = level;
}

void Rewards::SetCachedReferrer(int64_t referee_id, int64_t referrer_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = users_.find(referee_id);
  if (it != users_.end()) it->second.referrer = referrer_id;
}

Result<SettlementSummary> Rewards::SettleRetiredTask(const RetiredTask& retired, int64_t now_ms,
                                                     store::LedgerChanges* out) {
  if (retired.project == nullptr || retired.task == nullptr || retired.answers == nullptr) {
    return Status::InvalidArgument("incomplete retired task", "retired");
  }
  const store::Project& project = *retired.project;
  const store::Task& task = *retired.task;
  const bool gold = task.gold_json.has_value();
  const int64_t day = game::UtcDay(now_ms / 1000);
  const std::string budget_account = ledger::ProjectAccount(project.id);
  TD_ASSIGN_OR_RETURN(int64_t xp_each,
                      game::XpForAcceptedAnswer(
                          gold ? 1.0 : std::clamp(task.confidence, 0.0, 1.0), config_));
  out->posted_at_unix_seconds = now_ms / 1000;

  SettlementSummary summary;
  std::lock_guard<std::mutex> lock(mu_);
  TD_ASSIGN_OR_RETURN(int64_t * budget, Funds(budget_account));
  for (const store::Answer& answer : *retired.answers) {
    // Held answers wait for their reviewer; rejected ones earn nothing.
    if (answer.review == store::AnswerReview::kHeld ||
        answer.review == store::AnswerReview::kRejected) {
      continue;
    }
    const bool accepted = answer.verdict == "accepted";
    TD_ASSIGN_OR_RETURN(UserState * user, User(answer.user_id));
    if (gold) {
      // A pass on an item the referrer had may have been told the answer, so it does not
      // unlock their referral bonus.
      const bool unrevealed =
          accepted && (!user->referrer || !retired.had_task || !retired.had_task(*user->referrer));
      out->add_gold_results.push_back(
          {answer.user_id, day, accepted ? 1 : 0, accepted ? 0 : 1, unrevealed ? 1 : 0});
      if (unrevealed) ++user->unrevealed_gold_passes;
      const game::GoldOutcome outcome =
          game::ApplyGoldResult(user->reputation, accepted, day, config_);
      user->reputation = outcome.after;
      out->upsert_user_game.push_back(
          {answer.user_id, outcome.after.score, outcome.after.paused_until_day});
      if (outcome.demoted) out->set_user_level.emplace_back(answer.user_id, outcome.after.level);
    }
    if (!accepted) continue;
    const std::string reference = "answer:" + std::to_string(answer.id);
    if (xp_each > 0) {
      out->add_user_xp.emplace_back(answer.user_id, xp_each);
      out->xp_awards.push_back({answer.user_id, day, xp_each, reference});
      summary.xp += xp_each;
    }
    const int64_t reward = project.reward_aia;
    if (reward <= 0) continue;
    const int64_t affordable = std::min(reward, *budget);
    TD_ASSIGN_OR_RETURN(int64_t paid, ReserveLocked(answer.user_id, day, affordable));
    summary.withheld_aia += reward - paid;
    if (paid > 0) {
      *budget -= paid;
      summary.paid_aia += paid;
      out->postings.push_back({budget_account, accounts_.OfUser(answer.user_id),
                               ledger::Asset::kAia, paid, ledger::kAnswerRewardReason, reference,
                               ""});
      out->add_daily_rewards.push_back({answer.user_id, day, paid});
    }
    if (!user->referrer) continue;
    const int64_t bonus = game::ReferralBonusAia(reward, user->unrevealed_gold_passes, config_);
    if (bonus <= 0) continue;
    const int64_t referrer = *user->referrer;
    TD_ASSIGN_OR_RETURN(int64_t bonus_paid, ReserveLocked(referrer, day, std::min(bonus, *budget)));
    if (bonus_paid > 0) {
      *budget -= bonus_paid;
      summary.referral_aia += bonus_paid;
      out->postings.push_back({budget_account, accounts_.OfUser(referrer), ledger::Asset::kAia,
                               bonus_paid, ledger::kReferralBonusReason, reference, ""});
      out->add_daily_rewards.push_back({referrer, day, bonus_paid});
    }
  }
  return summary;
}

}  // namespace tinydata::service
