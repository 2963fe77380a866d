#include "tinydata/store/group_commit.h"

#include <algorithm>
#include <utility>

namespace tinydata::store {

GroupCommitter::GroupCommitter(CommitFn commit, int max_batches_per_commit)
    : commit_(std::move(commit)),
      max_batches_per_commit_(static_cast<size_t>(std::max(1, max_batches_per_commit))),
      thread_([this] { WriterLoop(); }) {}

GroupCommitter::~GroupCommitter() { Close(); }

void GroupCommitter::Write(WriteBatch batch, Store::WriteCallback done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closing_) {
      queue_.push_back(Pending{std::move(batch), std::move(done)});
      queue_cv_.notify_one();
      return;
    }
  }
  if (done) done(Status::Unavailable("the store is closed"));
}

void GroupCommitter::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = taken_ + queue_.size();
  flushed_cv_.wait(lock, [&] { return finished_ >= target || !running_; });
}

void GroupCommitter::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
    queue_cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

WriteStats GroupCommitter::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

void GroupCommitter::WriterLoop() {
  std::vector<Pending> group;
  std::vector<const WriteBatch*> batches;
  std::vector<Status> outcomes;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) {
        running_ = false;
        flushed_cv_.notify_all();
        return;
      }
      const size_t n = std::min(queue_.size(), max_batches_per_commit_);
      group.clear();
      for (size_t i = 0; i < n; ++i) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      taken_ += n;
    }
    batches.clear();
    for (const Pending& p : group) batches.push_back(&p.batch);
    outcomes.assign(group.size(), Status::Ok());
    commit_(batches, outcomes);
    Record(group, outcomes);
    for (size_t i = 0; i < group.size(); ++i) {
      if (group[i].done) group[i].done(outcomes[i]);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      finished_ += group.size();
      flushed_cv_.notify_all();
    }
  }
}

void GroupCommitter::Record(std::span<const Pending> group, const std::vector<Status>& outcomes) {
  uint64_t ok = 0;
  uint64_t answers = 0;
  for (size_t i = 0; i < group.size(); ++i) {
    if (!outcomes[i].ok() || group[i].batch.empty()) continue;
    ++ok;
    answers += group[i].batch.insert_answers.size();
  }
  uint64_t non_empty = 0;
  for (const Pending& p : group) non_empty += p.batch.empty() ? 0 : 1;
  std::lock_guard<std::mutex> lock(stats_mu_);
  if (ok > 0) ++stats_.commits;
  stats_.batches += ok;
  stats_.failed_batches += non_empty - ok;
  stats_.answers += answers;
  stats_.max_batches_per_commit = std::max(stats_.max_batches_per_commit, ok);
  stats_.max_answers_per_commit = std::max(stats_.max_answers_per_commit, answers);
}

}  // namespace tinydata::store
