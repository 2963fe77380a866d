// Benchmarks of the ledger (src/tinydata/ledger): the sequencer's write path and the proof
// reads the API serves, at 10 million journal entries.
//
//   ledger/entry_leaf_hash            canonical serialization + RFC 9162 leaf hash of one entry
//   ledger/append_checkpoint/B        per iteration: B synthetic entries -> leaf hashes ->
//                                     MerkleLog::Append (one node batch) -> a signed checkpoint;
//                                     `items_per_second` is entries/s including the signature
//   ledger/post_append_checkpoint/B   the same preceded by Journal::Post (posting rules over
//                                     in-memory balances), B postings per batch
//   ledger/build_10M                  one run: 10,000,000 entries in batches of 10,000 with a
//                                     checkpoint per batch (1,000 checkpoints) into a
//                                     MemoryNodeStore (~20M nodes, ~0.7 GB); entries/s
//   ledger/inclusion_proof_10M        proof for a random leaf at tree size 10,000,000
//   ledger/inclusion_proof_past_size  proof for a random leaf in a random past tree size
//   ledger/consistency_proof_10M      proof from a random size to 10,000,000
//   ledger/verify_inclusion_10M       RFC 9162 §2.1.3.2 verification of such a proof
//   ledger/checkpoint_sign, _open     Ed25519 sign / parse + verify of one checkpoint note
//   ledger/sqlite_post_sequence/B     the server's real path on a SQLite file (synchronous=normal):
//                                     B postings in one WriteBatch (posting rules checked in the
//                                     transaction), then LedgerService::Sequence (leaf indexes,
//                                     Merkle nodes and a signed checkpoint in one more commit)
//   ledger/sqlite_inclusion_proof_10M the server's proof path at 10M: the 10M log's ~20M nodes
//   ledger/sqlite_consistency_proof_10M  in a SQLite file's ledger_nodes table (bulk-loaded once,
//                                     untimed), read through Store::ledger().MerkleNode as
//                                     GET /api/v1/ledger/entries/{i} and /consistency do
//
// The 10M log is built once (by build_10M, or lazily by the first proof benchmark, untimed).
// Whole binary: about 30 s and 1 GB of memory on one core. Run:
//   build/bench/ledger_bench --benchmark_filter=ledger/
#include <benchmark/benchmark.h>

