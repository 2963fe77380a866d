#include "tinydata/ledger/merkle_log.h"

#include <bit>
#include <string>

namespace tinydata::ledger {
namespace {

std::string Str(uint64_t v) { return std::to_string(v); }

std::string NodeName(NodeId id) {
  return "node (level " + Str(id.level) + ", index " + Str(id.index) + ")";
}

}  // namespace

Result<Hash> MemoryNodeStore::GetNode(NodeId id) const {
  if (id.level >= levels_.size() || id.index >= levels_[id.level].size()) {
    return Status::NotFound(NodeName(id) + " is not stored");
  }
  return levels_[id.level][id.index];
}

Status MemoryNodeStore::PutNodes(std::span<const NodeWrite> nodes) {
  // Validate the whole batch before applying any of it, so a bad batch leaves no trace.
  std::vector<uint64_t> sizes;
  for (const auto& level : levels_) sizes.push_back(level.size());
  for (const NodeWrite& w : nodes) {
    if (w.id.level >= 64) return Status::InvalidArgument(NodeName(w.id) + ": level too high");
    if (w.id.level >= sizes.size()) sizes.resize(w.id.level + 1, 0);
    uint64_t& size = sizes[w.id.level];
    if (w.id.index < size) {
      if (w.id.level < levels_.size() && w.id.index < levels_[w.id.level].size() &&
          levels_[w.id.level][w.id.index] != w.hash) {
        return Status::AlreadyExists(NodeName(w.id) + " is already stored with another hash");
      }
    } else if (w.id.index == size) {
      ++size;
    } else {
      return Status::InvalidArgument(NodeName(w.id) + " leaves a gap after index " +
                                     Str(size));
    }
  }
  for (const NodeWrite& w : nodes) {
    if (w.id.level >= levels_.size()) levels_.resize(w.id.level + 1);
    auto& level = levels_[w.id.level];
    if (w.id.index == level.size()) level.push_back(w.hash);
  }
  return Status::Ok();
}

uint64_t MemoryNodeStore::LevelSize(uint32_t level) const {
  return level < levels_.size() ? levels_[level].size() : 0;
}

void MemoryNodeStore::OverwriteForTesting(NodeId id, const Hash& hash) {
  levels_.at(id.level).at(id.index) = hash;
}

Result<CompactRange> CompactRange::FromHashes(uint64_t size, std::vector<Hash> hashes) {
  if (static_cast<size_t>(std::popcount(size)) != hashes.size()) {
    return Status::InvalidArgument("a compact range of size " + Str(size) + " has " +
                                       Str(std::popcount(size)) + " hashes, got " +
                                       Str(hashes.size()),
                                   "hashes");
  }
  CompactRange range;
  range.size_ = size;
  range.hashes_ = std::move(hashes);
  return range;
}

Hash CompactRange::Root() const {
  if (hashes_.empty()) return EmptyRootHash();
  Hash root = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) root = HashChildren(hashes_[i], root);
  return root;
}

Result<MerkleLog> MerkleLog::Open(NodeStore* store, uint64_t size) {
  std::vector<Hash> hashes;
  uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    TD_ASSIGN_OR_RETURN(Hash h, store->GetNode(NodeId{static_cast<uint32_t>(level), begin >> level}));
    hashes.push_back(h);
    begin += width;
  }
  TD_ASSIGN_OR_RETURN(CompactRange range, CompactRange::FromHashes(size, std::move(hashes)));
  return MerkleLog(store, std::move(range));
}

Status MerkleLog::Append(std::span<const Hash> leaf_hashes) {
  CompactRange next = range_;
  std::vector<NodeWrite> writes;
  writes.reserve(leaf_hashes.size() * 2 + 64);
  for (const Hash& leaf : leaf_hashes) {
    next.Append(leaf, [&](NodeId id, const Hash& h) { writes.push_back({id, h}); });
  }
  TD_RETURN_IF_ERROR(store_->PutNodes(writes));
  range_ = std::move(next);
  return Status::Ok();
}

