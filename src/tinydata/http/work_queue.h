// WorkQueue: threads of their own with a bounded backlog, for handler work that is expensive by
// design (Argon2id password hashing): a flood of such requests then waits in, or is turned away
// from, its own queue instead of occupying the threads every other route needs.
//
// Thread-safety: TryPost may be called from any thread.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <functional>

namespace tinydata::http {

class WorkQueue {
 public:
  // `threads` >= 1 run the work; at most `max_waiting` tasks wait for one.
  WorkQueue(size_t threads, size_t max_waiting);
  // Waits for the tasks already posted.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Runs `work` on one of the threads; false (and `work` dropped unrun) when max_waiting tasks
  // are already waiting.
  bool TryPost(std::function<void()> work);
  // Waits for every posted task to finish; later TryPost calls run nothing.
  void Join();

 private:
  const size_t max_waiting_;
  std::atomic<size_t> waiting_{0};
  boost::asio::thread_pool pool_;
};

}  // namespace tinydata::http
