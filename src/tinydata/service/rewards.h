// Rewards: turns the game rules (game/) into ledger postings and game-state rows, for the
// settlement of a retired task, check-ins and anything else that pays AIA.
//
// Money flows (the ledger allows no others, ledger/flows.h):
//   - AIA enters only as an operator's credit grant ("credit_grant", reference: the payment it
//     records, e.g. an invoice number), to a user's wallet or to a platform pool;
//   - a requester moves their own credit into a project's budget account "project:<id>"
//     ("project_funding"; GameService::FundProject);
//   - an accepted answer pays project.reward_aia from the project budget to the annotator
//     ("answer_reward", reference "answer:<id>"), limited by the remaining budget and the
//     annotator's daily cap; what does not fit is withheld, not deferred;
//   - the referrer of that annotator receives a share of the reward on top, also from the
//     budget ("referral_bonus", same reference), once the annotator passed enough gold checks
//     on items the referrer never had (so could not have told them), within the referrer's own
//     daily cap;
//   - a check-in bonus is paid from pool:checkin ("checkin_bonus"), within the daily cap and what
//     the pool holds;
//   - a level-up is paid by the user to the treasury ("level_up").
// And AGT: reaching a level for the first time mints game::GameConfig::agt_per_level_up AGT
// from the treasury to the user ("agt_grant"), within the maximum supply (GameService::LevelUp).
// Users appear in accounts and references by their LedgerAccounts pseudonym.
// Every posting has the idempotency key "<reason>/<reference>", unique in the journal, so a
// reward is posted at most once per (answer, reason).
//
// State. A server that is its database's only writer keeps one Rewards for its lifetime: the
// daily totals, remaining project budgets and pools, gold records, reputations and referrers are cached in
// memory (loaded from the store on first use) and updated when rows are produced, before their
// batch commits, so concurrent settlements never promise the same budget or cap room twice. If
// such a batch fails, the cache keeps counting what it promised: the error can only withhold a
// reward, never overdraw a budget, which the store would refuse.
// When several servers share the database, each settlement or check-in makes a Rewards of its
// own over its transaction instead: it reads that state through the transaction, where the
// caller has locked the users concerned, and locks the project budget it pays from, so what it
// promises holds whatever the other servers do meanwhile.
//
// Thread-safety: all methods may be called concurrently (a transaction's Rewards from the
// transaction's thread only).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tinydata/core/status.h"
#include "tinydata/game/config.h"
#include "tinydata/game/reputation.h"
#include "tinydata/ledger/flows.h"
#include "tinydata/service/ledger_accounts.h"
#include "tinydata/service/platform.h"
#include "tinydata/store/store.h"

namespace tinydata::service {

// What one settlement paid, for logs and tests.
struct SettlementSummary {
  int64_t xp = 0;
  int64_t paid_aia = 0;
  int64_t withheld_aia = 0;  // over a daily cap or the remaining budget
  int64_t referral_aia = 0;
};

class Rewards {
 public:
  // `store` must outlive the object; `config` must pass game::ValidateGameConfig.
  Rewards(store::Store* store, game::GameConfig config, LedgerAccounts accounts);
  // Reads through `txn` (which must outlive the object) and caches nothing beyond it.
  Rewards(store::Transaction* txn, game::GameConfig config, LedgerAccounts accounts);

  const game::GameConfig& config() const { return config_; }
  const LedgerAccounts& accounts() const { return accounts_; }

  // Appends the settlement of a retired task to `out`: gold results and reputation (gold tasks;
  // a demotion sets the level), XP weighted by the task's confidence and the AIA reward for
  // every accepted answer, and referral bonuses. `now_ms` stamps the postings; its UTC day is
  // the day of the caps and leaderboards.
  Result<SettlementSummary> SettleRetiredTask(const RetiredTask& retired, int64_t now_ms,
                                              store::LedgerChanges* out);

  // Reserves up to `amount_aia` of the user's daily cap on `day`; returns what fits. Give back
  // with ReleaseDailyCap when the write that was to pay it fails.
  Result<int64_t> ReserveDailyCap(int64_t user_id, int64_t day, int64_t amount_aia);
  void ReleaseDailyCap(int64_t user_id, int64_t day, int64_t amount_aia);

  // Records AIA committed to a budget or pool account (a funding, a grant).
  void AddFunds(std::string_view account, int64_t amount_aia);
  // The AIA of a budget or pool account not yet promised to anyone.
  Result<int64_t> AvailableBudget(int64_t project_id);
  // Promises up to `amount_aia` of a budget or pool account; returns what it holds of it. Give
  // back with ReleaseFunds when the write that was to pay it fails.
  Result<int64_t> ReserveFunds(std::string_view account, int64_t amount_aia);
  void ReleaseFunds(std::string_view account, int64_t amount_aia);

  // The cached reputation of a user (InitialReputation with the stored level when new).
  Result<game::Reputation> ReputationOf(int64_t user_id);
  // A user's reputation from their stored level and game row (none before the first gold
  // result).
  static game::Reputation ReputationFrom(int32_t level, const std::optional<store::UserGameRow>& game,
                                         const game::GameConfig& config);
  // Takes what the caller read (and locked) of these users for UTC day `day` into the cache, so
  // a settlement reads nothing more about them (store::Transaction::LockRewardStates).
  void Preload(const std::vector<store::UserRewardState>& states, int64_t day);
  // Records a level change made outside settlement (a level-up) in the cache.
  void SetCachedLevel(int64_t user_id, int32_t level);
  // Records a referral committed outside settlement.
  void SetCachedReferrer(int64_t referee_id, int64_t referrer_id);

 private:
  struct UserState {
    bool loaded = false;
    game::Reputation reputation;
    int64_t unrevealed_gold_passes = 0;  // unlock referral bonuses
    std::optional<int64_t> referrer;
    int64_t cap_day = -1;  // the day cap_used counts
    int64_t cap_used = 0;
  };

  // The user's cached state, loaded on first use. Caller holds mu_.
  Result<UserState*> User(int64_t user_id);
  store::LedgerReader& reader() { return txn_ ? txn_->ledger() : store_->ledger(); }
  Result<std::optional<store::User>> FindUser(int64_t user_id) {
    return txn_ ? txn_->FindUserById(user_id) : store_->FindUserById(user_id);
  }
  // The unpromised AIA of a budget or pool account; caller holds mu_.
  Result<int64_t*> Funds(const std::string& account);
  // Reserves cap room for `user` on `day`; caller holds mu_.
  Result<int64_t> ReserveLocked(int64_t user_id, int64_t day, int64_t amount_aia);

  store::Store* const store_ = nullptr;
  store::Transaction* const txn_ = nullptr;
  const game::GameConfig config_;
  const LedgerAccounts accounts_;
  std::mutex mu_;
  std::unordered_map<int64_t, UserState> users_;
  std::unordered_map<std::string, int64_t> funds_;  // budget or pool account -> unpromised AIA
};

}  // namespace tinydata::service