#include <array>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tinydata/ledger/checkpoint.h"
#include "tinydata/ledger/entry.h"
#include "tinydata/ledger/merkle.h"
#include "tinydata/ledger/merkle_log.h"
#include "tinydata/ledger/posting.h"
#include "tinydata/service/clock.h"
#include "tinydata/service/ledger_service.h"
#include "tinydata/store/store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace tinydata::ledger {
namespace {

constexpr uint64_t kTenMillion = 10'000'000;
constexpr int64_t kNow = 1'764'000'000;

const SigningKey& Key() {
  static const SigningKey key = [] {
    std::array<uint8_t, 32> seed;
    seed.fill(42);
    return SigningKeyFromSeed("bench.tinydata/ledger", seed).value();
  }();
  return key;
}

// A plausible answer reward: project budget -> user, referenced by answer id.
JournalEntry SyntheticEntry(int64_t id) {
  JournalEntry e;
  e.id = id;
  e.created_at_unix_seconds = kNow + id / 100;
  e.debit_account = ProjectAccount(1 + id % 50);
  e.credit_account = UserAccount(1 + (id * 7919) % 100'000);
  e.asset = Asset::kAia;
  e.amount = 1 + id % 20;
  e.reason = "answer_reward";
  e.reference = "answer:" + std::to_string(id);
  e.idempotency_key = "answer_reward/" + e.reference;
  return e;
}

// Appends `count` synthetic entries after `first_id` and signs a checkpoint of the new root.
std::string AppendBatch(MerkleLog* log, int64_t first_id, int64_t count,
                        std::vector<Hash>* leaves) {
  leaves->clear();
  for (int64_t i = 0; i < count; ++i) leaves->push_back(EntryLeafHash(SyntheticEntry(first_id + i)));
  if (!log->Append(*leaves).ok()) std::abort();
  Checkpoint c{"bench.tinydata/ledger", log->size(), log->Root(), kNow};
  return SignCheckpoint(c, Key()).value();
}

struct BigLog {
  MemoryNodeStore store;
  std::unique_ptr<MerkleLog> log;
};

BigLog* Build10M() {
  auto big = new BigLog;
  big->log = std::make_unique<MerkleLog>(MerkleLog::Open(&big->store, 0).value());
  std::vector<Hash> leaves;
  leaves.reserve(10'000);
  for (uint64_t done = 0; done < kTenMillion; done += 10'000) {
    benchmark::DoNotOptimize(AppendBatch(big->log.get(), int64_t(done) + 1, 10'000, &leaves));
  }
  return big;
}

BigLog*& Shared10M() {
  static BigLog* big = nullptr;
  return big;
}

const MerkleLog& Log10M() {
  if (Shared10M() == nullptr) Shared10M() = Build10M();
  return *Shared10M()->log;
}

void BM_EntryLeafHash(benchmark::State& state) {
  int64_t id = 1;
  for (auto _ : state) benchmark::DoNotOptimize(EntryLeafHash(SyntheticEntry(id++)));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EntryLeafHash)->Name("ledger/entry_leaf_hash");

void BM_AppendCheckpoint(benchmark::State& state) {
  const int64_t batch = state.range(0);
  MemoryNodeStore store;
  MerkleLog log = MerkleLog::Open(&store, 0).value();
  std::vector<Hash> leaves;
  leaves.reserve(batch);
  int64_t next_id = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(AppendBatch(&log, next_id, batch, &leaves));
    next_id += batch;
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["log_size"] = double(log.size());
}
BENCHMARK(BM_AppendCheckpoint)->Name("ledger/append_checkpoint")->Arg(100)->Arg(1000)->Arg(10000);

void BM_PostAppendCheckpoint(benchmark::State& state) {
  const int64_t batch = state.range(0);
  Journal journal;
  MemoryNodeStore store;
  MerkleLog log = MerkleLog::Open(&store, 0).value();
  // Budgets large enough for any run length.
  for (int p = 1; p <= 50; ++p) {
    Posting fund{"treasury", ProjectAccount(p), Asset::kAia, int64_t{1} << 40, "project_funding",
                 ProjectAccount(p), ""};
    if (!journal.Post(fund, kNow).ok()) std::abort();
  }
  std::vector<Posting> postings(batch);
  std::vector<Hash> leaves;
  leaves.reserve(batch);
  int64_t next = 1;
  for (auto _ : state) {
    for (Posting& p : postings) {
      const JournalEntry e = SyntheticEntry(next++);
      p = Posting{e.debit_account, e.credit_account, e.asset, e.amount, e.reason, e.reference, ""};
    }
    auto posted = journal.Post(postings, kNow);
    if (!posted.ok()) std::abort();
    leaves.clear();
    for (const JournalEntry& e : *posted) leaves.push_back(EntryLeafHash(e));
    if (!log.Append(leaves).ok()) std::abort();
    Checkpoint c{"bench.tinydata/ledger", log.size(), log.Root(), kNow};
    benchmark::DoNotOptimize(SignCheckpoint(c, Key()).value());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_PostAppendCheckpoint)->Name("ledger/post_append_checkpoint")->Arg(1000);

void BM_SqlitePostSequence(benchmark::State& state) {
  const int64_t batch = state.range(0);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("td_ledger_bench_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    store::StoreOptions options;
    options.synchronous = "normal";
    auto db = store::OpenStore((dir / "bench.db").string(), options).value();
    service::ManualClock clock(kNow * 1000);
    auto ledger = service::LedgerService::Open(db.get(), &clock).value();
    store::WriteBatch fund;
    fund.ledger.posted_at_unix_seconds = kNow;
    for (int p = 1; p <= 50; ++p) {
      fund.ledger.postings.push_back({"treasury", ProjectAccount(p), Asset::kAia,
                                      int64_t{1} << 40, "project_funding", ProjectAccount(p), ""});
    }
    if (!db->WriteSync(std::move(fund)).ok()) std::abort();
    int64_t next = 1;
    for (auto _ : state) {
      store::WriteBatch b;
      b.ledger.posted_at_unix_seconds = kNow;
      for (int64_t i = 0; i < batch; ++i) {
        const JournalEntry e = SyntheticEntry(next++);
        b.ledger.postings.push_back(
            {e.debit_account, e.credit_account, e.asset, e.amount, e.reason, e.reference, ""});
      }
      if (!db->WriteSync(std::move(b)).ok()) std::abort();
      if (!ledger->Sequence().ok()) std::abort();
    }
    state.SetItemsProcessed(state.iterations() * batch);
    db->Close();
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SqlitePostSequence)
    ->Name("ledger/sqlite_post_sequence")
    ->Arg(100)
    ->Arg(1000)
    ->UseRealTime()  // the work runs on the store's writer thread
    ->Unit(benchmark::kMillisecond);

void BM_Build10M(benchmark::State& state) {
  for (auto _ : state) {
    delete Shared10M();
    Shared10M() = Build10M();
  }
  state.SetItemsProcessed(state.iterations() * int64_t(kTenMillion));
  state.counters["stored_nodes"] = double(2 * kTenMillion - 1);
}
BENCHMARK(BM_Build10M)->Name("ledger/build_10M")->Iterations(1)->Unit(benchmark::kSecond);

void BM_InclusionProof10M(benchmark::State& state) {
  const MerkleLog& log = Log10M();
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(log.InclusionProof(rng() % kTenMillion, kTenMillion).value());
  }
}
BENCHMARK(BM_InclusionProof10M)->Name("ledger/inclusion_proof_10M")->Unit(benchmark::kMicrosecond);

void BM_InclusionProofPastSize(benchmark::State& state) {
  const MerkleLog& log = Log10M();
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    const uint64_t size = 1 + rng() % kTenMillion;
    benchmark::DoNotOptimize(log.InclusionProof(rng() % size, size).value());
  }
}
BENCHMARK(BM_InclusionProofPastSize)
    ->Name("ledger/inclusion_proof_past_size")
    ->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProof10M(benchmark::State& state) {
  const MerkleLog& log = Log10M();
  std::mt19937_64 rng(3);
  for (auto _ : state) {
    benchmark::DoNotOptimize(log.ConsistencyProof(1 + rng() % kTenMillion, kTenMillion).value());
  }
}
BENCHMARK(BM_ConsistencyProof10M)
    ->Name("ledger/consistency_proof_10M")
    ->Unit(benchmark::kMicrosecond);

void BM_VerifyInclusion10M(benchmark::State& state) {
  const MerkleLog& log = Log10M();
  const uint64_t index = 6'543'210;
  const auto proof = log.InclusionProof(index, kTenMillion).value();
  const Hash leaf = log.LeafHash(index).value();
  const Hash root = log.Root();
  for (auto _ : state) {
    if (!VerifyInclusion(index, kTenMillion, leaf, proof, root).ok()) std::abort();
  }
}
BENCHMARK(BM_VerifyInclusion10M)->Name("ledger/verify_inclusion_10M")->Unit(benchmark::kMicrosecond);

// The 10M log's nodes in a SQLite database (the schema of store::OpenStore), loaded once.
struct SqliteLog {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> db;
  // Reads nodes the way LedgerService does: one indexed point read of ledger_nodes each.
  class Nodes final : public NodeStore {
   public:
    explicit Nodes(store::Store* db) : db_(db) {}
    Result<Hash> GetNode(NodeId id) const override { return db_->ledger().MerkleNode(id); }
    Status PutNodes(std::span<const NodeWrite>) override {
      return Status::FailedPrecondition("read-only");
    }

   private:
    store::Store* db_;
  };
  std::unique_ptr<Nodes> nodes;
  std::unique_ptr<MerkleLog> log;
};

SqliteLog* BuildSqlite10M() {
  Log10M();  // builds the in-memory log if no benchmark did yet
  const MemoryNodeStore& memory = Shared10M()->store;
  auto out = new SqliteLog;
  out->dir = std::filesystem::temp_directory_path() /
             ("td_ledger_bench_10m_" + std::to_string(::getpid()));
  std::filesystem::remove_all(out->dir);
  std::filesystem::create_directories(out->dir);
  const std::string path = (out->dir / "bench.db").string();
  store::OpenStore(path).value()->Close();  // creates the schema
  sqlite3* raw = nullptr;
  if (sqlite3_open(path.c_str(), &raw) != SQLITE_OK) std::abort();
  sqlite3_exec(raw, "PRAGMA synchronous = OFF; BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(raw, "INSERT INTO ledger_nodes (level, idx, hash) VALUES (?1, ?2, ?3)", -1,
                     &insert, nullptr);
  uint64_t rows = 0;
  for (uint32_t level = 0; memory.LevelSize(level) > 0; ++level) {
    for (uint64_t i = 0; i < memory.LevelSize(level); ++i) {
      const Hash h = memory.GetNode(NodeId{level, i}).value();
      sqlite3_bind_int64(insert, 1, level);
      sqlite3_bind_int64(insert, 2, static_cast<int64_t>(i));
      sqlite3_bind_blob(insert, 3, h.data(), static_cast<int>(h.size()), SQLITE_STATIC);
      if (sqlite3_step(insert) != SQLITE_DONE) std::abort();
      sqlite3_reset(insert);
      ++rows;
    }
  }
  sqlite3_finalize(insert);
  if (sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) std::abort();
  sqlite3_close(raw);
  std::fprintf(stderr, "sqlite 10M log: %llu nodes in %s (%.0f MB)\n",
               static_cast<unsigned long long>(rows), path.c_str(),
               static_cast<double>(std::filesystem::file_size(path)) / 1e6);
  out->db = store::OpenStore(path).value();
  out->nodes = std::make_unique<SqliteLog::Nodes>(out->db.get());
  out->log = std::make_unique<MerkleLog>(MerkleLog::Open(out->nodes.get(), kTenMillion).value());
  return out;
}

SqliteLog*& SharedSqlite10M() {
  static SqliteLog* log = nullptr;
  return log;
}

SqliteLog& Sqlite10M() {
  if (SharedSqlite10M() == nullptr) SharedSqlite10M() = BuildSqlite10M();
  return *SharedSqlite10M();
}

// Deletes the SQLite copy of the 10M log (about 1.5 GB) at exit.
void RemoveSqlite10M() {
  SqliteLog* log = SharedSqlite10M();
  if (log == nullptr) return;
  log->log.reset();
  log->db->Close();
  std::filesystem::remove_all(log->dir);
  delete log;
  SharedSqlite10M() = nullptr;
}

void BM_SqliteInclusionProof10M(benchmark::State& state) {
  const MerkleLog& log = *Sqlite10M().log;
  std::mt19937_64 rng(4);
  for (auto _ : state) {
    benchmark::DoNotOptimize(log.InclusionProof(rng() % kTenMillion, kTenMillion).value());
  }
}
BENCHMARK(BM_SqliteInclusionProof10M)
    ->Name("ledger/sqlite_inclusion_proof_10M")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void BM_SqliteConsistencyProof10M(benchmark::State& state) {
  const MerkleLog& log = *Sqlite10M().log;
  std::mt19937_64 rng(5);
  for (auto _ : state) {
    benchmark::DoNotOptimize(log.ConsistencyProof(1 + rng() % kTenMillion, kTenMillion).value());
  }
}
BENCHMARK(BM_SqliteConsistencyProof10M)
    ->Name("ledger/sqlite_consistency_proof_10M")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void BM_CheckpointSign(benchmark::State& state) {
  Checkpoint c{"bench.tinydata/ledger", kTenMillion, Sha256(std::string_view("root")), kNow};
  for (auto _ : state) benchmark::DoNotOptimize(SignCheckpoint(c, Key()).value());
}
BENCHMARK(BM_CheckpointSign)->Name("ledger/checkpoint_sign")->Unit(benchmark::kMicrosecond);

void BM_CheckpointOpen(benchmark::State& state) {
  Checkpoint c{"bench.tinydata/ledger", kTenMillion, Sha256(std::string_view("root")), kNow};
  const std::string note = SignCheckpoint(c, Key()).value();
  const VerifierKey key = VerifierKeyOf(Key());
  for (auto _ : state) benchmark::DoNotOptimize(OpenCheckpoint(note, key).value());
}
BENCHMARK(BM_CheckpointOpen)->Name("ledger/checkpoint_open")->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tinydata::ledger

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  tinydata::ledger::RemoveSqlite10M();
  return 0;
}
