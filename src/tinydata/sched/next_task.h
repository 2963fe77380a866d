// Which task to give a user next: a pure policy over candidate tasks (no storage, no clock, no
// randomness of its own - the caller passes a uniform draw, so a choice is reproducible).
//
// Eligibility (a candidate failing any rule is never picked):
//   - the task is open (not retired);
//   - the user never had an assignment for it (one per task and user, ever);
//   - answers + live leases < max_answers, so no task collects more answers than the policy's
//     maximum even when every live lease is answered;
//   - the user's level is at least the task's min_level.
// Among eligible candidates, gold items are chosen with probability gold_rate (draw < gold_rate)
// and regular ones otherwise; when only one kind is eligible, that kind is chosen.
// Gold is a check on work, not work of its own: beyond the first kGoldWarmup gold items (so a
// newcomer is measured early), a user gets a gold item only while they had fewer gold items than
// regular ones in the project (MayServeGold); otherwise a project with a large gold pool would pay
// for answers that label nothing.
// Within a kind, the highest value first (Priority): tasks that are closest to retiring (fewest
// answers still missing to reach min_answers, counting live leases) and, at equal distance, the
// most uncertain ones (lowest confidence); ties go to the lowest task id, so older items finish
// first. A task whose live leases already cover its missing answers ("covered") comes after
// every task that still needs someone, so work is not handed out twice while others wait.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace tinydata::sched {

struct Candidate {
  int64_t task_id = 0;
  bool retired = false;
  bool gold = false;
  bool user_had_it = false;  // the user holds or held an assignment of this task
  int32_t answers = 0;       // answers so far
  int32_t live_leases = 0;   // unexpired, unanswered assignments
  double confidence = 0.0;   // consensus confidence, 0 without answers
  int32_t min_answers = 1;
  int32_t max_answers = 1;
  int32_t min_level = 1;  // the task's tier gate
};

struct UserContext {
  int32_t level = 1;
};

bool IsEligible(const Candidate& c, const UserContext& user);

inline constexpr int64_t kGoldWarmup = 5;

// Whether a user who had `gold_had` gold items and `regular_had` regular ones in a project may
// be offered one more gold item.
bool MayServeGold(int64_t gold_had, int64_t regular_had);

// Larger is more valuable; a total order together with the task id tie-break.
double Priority(const Candidate& c);

// The index into `candidates` of the task to lease, or nullopt when none is eligible.
// `gold_rate` in [0, 1]; `draw` uniform in [0, 1).
std::optional<size_t> PickNextTask(std::span<const Candidate> candidates, const UserContext& user,
                                   double gold_rate, double draw);

}  // namespace tinydata::sched
