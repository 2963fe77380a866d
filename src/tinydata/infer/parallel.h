// Private to infer/: fork-join over a range of items for the E and M steps.
#pragma once

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace tinydata::infer::internal {

// Number of chunks ParallelFor will use for `n` items with `threads` requested.
inline int ChunkCount(int threads, int64_t n) {
  constexpr int64_t kMinItemsPerThread = 4096;  // below this, thread start-up costs more
  const int64_t useful = std::max<int64_t>(1, n / kMinItemsPerThread);
  return static_cast<int>(std::clamp<int64_t>(threads, 1, useful));
}

// Calls fn(begin, end, chunk) for ChunkCount(threads, n) contiguous chunks of [0, n); chunk 0
// runs on the calling thread. Returns when all chunks are done.
template <typename Fn>
void ParallelFor(int threads, int64_t n, Fn&& fn) {
  const int chunks = ChunkCount(threads, n);
  if (chunks == 1) {
    fn(int64_t{0}, n, 0);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(chunks - 1);
  for (int c = 1; c < chunks; ++c) {
    pool.emplace_back([&fn, c, chunks, n] { fn(n * c / chunks, n * (c + 1) / chunks, c); });
  }
  fn(int64_t{0}, n / chunks, 0);
  for (std::thread& t : pool) t.join();
}

}  // namespace tinydata::infer::internal
