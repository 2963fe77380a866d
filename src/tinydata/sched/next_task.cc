#include "tinydata/sched/next_task.h"

#include <algorithm>

namespace tinydata::sched {

bool IsEligible(const Candidate& c, const UserContext& user) {
  return !c.retired && !c.user_had_it && c.answers + c.live_leases < c.max_answers &&
         user.level >= c.min_level;
}

double Priority(const Candidate& c) {
  const int32_t missing = std::max(0, c.min_answers - c.answers - c.live_leases);
  const bool covered = c.live_leases > 0 && missing == 0;
  // Coverage dominates, then the distance to retirement (missing <= 100, so 2 * missing stays
  // below the coverage step); uncertainty (1 - confidence, in [0, 1]) orders within a distance.
  return (covered ? -1000.0 : 0.0) - static_cast<double>(missing) * 2.0 +
         (1.0 - std::clamp(c.confidence, 0.0, 1.0));
}

bool MayServeGold(int64_t gold_had, int64_t regular_had) {
  return gold_had < kGoldWarmup || gold_had < regular_had;
}

std::optional<size_t> PickNextTask(std::span<const Candidate> candidates, const UserContext& user,
                                   double gold_rate, double draw) {
  std::optional<size_t> best_gold;
  std::optional<size_t> best_regular;
  double gold_priority = 0.0;
  double regular_priority = 0.0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    if (!IsEligible(c, user)) continue;
    const double p = Priority(c);
    std::optional<size_t>& best = c.gold ? best_gold : best_regular;
    double& best_p = c.gold ? gold_priority : regular_priority;
    if (!best || p > best_p || (p == best_p && c.task_id < candidates[*best].task_id)) {
      best = i;
      best_p = p;
    }
  }
  if (!best_gold) return best_regular;
  if (!best_regular) return best_gold;
  return draw < gold_rate ? best_gold : best_regular;
}

}  // namespace tinydata::sched
