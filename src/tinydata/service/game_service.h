// GameService: the annotator-facing game use cases - daily check-in, profile, leaderboards,
// level-ups, referral codes - and the settlement hook that pays for retired tasks (rewards.h).
//
// Every change is one WriteBatch (ledger postings plus game rows) that commits atomically;
// methods wait for that commit, so call them from a blocking thread, never from a store
// callback. Time comes from the injected Clock; days are UTC days (game::UtcDay).
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/game/config.h"
#include "tinydata/game/leaderboard.h"
#include "tinydata/game/levels.h"
#include "tinydata/service/clock.h"
#include "tinydata/service/platform.h"
#include "tinydata/service/rewards.h"
#include "tinydata/store/store.h"

namespace tinydata::service {

struct CheckinOutcome {
  int64_t day = 0;
  int32_t streak = 0;
  int64_t bonus_aia = 0;     // paid (after the daily cap)
  int64_t withheld_aia = 0;  // over the daily cap
};

struct LevelUpOutcome {
  int32_t level = 0;         // the new level
  int64_t agt_granted = 0;   // AGT minted to the user for reaching it
  int64_t agt_withheld = 0;  // AGT due but over the maximum supply (forfeited)
};

struct Profile {
  store::User user;
  std::string ledger_account;  // the user's account in the public ledger (a pseudonym)
  game::LevelProgress progress;
  int32_t streak = 0;
  store::Balances balances;
  int64_t pending_aia = 0;
  std::optional<double> gold_accuracy;  // unset before the first gold answer
  std::vector<store::GoldDay> gold_history;
  int32_t reputation = 0;
  int64_t paused_until_day = 0;  // 0 = never paused
  bool paused = false;
};

struct LeaderboardEntry {
  int32_t rank = 0;
  int64_t user_id = 0;
  std::string display_name;
  int64_t xp = 0;
};

// The game rules' configuration from a JSON object whose members are GameConfig's field names
// (e.g. {"daily_reward_cap_aia": 300, "level_xp_thresholds": [0, 50, 200]}); members left out
// keep their defaults. InvalidArgument naming the member for an unknown member, a wrong type,
// or a value ValidateGameConfig refuses; naming "game_config" for text that is not a JSON object.
Result<game::GameConfig> GameConfigFromJson(std::string_view text);

class GameService {
 public:
  // `store` and `clock` must outlive the service. InvalidArgument (naming the field) when
  // `config` fails game::ValidateGameConfig.
  static Result<std::unique_ptr<GameService>> Create(store::Store* store, const Clock* clock,
                                                     game::GameConfig config);

  // Called after a user's level changed (level-up), e.g. Platform::InvalidateUser, so that
  // cached principals pick up the new level. Set before serving.
  void SetLevelChangedListener(std::function<void(int64_t user_id)> listener);

  // The hook to install with Platform::SetRetirementHook: settles every retired task (rewards.h).
  RetirementHook MakeRetirementHook();
  // The gate to install with Platform::SetLeaseGate: refuses users paused by the reputation
  // rules (FailedPrecondition naming "user", with the day the pause ends) and gates tasks by
  // the level after any demotion.
  LeaseGate MakeLeaseGate();

