// The input of truth inference: answers in dense integer ids, stored as a struct of arrays.
//
// Items, workers and classes are numbered 0..n-1 by whoever builds the matrix (io/ maps the
// string ids of a CSV file or the database ids of the server to dense ids). The engine never
// sees strings, so its hot loops touch only contiguous int32 arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tinydata/core/status.h"

namespace tinydata::infer {

// Categorical answers: answer a says worker[a] gave label[a] to item[a].
// A worker may answer an item more than once; every answer counts.
struct AnswerMatrix {
  int32_t num_items = 0;
  int32_t num_workers = 0;
  int32_t num_classes = 0;
  std::vector<int32_t> item;
  std::vector<int32_t> worker;
  std::vector<int32_t> label;

  size_t size() const { return item.size(); }
  void Reserve(size_t n) {
    item.reserve(n);
    worker.reserve(n);
    label.reserve(n);
  }
  void Add(int32_t i, int32_t w, int32_t l) {
    item.push_back(i);
    worker.push_back(w);
    label.push_back(l);
  }
  // Checks that the three arrays have one length and every id is in range.
  Status Validate() const;
};

// Numeric answers: worker[a] gave value[a] to item[a].
struct NumericMatrix {
  int32_t num_items = 0;
  int32_t num_workers = 0;
  std::vector<int32_t> item;
  std::vector<int32_t> worker;
  std::vector<double> value;

  size_t size() const { return item.size(); }
  void Add(int32_t i, int32_t w, double v) {
    item.push_back(i);
    worker.push_back(w);
    value.push_back(v);
  }
  // Checks lengths, id ranges and that every value is finite.
  Status Validate() const;
};

// Known labels for some items: gold[i] is the class of item i, or kNoGold.
inline constexpr int32_t kNoGold = -1;
using GoldLabels = std::vector<int32_t>;

}  // namespace tinydata::infer
