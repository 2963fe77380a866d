// Merkle tree hashes and proofs against published test vectors.
//
// Vectors are taken from github.com/transparency-dev/merkle (Apache 2.0):
//   testonly/constants.go   LeafInputs, NodeHashes, RootHashes (RFC 6962/9162 hashing)
//   proof/verify_test.go    inclusionProofs, consistencyProofs (and the corruption probes)
//   proof/proof_test.go     which nodes make up proofs in trees of size 5, 6 and 7
// The same vectors appear in google/trillian merkle/log_verifier_test.go.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tinydata/ledger/hash.h"
#include "tinydata/ledger/merkle.h"
#include "tinydata/ledger/merkle_log.h"

namespace tinydata::ledger {
namespace {

Hash H(std::string_view hex) { return HexDecodeHash(hex).value(); }

std::string Bytes(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// testonly.LeafInputs()
std::vector<std::string> LeafInputs() {
  return {Bytes(""),         Bytes("00"),       Bytes("10"),
          Bytes("2021"),     Bytes("3031"),     Bytes("40414243"),
          Bytes("5051525354555657"), Bytes("606162636465666768696a6b6c6d6e6f")};
}

// testonly.NodeHashes(): [level][index].
const std::vector<std::vector<Hash>>& NodeHashes() {
  static const auto* nodes = new std::vector<std::vector<Hash>>{
      {H("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
       H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
       H("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
       H("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
       H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
       H("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
       H("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
       H("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1")},
      {H("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
       H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
       H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
       H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0")},
      {H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
       H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")},
      {H("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")}};
  return *nodes;
}

// testonly.RootHashes(), indexed by tree size.
const std::vector<Hash>& RootHashes() {
  static const auto* roots = new std::vector<Hash>{
      H("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      H("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
      H("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
      H("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
      H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
      H("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
      H("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
      H("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
      H("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")};
  return *roots;
}

std::vector<Hash> LeafHashes() {
  std::vector<Hash> out;
  for (const std::string& leaf : LeafInputs()) out.push_back(HashLeaf(leaf));
  return out;
}

// A log over the eight vector leaves.
struct VectorLog {
  VectorLog() : log(MerkleLog::Open(&store, 0).value()) {
    EXPECT_TRUE(log.Append(LeafHashes()).ok());
  }
  MemoryNodeStore store;
  MerkleLog log;
};

struct InclusionVector {
  uint64_t index;
  uint64_t size;
  std::vector<Hash> proof;
};

// proof/verify_test.go inclusionProofs (leaf numbers there are 1-based; converted here).
std::vector<InclusionVector> InclusionVectors() {
  return {
      {0, 8,
       {H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")}},
      {5, 8,
       {H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
        H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")}},
      {2, 3, {H("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")}},
      {1, 5,
       {H("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")}},
  };
}

struct ConsistencyVector {
  uint64_t size1;
  uint64_t size2;
  std::vector<Hash> proof;
};

// proof/verify_test.go consistencyProofs.
std::vector<ConsistencyVector> ConsistencyVectors() {
  return {
      {1, 1, {}},
      {1, 8,
       {H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")}},
      {6, 8,
       {H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
        H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")}},
      {2, 5,
       {H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")}},
      {6, 7,
       {H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        H("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")}},
  };
}

Hash FlipBit(Hash h, int byte, uint8_t mask) {
  h[byte] ^= mask;
  return h;
}

TEST(HashTest, LeafHashesMatchVectorNodeHashes) {
  EXPECT_EQ(LeafHashes(), NodeHashes()[0]);
}

TEST(HashTest, EmptyRootIsSha256OfEmptyString) {
  EXPECT_EQ(EmptyRootHash(), RootHashes()[0]);
}

TEST(HashTest, HexRoundTripsAndRejectsBadInput) {
  const Hash h = NodeHashes()[1][2];
  EXPECT_EQ(HexDecodeHash(HexEncode(h)).value(), h);
  EXPECT_EQ(HexDecodeHash("abc", "root_hash").status().field(), "root_hash");
  EXPECT_FALSE(HexDecodeHash(std::string(64, 'g')).ok());
}

TEST(MerkleTreeHashTest, MatchesVectorRootsForEverySize) {
  const std::vector<Hash> leaves = LeafHashes();
  for (size_t n = 0; n <= leaves.size(); ++n) {
    EXPECT_EQ(MerkleTreeHash(std::span(leaves).first(n)), RootHashes()[n]) << "size " << n;
  }
}

TEST(MerkleLogTest, RootAtEverySizeMatchesVectors) {
  VectorLog v;
  for (uint64_t n = 0; n <= 8; ++n) EXPECT_EQ(v.log.RootAt(n).value(), RootHashes()[n]) << n;
  EXPECT_EQ(v.log.Root(), RootHashes()[8]);
}

TEST(MerkleLogTest, StoresEveryCompleteNode) {
  VectorLog v;
  for (uint32_t level = 0; level < NodeHashes().size(); ++level) {
    ASSERT_EQ(v.store.LevelSize(level), NodeHashes()[level].size());
    for (uint64_t i = 0; i < NodeHashes()[level].size(); ++i) {
      EXPECT_EQ(v.store.GetNode({level, i}).value(), NodeHashes()[level][i]);
    }
  }
}

TEST(MerkleLogTest, AppendingOneByOneGivesVectorRoots) {
  MemoryNodeStore store;
  MerkleLog log = MerkleLog::Open(&store, 0).value();
  const std::vector<Hash> leaves = LeafHashes();
  for (size_t n = 0; n < leaves.size(); ++n) {
    ASSERT_TRUE(log.Append(std::span(leaves).subspan(n, 1)).ok());
    EXPECT_EQ(log.Root(), RootHashes()[n + 1]);
  }
}

TEST(MerkleLogTest, ReopenedLogContinuesWithSameRoots) {
  MemoryNodeStore store;
  const std::vector<Hash> leaves = LeafHashes();
  {
    MerkleLog log = MerkleLog::Open(&store, 0).value();
    ASSERT_TRUE(log.Append(std::span(leaves).first(5)).ok());
  }
  MerkleLog log = MerkleLog::Open(&store, 5).value();
  EXPECT_EQ(log.Root(), RootHashes()[5]);
  ASSERT_TRUE(log.Append(std::span(leaves).subspan(5)).ok());
  EXPECT_EQ(log.Root(), RootHashes()[8]);
}

TEST(MerkleLogTest, OpenFailsWhenStoreLacksNodes) {
  MemoryNodeStore store;
  EXPECT_EQ(MerkleLog::Open(&store, 3).status().code(), StatusCode::kNotFound);
}

TEST(MerkleLogTest, GeneratesVectorInclusionProofs) {
  VectorLog v;
  for (const InclusionVector& t : InclusionVectors()) {
    EXPECT_EQ(v.log.InclusionProof(t.index, t.size).value(), t.proof)
        << t.index << " in " << t.size;
  }
}

TEST(MerkleLogTest, InclusionProofsInSize7TreeUseRightmostNodes) {
  // proof/proof_test.go TestInclusion, tree of size 7: index 0 -> b h l (l = hash(i, j)),
  // index 4 -> f j k, index 6 -> i k.
  VectorLog v;
  const auto& nh = NodeHashes();
  const Hash l = HashChildren(nh[1][2], nh[0][6]);
  EXPECT_EQ(v.log.InclusionProof(0, 7).value(), (std::vector<Hash>{nh[0][1], nh[1][1], l}));
  EXPECT_EQ(v.log.InclusionProof(4, 7).value(),
            (std::vector<Hash>{nh[0][5], nh[0][6], nh[2][0]}));
  EXPECT_EQ(v.log.InclusionProof(6, 7).value(), (std::vector<Hash>{nh[1][2], nh[2][0]}));
}

TEST(MerkleLogTest, InclusionProofsInSmallerTreesOfBiggerLog) {
  // proof/proof_test.go: size 5 index 3 -> c g e; size 6 index 4 -> f k.
  VectorLog v;
  const auto& nh = NodeHashes();
  EXPECT_EQ(v.log.InclusionProof(3, 5).value(),
            (std::vector<Hash>{nh[0][2], nh[1][0], nh[0][4]}));
  EXPECT_EQ(v.log.InclusionProof(4, 6).value(), (std::vector<Hash>{nh[0][5], nh[2][0]}));
}

TEST(MerkleLogTest, InclusionProofRejectsIndexOutsideTree) {
  VectorLog v;
  EXPECT_EQ(v.log.InclusionProof(7, 7).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v.log.InclusionProof(0, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v.log.InclusionProof(0, 9).status().code(), StatusCode::kInvalidArgument);
}

TEST(MerkleLogTest, GeneratesVectorConsistencyProofs) {
  VectorLog v;
  for (const ConsistencyVector& t : ConsistencyVectors()) {
    EXPECT_EQ(v.log.ConsistencyProof(t.size1, t.size2).value(), t.proof)
        << t.size1 << " -> " << t.size2;
  }
}

TEST(MerkleLogTest, ConsistencyProofsBetweenNonPowerOfTwoSizes) {
  // proof/proof_test.go TestConsistency: 5 -> 7 is e f j k; 3 -> 7 is c d g l; 4 -> 7 is l.
  VectorLog v;
  const auto& nh = NodeHashes();
  const Hash l = HashChildren(nh[1][2], nh[0][6]);
  EXPECT_EQ(v.log.ConsistencyProof(5, 7).value(),
            (std::vector<Hash>{nh[0][4], nh[0][5], nh[0][6], nh[2][0]}));
  EXPECT_EQ(v.log.ConsistencyProof(3, 7).value(),
            (std::vector<Hash>{nh[0][2], nh[0][3], nh[1][0], l}));
  EXPECT_EQ(v.log.ConsistencyProof(4, 7).value(), (std::vector<Hash>{l}));
}

TEST(MerkleLogTest, ConsistencyProofForEqualOrEmptySizesIsEmpty) {
  VectorLog v;
  EXPECT_TRUE(v.log.ConsistencyProof(0, 5).value().empty());
  EXPECT_TRUE(v.log.ConsistencyProof(5, 5).value().empty());
  EXPECT_EQ(v.log.ConsistencyProof(6, 5).status().code(), StatusCode::kInvalidArgument);
}

TEST(VerifyInclusionTest, AcceptsVectorProofs) {
  const std::vector<Hash> leaves = LeafHashes();
  for (const InclusionVector& t : InclusionVectors()) {
    EXPECT_TRUE(VerifyInclusion(t.index, t.size, leaves[t.index], t.proof, RootHashes()[t.size])
                    .ok())
        << t.index << " in " << t.size;
  }
}

TEST(VerifyInclusionTest, SingleLeafTreeHasEmptyProof) {
  const Hash leaf = HashLeaf(std::string_view("data"));
  EXPECT_TRUE(VerifyInclusion(0, 1, leaf, {}, leaf).ok());
  EXPECT_FALSE(VerifyInclusion(0, 1, leaf, {}, EmptyRootHash()).ok());
}

TEST(VerifyInclusionTest, RejectsEveryCorruptionProbe) {
  // The probes of corruptInclusionProof in proof/verify_test.go.
  const std::vector<Hash> leaves = LeafHashes();
  const Hash some_hash = H("abacaba000000000000000000000000000000000000000000060061e00123456");
  for (const InclusionVector& t : InclusionVectors()) {
    const Hash root = RootHashes()[t.size];
    const Hash leaf = leaves[t.index];
    auto probe = [&](std::string name, uint64_t index, uint64_t size, const Hash& l,
                     const std::vector<Hash>& proof, const Hash& r) {
      EXPECT_FALSE(VerifyInclusion(index, size, l, proof, r).ok())
          << name << " for " << t.index << " in " << t.size;
    };
    probe("index - 1", t.index - 1, t.size, leaf, t.proof, root);
    probe("index + 1", t.index + 1, t.size, leaf, t.proof, root);
    probe("index ^ 2", t.index ^ 2, t.size, leaf, t.proof, root);
    probe("size * 2", t.index, t.size * 2, leaf, t.proof, root);
    probe("size / 2", t.index, t.size / 2, leaf, t.proof, root);
    probe("wrong leaf", t.index, t.size, HashLeaf(std::string_view("WrongLeaf")), t.proof, root);
    probe("empty root", t.index, t.size, leaf, t.proof, EmptyRootHash());
    probe("random root", t.index, t.size, leaf, t.proof, some_hash);
    std::vector<Hash> longer = t.proof;
    longer.push_back(root);
    probe("trailing root", t.index, t.size, leaf, longer, root);
    std::vector<Hash> preceded = t.proof;
    preceded.insert(preceded.begin(), root);
    probe("preceding root", t.index, t.size, leaf, preceded, root);
    for (size_t i = 0; i < t.proof.size(); ++i) {
      std::vector<Hash> flipped = t.proof;
      flipped[i] = FlipBit(flipped[i], 0, 8);
      probe("modified proof[" + std::to_string(i) + "]", t.index, t.size, leaf, flipped, root);
    }
    std::vector<Hash> shorter(t.proof.begin(), t.proof.end() - 1);
    probe("removed component", t.index, t.size, leaf, shorter, root);
    if (t.proof.size() > 1) {
      std::vector<Hash> inserted = t.proof;
      inserted.insert(inserted.begin() + 1, some_hash);
      probe("inserted component", t.index, t.size, leaf, inserted, root);
    }
  }
}

TEST(VerifyConsistencyTest, AcceptsVectorProofs) {
  for (const ConsistencyVector& t : ConsistencyVectors()) {
    EXPECT_TRUE(
        VerifyConsistency(t.size1, t.size2, t.proof, RootHashes()[t.size1], RootHashes()[t.size2])
            .ok())
        << t.size1 << " -> " << t.size2;
  }
}

TEST(VerifyConsistencyTest, HandlesTrivialSizesAsInReference) {
  // proof/verify_test.go TestVerifyConsistency's table.
  const Hash root1 = Sha256(std::string_view("don't care 1"));
  const Hash root2 = Sha256(std::string_view("don't care 2"));
  const Hash empty = EmptyRootHash();
  const std::vector<Hash> none;
  const std::vector<Hash> one = {empty};
  EXPECT_FALSE(VerifyConsistency(0, 0, none, root1, root2).ok());
  EXPECT_FALSE(VerifyConsistency(1, 1, none, root1, root2).ok());
  EXPECT_TRUE(VerifyConsistency(0, 0, none, root1, root1).ok());
  EXPECT_TRUE(VerifyConsistency(0, 1, none, root1, root2).ok());
  EXPECT_TRUE(VerifyConsistency(1, 1, none, root2, root2).ok());
  EXPECT_FALSE(VerifyConsistency(1, 0, none, root1, root2).ok());
  EXPECT_FALSE(VerifyConsistency(2, 1, none, root1, root2).ok());
  EXPECT_FALSE(VerifyConsistency(1, 2, none, root1, root2).ok());
  EXPECT_FALSE(VerifyConsistency(0, 0, one, empty, empty).ok());
  EXPECT_FALSE(VerifyConsistency(0, 1, one, empty, empty).ok());
  EXPECT_FALSE(VerifyConsistency(1, 1, one, empty, empty).ok());
}

TEST(VerifyConsistencyTest, RejectsEveryCorruptionProbe) {
  // The probes of corruptConsistencyProof in proof/verify_test.go, for non-trivial vectors.
  for (const ConsistencyVector& t : ConsistencyVectors()) {
    if (t.proof.empty()) continue;
    const Hash r1 = RootHashes()[t.size1];
    const Hash r2 = RootHashes()[t.size2];
    const Hash wrong = Sha256(std::string_view("WrongRoot"));
    auto probe = [&](std::string name, uint64_t s1, uint64_t s2, const std::vector<Hash>& proof,
                     const Hash& a, const Hash& b) {
      EXPECT_FALSE(VerifyConsistency(s1, s2, proof, a, b).ok())
          << name << " for " << t.size1 << " -> " << t.size2;
    };
    probe("size1 - 1", t.size1 - 1, t.size2, t.proof, r1, r2);
    probe("size1 + 1", t.size1 + 1, t.size2, t.proof, r1, r2);
    probe("size1 ^ 2", t.size1 ^ 2, t.size2, t.proof, r1, r2);
    probe("size2 * 2", t.size1, t.size2 * 2, t.proof, r1, r2);
    probe("size2 / 2", t.size1, t.size2 / 2, t.proof, r1, r2);
    probe("wrong root1", t.size1, t.size2, t.proof, wrong, r2);
    probe("wrong root2", t.size1, t.size2, t.proof, r1, wrong);
    probe("swapped roots", t.size1, t.size2, t.proof, r2, r1);
    probe("empty proof", t.size1, t.size2, {}, r1, r2);
    for (const Hash& extra : {r1, r2}) {
      std::vector<Hash> longer = t.proof;
      longer.push_back(extra);
      probe("trailing root", t.size1, t.size2, longer, r1, r2);
    }
    for (const Hash& extra : {r1, r2, t.proof[0]}) {
      std::vector<Hash> preceded = t.proof;
      preceded.insert(preceded.begin(), extra);
      probe("preceding hash", t.size1, t.size2, preceded, r1, r2);
    }
    std::vector<Hash> truncated(t.proof.begin(), t.proof.end() - 1);
    probe("truncated proof", t.size1, t.size2, truncated, r1, r2);
    for (size_t i = 0; i < t.proof.size(); ++i) {
      std::vector<Hash> flipped = t.proof;
      flipped[i] = FlipBit(flipped[i], 0, 16);
      probe("modified proof[" + std::to_string(i) + "]", t.size1, t.size2, flipped, r1, r2);
    }
  }
}

// Every proof the log generates for sizes up to 70 verifies against the reference root, which
// covers many non-power-of-two shapes beyond the vectors.
TEST(MerkleLogTest, AllGeneratedProofsVerifyUpToSize70) {
  MemoryNodeStore store;
  MerkleLog log = MerkleLog::Open(&store, 0).value();
  std::vector<Hash> leaves;
  for (int i = 0; i < 70; ++i) leaves.push_back(HashLeaf("leaf " + std::to_string(i)));
  ASSERT_TRUE(log.Append(leaves).ok());
  for (uint64_t size = 1; size <= 70; ++size) {
    const Hash root = MerkleTreeHash(std::span(leaves).first(size));
    ASSERT_EQ(log.RootAt(size).value(), root) << size;
    for (uint64_t i = 0; i < size; ++i) {
      auto proof = log.InclusionProof(i, size).value();
      ASSERT_TRUE(VerifyInclusion(i, size, leaves[i], proof, root).ok()) << i << " in " << size;
    }
    for (uint64_t first = 0; first <= size; ++first) {
      auto proof = log.ConsistencyProof(first, size).value();
      const Hash first_root = MerkleTreeHash(std::span(leaves).first(first));
      ASSERT_TRUE(VerifyConsistency(first, size, proof, first_root, root).ok())
          << first << " -> " << size;
    }
  }
}

TEST(MemoryNodeStoreTest, RejectsGapsAndConflictingRewrites) {
  MemoryNodeStore store;
  const Hash a = HashLeaf(std::string_view("a"));
  const Hash b = HashLeaf(std::string_view("b"));
  EXPECT_EQ(store.PutNodes(std::vector<NodeWrite>{{{0, 1}, a}}).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(store.PutNodes(std::vector<NodeWrite>{{{0, 0}, a}}).ok());
  EXPECT_TRUE(store.PutNodes(std::vector<NodeWrite>{{{0, 0}, a}}).ok());
  EXPECT_EQ(store.PutNodes(std::vector<NodeWrite>{{{0, 0}, b}}).code(),
            StatusCode::kAlreadyExists);
}

TEST(MemoryNodeStoreTest, FailedBatchStoresNothing) {
  MemoryNodeStore store;
  const Hash a = HashLeaf(std::string_view("a"));
  EXPECT_FALSE(store.PutNodes(std::vector<NodeWrite>{{{0, 0}, a}, {{0, 5}, a}}).ok());
  EXPECT_EQ(store.LevelSize(0), 0u);
}

TEST(CompactRangeTest, FromHashesChecksCountAgainstSize) {
  const Hash a = HashLeaf(std::string_view("a"));
  EXPECT_FALSE(CompactRange::FromHashes(3, {a}).ok());
  EXPECT_TRUE(CompactRange::FromHashes(4, {a}).ok());
}

}  // namespace
}  // namespace tinydata::ledger