  // Checks the user in for today. AlreadyExists when already checked in today.
  Result<CheckinOutcome> CheckIn(int64_t user_id);
  // NotFound for an unknown user.
  Result<Profile> GetProfile(int64_t user_id);
  // Up to `limit` (1..100) users with the most XP in the period containing today.
  Result<std::vector<LeaderboardEntry>> Leaderboard(game::LeaderboardPeriod period, int limit);
  // Buys the next level with AIA (paid to the treasury) and grants the level's AGT (minted by
  // the treasury, reason agt_grant, reference "level:<user ref>:<level>") unless this user
  // was granted it before (a level bought again after a demotion). AGT that would exceed the
  // maximum supply is withheld - all of it or the part that does not fit - and the level-up
  // still succeeds. FailedPrecondition naming "xp", "balance" or "level" when not possible;
  // Conflict when a concurrent level-up of the same user won.
  Result<LevelUpOutcome> LevelUp(int64_t user_id);
  // Records the owner of `referral_code` as the referrer of `referee_id` (at sign-up).
  // NotFound naming "referral_code" for an unknown code; AlreadyExists when the user already
  // has a referrer; InvalidArgument / FailedPrecondition naming "referral_code" for self- and
  // cyclic referrals.
  Status RedeemReferral(int64_t referee_id, std::string_view referral_code);
  // Ok when `referral_code` belongs to a user; NotFound naming "referral_code" otherwise. Lets
  // sign-up refuse an unknown code before it creates the account.
  Status CheckReferralCode(std::string_view referral_code);
  // Moves `amount_aia` (1..ledger::kMaxAmount) of the caller's own credit into the project's
  // reward budget; `request_key` (1..64 printable characters, e.g. the request's
  // Idempotency-Key) makes a retry harmless. Returns the budget balance after the funding.
  // Errors: FailedPrecondition naming "amount_aia" when the caller's credit is short (nothing
  // moves); Conflict naming "Idempotency-Key" when the key funded another amount or came from
  // another user. The caller checks that the principal may fund the project.
  Result<int64_t> FundProject(int64_t funder_id, int64_t project_id, int64_t amount_aia,
                              std::string_view request_key);
  // Credits `amount_aia` (1..kMaxGrantAia) from the treasury to `account` - a user's wallet
  // (LedgerAccounts::OfUser) or a pool ("pool:checkin") - recording `reference` (1..64
  // printable characters: the payment received, e.g. an invoice number), which can be granted
  // once. The only way AIA enters the ledger. Returns the account's balance after the grant.
  // Errors: InvalidArgument naming "amount_aia", "reference" or "account"; AlreadyExists naming
  // "reference" when it was granted before. Operators only: the caller checks.
  Result<int64_t> GrantCredit(std::string_view account, int64_t amount_aia,
                              std::string_view reference);
  // The committed balance of the project's budget.
  Result<int64_t> ProjectBudget(int64_t project_id);

  Rewards& rewards() { return rewards_; }
  const LedgerAccounts& accounts() const { return rewards_.accounts(); }

 private:
  GameService(store::Store* store, const Clock* clock, game::GameConfig config,
              LedgerAccounts accounts)
      : store_(store), clock_(clock), rewards_(store, std::move(config), std::move(accounts)) {}
  int64_t Today() const;

  // Where one use case of a user reads and writes: the store and the long-lived rewards_ (one
  // server per database), or a transaction that locked the user's row, with a Rewards of its
  // own (a shared database).
  struct GameTxn {
    store::LedgerReader& reader;
    Rewards& rewards;
    std::function<Status(const store::WriteBatch&)> write;
    std::function<Result<std::optional<store::User>>(int64_t)> find_user;
    // A balance; locked until the transaction ends when there is one.
    std::function<Result<int64_t>(std::string_view, ledger::Asset)> balance;
  };
  // Reads and writes of `txn`, with `rewards` over it.
  static GameTxn InTransaction(store::Transaction& txn, Rewards& rewards);
  template <typename T>
  using UseCase = std::function<Result<T>(GameTxn&)>;
  // Runs `use_case` for `user_id` in its GameTxn (retried when the database aborts it).
  template <typename T>
  Result<T> ForUser(int64_t user_id, const UseCase<T>& use_case);
  // The user's reputation and level: from rewards_, or read now when the database is shared.
  Result<game::Reputation> CurrentReputation(int64_t user_id);

  store::Store* const store_;
  const Clock* const clock_;
  Rewards rewards_;
  std::function<void(int64_t)> level_changed_;
  // One server per database decides referrals from what it reads: one at a time, so two
  // concurrent referrals between the same users cannot both pass the loop check.
  std::mutex referral_mu_;
};

// The most AIA one credit grant may create.
inline constexpr int64_t kMaxGrantAia = 1'000'000'000'000;

// JSON forms of docs/api.md.
nlohmann::json CheckinJson(const CheckinOutcome& outcome);
nlohmann::json LevelUpJson(const LevelUpOutcome& outcome);
nlohmann::json ProfileJson(const Profile& profile);  // uses UserJson for "user"

}  // namespace tinydata::service
