// Merkle tree hashes and proof verification of RFC 9162 §2.1 (Certificate Transparency v2),
// over leaf hashes computed with HashLeaf(). Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/ledger/hash.h"

namespace tinydata::ledger {

// MTH(D[n]) of RFC 9162 §2.1.1 over the given leaf hashes, computed directly (O(n) hashes,
// O(n) memory). The reference that the incremental MerkleLog is tested against; the verifier
// uses CompactRange instead.
Hash MerkleTreeHash(std::span<const Hash> leaf_hashes);

// Recomputes the root of a tree of `tree_size` leaves from the inclusion proof of leaf
// `leaf_index` (RFC 9162 §2.1.3.2). InvalidArgument when the index is out of range or the proof
// has the wrong length for that position.
Result<Hash> RootFromInclusionProof(uint64_t leaf_index, uint64_t tree_size, const Hash& leaf_hash,
                                    std::span<const Hash> proof);

// Ok when `proof` shows that `leaf_hash` is leaf `leaf_index` of the tree of `tree_size` leaves
// with root `root`; otherwise InvalidArgument (malformed proof) or DataLoss (root mismatch).
Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);

// Ok when `proof` shows that the tree of `size1` leaves with root `root1` is a prefix of the
// tree of `size2` leaves with root `root2` (RFC 9162 §2.1.4.2). Sizes 0 and size1 == size2
// need an empty proof (and, for equal sizes, equal roots). Errors as for VerifyInclusion.
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2);

}  // namespace tinydata::ledger
