#include "tinydata/infer/item_index.h"

namespace tinydata::infer::internal {

ItemIndex BuildItemIndex(int32_t num_items, const std::vector<int32_t>& item,
                         const std::vector<int32_t>& worker, const std::vector<int32_t>* label,
                         const std::vector<double>* value) {
  ItemIndex index;
  const std::size_t n = item.size();
  index.offsets.assign(static_cast<std::size_t>(num_items) + 1, 0);
  for (int32_t i : item) ++index.offsets[static_cast<std::size_t>(i) + 1];
  for (int32_t i = 0; i < num_items; ++i) index.offsets[i + 1] += index.offsets[i];
  std::vector<int64_t> next(index.offsets.begin(), index.offsets.end() - 1);
  index.worker.resize(n);
  if (label) index.label.resize(n);
  if (value) {
    index.value.resize(n);
    index.original.resize(n);
  }
  for (std::size_t a = 0; a < n; ++a) {
    const int64_t slot = next[item[a]]++;
    index.worker[slot] = worker[a];
    if (label) index.label[slot] = (*label)[a];
    if (value) {
      index.value[slot] = (*value)[a];
      index.original[slot] = static_cast<int64_t>(a);
    }
  }
  return index;
}

}  // namespace tinydata::infer::internal
