#include "tinydata/ledger/merkle.h"

#include <bit>
#include <string>

namespace tinydata::ledger {
namespace {

// The largest power of two strictly below n (n >= 2): the split point k of RFC 9162 §2.1.1.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

std::string Str(uint64_t v) { return std::to_string(v); }

}  // namespace

Hash MerkleTreeHash(std::span<const Hash> leaf_hashes) {
  const size_t n = leaf_hashes.size();
  if (n == 0) return EmptyRootHash();
  if (n == 1) return leaf_hashes[0];
  const size_t k = SplitPoint(n);
  return HashChildren(MerkleTreeHash(leaf_hashes.first(k)), MerkleTreeHash(leaf_hashes.subspan(k)));
}

Result<Hash> RootFromInclusionProof(uint64_t leaf_index, uint64_t tree_size, const Hash& leaf_hash,
                                    std::span<const Hash> proof) {
  if (leaf_index >= tree_size) {
    return Status::InvalidArgument(
        "leaf index " + Str(leaf_index) + " is not below tree size " + Str(tree_size),
        "leaf_index");
  }
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return Status::InvalidArgument("inclusion proof is longer than the path to the root",
                                     "inclusion_proof");
    }
    if ((fn & 1) != 0 || fn == sn) {
      r = HashChildren(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Status::InvalidArgument("inclusion proof is shorter than the path to the root",
                                   "inclusion_proof");
  }
  return r;
}

Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  TD_ASSIGN_OR_RETURN(Hash computed, RootFromInclusionProof(leaf_index, tree_size, leaf_hash, proof));
  if (computed != root) {
    return Status::DataLoss("inclusion proof of leaf " + Str(leaf_index) + " in tree size " +
                            Str(tree_size) + " leads to root " + HexEncode(computed) +
                            ", expected " + HexEncode(root));
  }
  return Status::Ok();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2) {
  if (size2 < size1) {
    return Status::InvalidArgument(
        "first tree size " + Str(size1) + " is larger than second tree size " + Str(size2),
        "first");
  }
  if (size1 == size2) {
    if (!proof.empty()) {
      return Status::InvalidArgument("consistency proof between equal sizes must be empty",
                                     "proof");
    }
    if (root1 != root2) {
      return Status::DataLoss("trees of equal size " + Str(size1) + " have different roots");
    }
    return Status::Ok();
  }
  if (size1 == 0) {
    if (!proof.empty()) {
      return Status::InvalidArgument("consistency proof from the empty tree must be empty",
                                     "proof");
    }
    return Status::Ok();
  }
  if (proof.empty()) {
    return Status::InvalidArgument("consistency proof is empty", "proof");
  }
  // Step 2 of §2.1.4.2: when size1 is a power of two the old root is itself a node of the new
  // tree and the proof omits it, so it becomes the starting value.
  std::span<const Hash> rest = proof;
  Hash start;
  if (std::has_single_bit(size1)) {
    start = root1;
  } else {
    start = proof[0];
    rest = proof.subspan(1);
  }
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = start;
  Hash sr = start;
  for (const Hash& c : rest) {
    if (sn == 0) {
      return Status::InvalidArgument("consistency proof is longer than expected", "proof");
    }
    if ((fn & 1) != 0 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Status::InvalidArgument("consistency proof is shorter than expected", "proof");
  }
  if (fr != root1) {
    return Status::DataLoss("consistency proof does not lead to the root of tree size " +
                            Str(size1));
  }
  if (sr != root2) {
    return Status::DataLoss("consistency proof does not lead to the root of tree size " +
                            Str(size2));
  }
  return Status::Ok();
}

}  // namespace tinydata::ledger
