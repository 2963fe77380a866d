// Private to store/: the write path every backend shares (store.h, like leveldb's
// DBImpl::Write). Batches queue in arrival order; one writer thread takes up to
// max_batches_per_commit of them at a time and hands them to the backend's commit function,
// which applies them in one transaction (each in a savepoint of its own, so a failing batch is
// undone alone) and reports each batch's outcome; then every batch's callback runs, in queue
// order, on the writer thread.
//
// Thread-safety: Write, Flush, Close and stats may be called from any thread; the commit
// function runs on the writer thread only.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/store/store.h"

namespace tinydata::store {

class GroupCommitter {
 public:
  // Applies `group` (never empty; empty batches included) in one transaction and sets
  // outcomes[i] (sized like `group`, all ok on entry) to group[i]'s status: ok only when the
  // batch is durable. A failed transaction sets every outcome to its error.
  using CommitFn =
      std::function<void(std::span<const WriteBatch* const> group, std::vector<Status>& outcomes)>;

  // Starts the writer thread.
  GroupCommitter(CommitFn commit, int max_batches_per_commit);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Store::Write: after Close() the callback gets Unavailable at once.
  void Write(WriteBatch batch, Store::WriteCallback done);
  // Store::Flush.
  void Flush();
  // Commits what is queued, then stops the writer thread. Idempotent.
  void Close();
  WriteStats stats() const;

 private:
  struct Pending {
    WriteBatch batch;
    Store::WriteCallback done;
  };
  void WriterLoop();
  void Record(std::span<const Pending> group, const std::vector<Status>& outcomes);

  const CommitFn commit_;
  const size_t max_batches_per_commit_;

  std::mutex mu_;
  std::condition_variable queue_cv_;
  std::condition_variable flushed_cv_;
  std::deque<Pending> queue_;
  uint64_t taken_ = 0;     // batches taken off the queue by the writer
  uint64_t finished_ = 0;  // batches whose callbacks have run
  bool closing_ = false;
  bool running_ = true;

  mutable std::mutex stats_mu_;
  WriteStats stats_;

  std::thread thread_;  // last: starts after everything above is initialised
};

}  // namespace tinydata::store
