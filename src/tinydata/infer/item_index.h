// Private to infer/: answers regrouped by item (compressed sparse rows), built once per run so
// every E and M step walks contiguous arrays in item order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tinydata::infer::internal {

struct ItemIndex {
  // The answers of item i are [offsets[i], offsets[i+1]) in the arrays below, in input order.
  std::vector<int64_t> offsets;
  std::vector<int32_t> worker;
  std::vector<int32_t> label;     // categorical answers only
  std::vector<double> value;      // numeric answers only
  std::vector<int64_t> original;  // numeric answers only: index of the answer in the input
};

// Counting sort by item: O(answers + items), stable. `label` or `value` may be null.
ItemIndex BuildItemIndex(int32_t num_items, const std::vector<int32_t>& item,
                         const std::vector<int32_t>& worker, const std::vector<int32_t>* label,
                         const std::vector<double>* value);

}  // namespace tinydata::infer::internal
