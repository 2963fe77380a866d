#include "tinydata/http/work_queue.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <utility>

namespace tinydata::http {

WorkQueue::WorkQueue(size_t threads, size_t max_waiting)
    : max_waiting_(max_waiting), pool_(std::max<size_t>(1, threads)) {}

WorkQueue::~WorkQueue() { Join(); }

bool WorkQueue::TryPost(std::function<void()> work) {
  size_t waiting = waiting_.load(std::memory_order_relaxed);
  do {
    if (waiting >= max_waiting_) return false;
  } while (!waiting_.compare_exchange_weak(waiting, waiting + 1, std::memory_order_relaxed));
  boost::asio::post(pool_, [this, work = std::move(work)] {
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    work();
  });
  return true;
}

void WorkQueue::Join() { pool_.join(); }

}  // namespace tinydata::http
