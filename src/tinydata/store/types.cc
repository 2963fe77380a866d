#include "tinydata/store/types.h"

namespace tinydata::store {

const char* GoldSourceName(GoldSource source) {
  switch (source) {
    case GoldSource::kNone:
      return "";
    case GoldSource::kImported:
      return "imported";
    case GoldSource::kTraining:
      return "training";
    case GoldSource::kConsensus:
      return "consensus";
  }
  return "";
}

GoldSource GoldSourceFromName(std::string_view name) {
  if (name == "imported") return GoldSource::kImported;
  if (name == "training") return GoldSource::kTraining;
  if (name == "consensus") return GoldSource::kConsensus;
  return GoldSource::kNone;
}

const char* AnswerReviewName(AnswerReview review) {
  switch (review) {
    case AnswerReview::kCounted:
      return "";
    case AnswerReview::kHeld:
      return "held";
    case AnswerReview::kReleased:
      return "released";
    case AnswerReview::kRejected:
      return "rejected";
  }
  return "";
}

AnswerReview AnswerReviewFromName(std::string_view name) {
  if (name == "held") return AnswerReview::kHeld;
  if (name == "released") return AnswerReview::kReleased;
  if (name == "rejected") return AnswerReview::kRejected;
  return AnswerReview::kCounted;
}

const char* ReviewStateName(ReviewState state) {
  switch (state) {
    case ReviewState::kHeld:
      return "held";
    case ReviewState::kReleased:
      return "released";
    case ReviewState::kRejected:
      return "rejected";
  }
  return "held";
}

ReviewState ReviewStateFromName(std::string_view name) {
  if (name == "released") return ReviewState::kReleased;
  if (name == "rejected") return ReviewState::kRejected;
  return ReviewState::kHeld;
}

}  // namespace tinydata::store
