// The ledger's transparency log: an append-only RFC 9162 Merkle tree over journal-entry leaf
// hashes, kept as stored node hashes so that roots and proofs for any past tree size cost
// O(log^2 n) node reads, never a rehash of the leaves.
//
// Node (level, index) is the root of the perfect subtree over leaves
// [index * 2^level, (index + 1) * 2^level); level 0 nodes are the leaf hashes. A node is stored
// once, when its last leaf is appended, and never changes. The storage is a NodeStore, like
// leveldb's Env: the SQLite store implements it over a table, tests use MemoryNodeStore.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/ledger/hash.h"

namespace tinydata::ledger {

struct NodeId {
  uint32_t level = 0;
  uint64_t index = 0;
  bool operator==(const NodeId&) const = default;
};

struct NodeWrite {
  NodeId id;
  Hash hash;
};

// Where node hashes live. Implementations need not be thread-safe; MerkleLog calls them from
// the thread that owns the log.
class NodeStore {
 public:
  virtual ~NodeStore() = default;
  // The hash of node `id`; NotFound when it was never stored.
  virtual Result<Hash> GetNode(NodeId id) const = 0;
  // Stores newly completed nodes, all or none. Rewriting a stored node with the same hash is
  // allowed (a retried batch); with a different hash it is AlreadyExists.
  virtual Status PutNodes(std::span<const NodeWrite> nodes) = 0;
};

// Node hashes in memory, one contiguous array per level. Nodes of a level must be written in
// index order without gaps (as MerkleLog does), else InvalidArgument.
class MemoryNodeStore : public NodeStore {
 public:
  Result<Hash> GetNode(NodeId id) const override;
  Status PutNodes(std::span<const NodeWrite> nodes) override;
  // Number of stored nodes at `level`.
  uint64_t LevelSize(uint32_t level) const;
  // Overwrites a stored node; for tamper tests of the verifier only.
  void OverwriteForTesting(NodeId id, const Hash& hash);

 private:
  std::vector<std::vector<Hash>> levels_;
};

// The compact range [0, size) of RFC 9162-style logs: the roots of the perfect subtrees that
// the binary representation of `size` decomposes the leaves into, largest (leftmost) first.
// Enough to append and to compute the current root, in O(log n) memory.
class CompactRange {
 public:
  CompactRange() = default;
  // Rebuilds a range from its subtree roots; InvalidArgument unless there is exactly one per
  // set bit of `size`.
  static Result<CompactRange> FromHashes(uint64_t size, std::vector<Hash> hashes);

  uint64_t size() const { return size_; }
  std::span<const Hash> hashes() const { return hashes_; }

  // Appends one leaf hash. `on_node(NodeId, const Hash&)` is called for the leaf itself and
  // then for every node the leaf completes, bottom up.
  template <typename OnNode>
  void Append(const Hash& leaf_hash, OnNode&& on_node) {
    Hash h = leaf_hash;
    uint64_t index = size_;
    uint32_t level = 0;
    on_node(NodeId{level, index}, h);
    while ((index & 1) != 0) {
      h = HashChildren(hashes_.back(), h);
      hashes_.pop_back();
      index >>= 1;
      ++level;
      on_node(NodeId{level, index}, h);
    }
    hashes_.push_back(h);
    ++size_;
  }
  void Append(const Hash& leaf_hash) {
    Append(leaf_hash, [](NodeId, const Hash&) {});
  }

  // MTH of the leaves appended so far; the empty-tree hash when there are none.
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;
};

// An append-only Merkle log over a NodeStore. Not thread-safe: one writer (the sequencer)
// owns it; readers that only need proofs may use their own MerkleLog opened on the same store
// at a committed size.
class MerkleLog {
 public:
  // Opens a log whose first `size` leaves (and all nodes they complete) are in `store`, which
  // must outlive the log. Reads the O(log n) nodes of the compact range; NotFound when the
  // store lacks one of them.
  static Result<MerkleLog> Open(NodeStore* store, uint64_t size);

  uint64_t size() const { return range_.size(); }
  // Root of the whole log (the empty-tree hash when empty).
  Hash Root() const { return range_.Root(); }

  // Appends leaf hashes, writing them and every node they complete with one PutNodes call.
  // On error nothing is appended.
  Status Append(std::span<const Hash> leaf_hashes);

  // MTH of the first `tree_size` leaves; InvalidArgument when tree_size > size().
  Result<Hash> RootAt(uint64_t tree_size) const;
  // The hash of leaf `leaf_index`.
  Result<Hash> LeafHash(uint64_t leaf_index) const;
  // Audit path of RFC 9162 §2.1.3.1 for leaf `leaf_index` in the tree of `tree_size` leaves.
  Result<std::vector<Hash>> InclusionProof(uint64_t leaf_index, uint64_t tree_size) const;
  // Consistency proof of RFC 9162 §2.1.4.1 between tree sizes size1 <= size2 <= size().
  Result<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2) const;

 private:
  MerkleLog(NodeStore* store, CompactRange range) : store_(store), range_(std::move(range)) {}
  Result<Hash> SubtreeHash(uint64_t begin, uint64_t count) const;
  Status AppendPath(uint64_t leaf_index, uint64_t begin, uint64_t count,
                    std::vector<Hash>* out) const;
  Status AppendSubproof(uint64_t size1, uint64_t begin, uint64_t count, bool whole,
                        std::vector<Hash>* out) const;

  NodeStore* store_;
  CompactRange range_;
};

}  // namespace tinydata::ledger