Result<Hash> MerkleLog::SubtreeHash(uint64_t begin, uint64_t count) const {
  if (std::has_single_bit(count)) {
    const auto level = static_cast<uint32_t>(std::countr_zero(count));
    auto node = store_->GetNode(NodeId{level, begin >> level});
    if (!node.ok()) {
      return Status::DataLoss("Merkle log: " + node.status().message());
    }
    return *node;
  }
  const uint64_t k = std::bit_floor(count - 1);
  TD_ASSIGN_OR_RETURN(Hash left, SubtreeHash(begin, k));
  TD_ASSIGN_OR_RETURN(Hash right, SubtreeHash(begin + k, count - k));
  return HashChildren(left, right);
}

Result<Hash> MerkleLog::RootAt(uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::InvalidArgument(
        "tree size " + Str(tree_size) + " is larger than the log (" + Str(size()) + ")",
        "tree_size");
  }
  if (tree_size == 0) return EmptyRootHash();
  if (tree_size == size()) return Root();
  return SubtreeHash(0, tree_size);
}

Result<Hash> MerkleLog::LeafHash(uint64_t leaf_index) const {
  if (leaf_index >= size()) {
    return Status::NotFound("leaf index " + Str(leaf_index) + " is not in the log (size " +
                                Str(size()) + ")",
                            "leaf_index");
  }
  return SubtreeHash(leaf_index, 1);
}

Status MerkleLog::AppendPath(uint64_t leaf_index, uint64_t begin, uint64_t count,
                             std::vector<Hash>* out) const {
  if (count == 1) return Status::Ok();
  const uint64_t k = std::bit_floor(count - 1);
  if (leaf_index < k) {
    TD_RETURN_IF_ERROR(AppendPath(leaf_index, begin, k, out));
    TD_ASSIGN_OR_RETURN(Hash right, SubtreeHash(begin + k, count - k));
    out->push_back(right);
  } else {
    TD_RETURN_IF_ERROR(AppendPath(leaf_index - k, begin + k, count - k, out));
    TD_ASSIGN_OR_RETURN(Hash left, SubtreeHash(begin, k));
    out->push_back(left);
  }
  return Status::Ok();
}

Result<std::vector<Hash>> MerkleLog::InclusionProof(uint64_t leaf_index,
                                                    uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::InvalidArgument(
        "tree size " + Str(tree_size) + " is larger than the log (" + Str(size()) + ")",
        "tree_size");
  }
  if (leaf_index >= tree_size) {
    return Status::InvalidArgument(
        "leaf index " + Str(leaf_index) + " is not below tree size " + Str(tree_size),
        "leaf_index");
  }
  std::vector<Hash> proof;
  proof.reserve(64);
  TD_RETURN_IF_ERROR(AppendPath(leaf_index, 0, tree_size, &proof));
  return proof;
}

Status MerkleLog::AppendSubproof(uint64_t size1, uint64_t begin, uint64_t count, bool whole,
                                 std::vector<Hash>* out) const {
  if (size1 == count) {
    if (!whole) {
      TD_ASSIGN_OR_RETURN(Hash h, SubtreeHash(begin, count));
      out->push_back(h);
    }
    return Status::Ok();
  }
  const uint64_t k = std::bit_floor(count - 1);
  if (size1 <= k) {
    TD_RETURN_IF_ERROR(AppendSubproof(size1, begin, k, whole, out));
    TD_ASSIGN_OR_RETURN(Hash right, SubtreeHash(begin + k, count - k));
    out->push_back(right);
  } else {
    TD_RETURN_IF_ERROR(AppendSubproof(size1 - k, begin + k, count - k, false, out));
    TD_ASSIGN_OR_RETURN(Hash left, SubtreeHash(begin, k));
    out->push_back(left);
  }
  return Status::Ok();
}

Result<std::vector<Hash>> MerkleLog::ConsistencyProof(uint64_t size1, uint64_t size2) const {
  if (size2 > size()) {
    return Status::InvalidArgument(
        "tree size " + Str(size2) + " is larger than the log (" + Str(size()) + ")", "second");
  }
  if (size1 > size2) {
    return Status::InvalidArgument(
        "first tree size " + Str(size1) + " is larger than second " + Str(size2), "first");
  }
  std::vector<Hash> proof;
  if (size1 == 0 || size1 == size2) return proof;
  proof.reserve(64);
  TD_RETURN_IF_ERROR(AppendSubproof(size1, 0, size2, true, &proof));
  return proof;
}

}  // namespace tinydata::ledger
