// When a worker's answers are held for review instead of counting: answers far faster than the
// project's typical answer, and workers whose answers carry no information about the truth
// (a high Dawid-Skene spam score, infer::CategoricalResult::worker_spam_score). Pure.
//
// A held answer counts towards no consensus and earns nothing until a reviewer releases it; the
// service keeps the records (store::WorkerReview, store::AnswerReview).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace tinydata::quality {

struct HoldRules {
  // An answer faster than this share of the project's typical (median) answer time is held,
  // once that median is over at least `min_timed_answers` answers.
  // The rule applies only to projects whose typical answer takes at least `min_typical_ms`:
  // below a human reading time, "far faster than typical" is timer noise, not a bot.
  double fast_fraction = 0.25;
  int64_t min_timed_answers = 20;
  int64_t min_typical_ms = 1000;
  // A fast answer is held on its own; from this many fast answers on (or with a spam score over
  // the threshold) every answer of the worker is held until a reviewer decides.
  int64_t fast_answers_to_hold_worker = 3;
  // A worker with at least `spam_min_answers` answers in the project whose spam score reaches
  // `spam_score` is held, once the worker has answered items of at least two true classes
  // (`spam_min_class_mass` items, by posterior mass, of the second most common): a worker who
  // only ever saw one class cannot be told from a spammer by their confusion matrix.
  double spam_score = 0.9;
  int64_t spam_min_answers = 10;
  double spam_min_class_mass = 3.0;
};

// The time an answer took for the fast rule: the time the server saw between lease and answer,
// or the client's own measure when that is shorter and given (> 0). A client can claim to have
// been slower only within what the server saw.
int64_t AnswerTimeMs(int64_t server_elapsed_ms, int64_t client_duration_ms);

// The median of `times_ms` (0 for none); reorders the span.
int64_t MedianMs(std::span<int64_t> times_ms);

// Whether an answer of `answer_ms` is too fast for a project whose typical answer takes
// `typical_ms` over `timed_answers` answers.
bool IsTooFast(int64_t answer_ms, int64_t typical_ms, int64_t timed_answers,
               const HoldRules& rules);
// The reviewer's reason for a fast answer, e.g. "answered in 400 ms; answers here typically
// take 6200 ms".
std::string TooFastReason(int64_t answer_ms, int64_t typical_ms);

// `second_class_mass`: how many of the worker's answered items belong, by posterior mass, to
// the second most common true class among them.
// Whether a worker under review with `fast_answers` fast answers and `spam_score` has all their
// answers held, not only the fast ones.
bool HoldsEveryAnswer(int64_t fast_answers, double spam_score, const HoldRules& rules);

bool IsSpamWorker(double spam_score, int64_t answers, double second_class_mass,
                  const HoldRules& rules);
std::string SpamReason(double spam_score, int64_t answers);

}  // namespace tinydata::quality
