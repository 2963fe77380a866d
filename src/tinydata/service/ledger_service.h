// LedgerService: the ledger's transparency log over the store - the sequencer that gives
// committed journal entries contiguous leaf indexes, extends the RFC 9162 Merkle tree and signs
// a checkpoint, and the reads the API serves (checkpoint, entry with inclusion proof,
// consistency proof).
//
// The server's Ed25519 signing key is kept in the store's settings ("ledger_signing_key", in the
// note format of ledger/checkpoint.h), created at the first Open unless a key is given in
// LedgerOptions (e.g. read from a key file by the CLI, which keeps the secret out of the
// database); the public key is stored next to it ("ledger_verifier_key") for `tinydata ledger
// verify`. Once stored, the verifier key pins the signing key: opening with another key fails,
// since checkpoints signed before could no longer be verified.
//
// Thread-safety: all methods may be called concurrently; Sequence() runs one at a time (it is a
// periodic background job; run it from one place per database).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/ledger/checkpoint.h"
#include "tinydata/ledger/merkle_log.h"
#include "tinydata/service/clock.h"
#include "tinydata/store/store.h"

namespace tinydata::service {

inline constexpr char kLedgerSigningKeySetting[] = "ledger_signing_key";
// The job lease (store::Store::HoldJobLease) of the sequencer.
inline constexpr char kSequencerJob[] = "ledger-sequencer";
inline constexpr char kLedgerVerifierKeySetting[] = "ledger_verifier_key";
// The first journal entry id that had to follow the ledger's flows (ledger/flows.h): a database
// whose journal began before those rules existed keeps its older entries as they were.
inline constexpr char kFlowRulesFromSetting[] = "ledger_flow_rules_from_entry";

// Records kFlowRulesFromSetting unless it is there (LedgerService::Open does this).
Status RecordFlowRulesStart(store::Store& store);
// The recorded first entry under the flow rules; 0 when never recorded (all entries checked).
Result<int64_t> FlowRulesStart(store::Store& store);

struct LedgerOptions {
  // The log's origin line in checkpoints.
  std::string origin = "tinydata/ledger";
  // A signing key in FormatSigningKey form; empty: the one in the settings (created if absent).
  std::string signing_key;
  // Entries sequenced per transaction.
  int sequence_batch = 10'000;
};

struct SignedCheckpoint {
  ledger::Checkpoint checkpoint;
  std::string note;  // the signed note
};

struct EntryProof {
  store::LedgerEntryRow row;
  uint64_t tree_size = 0;
  std::vector<ledger::Hash> inclusion_proof;
};

struct SequenceResult {
  uint64_t sequenced = 0;  // entries given leaf indexes by this run
  uint64_t tree_size = 0;  // after the run
  bool signed_checkpoint = false;
};

class LedgerService {
 public:
  // `store` and `clock` must outlive the service. FailedPrecondition naming "signing_key" when
  // the key (given or stored) is not the one of the stored verifier key; InvalidArgument naming
  // it when the key text is malformed.
  static Result<std::unique_ptr<LedgerService>> Open(store::Store* store, const Clock* clock,
                                                     LedgerOptions options = {});

  const ledger::VerifierKey& verifier_key() const { return verifier_key_; }
  store::Store* store() const { return store_; }
  std::string verifier_key_text() const { return ledger::FormatVerifierKey(verifier_key_); }

  // Sequences every committed entry not yet in the log, in id order, and signs a checkpoint of
  // the new size (also for an empty log that has none yet). Each chunk of entries commits with
  // its Merkle nodes and checkpoint in one batch.
  Result<SequenceResult> Sequence();

  // The newest checkpoint; NotFound before the first Sequence().
  Result<SignedCheckpoint> LatestCheckpoint();
  // The entry at `leaf_index` with its inclusion proof in the tree of `tree_size` leaves
  // (default: the latest checkpoint's). InvalidArgument naming "tree_size" beyond the latest
  // checkpoint, NotFound naming "index" for an index outside the tree.
  Result<EntryProof> Entry(uint64_t leaf_index, std::optional<uint64_t> tree_size);
  // Consistency proof between two checkpointed sizes first <= second <= latest checkpoint's.
  Result<std::vector<ledger::Hash>> Consistency(uint64_t first, uint64_t second);

  // Checks that the log still extends `trusted_note`, a checkpoint of this log seen before (the
  // one a server published last, kept outside the database): the latest checkpoint is at least
  // as large and a consistency proof from the stored nodes links the two. Returns the latest
  // checkpoint. InvalidArgument naming "checkpoint" when the note is malformed or not signed by
  // this log's key; DataLoss when the log was rolled back or rewritten since.
  Result<SignedCheckpoint> CheckExtends(std::string_view trusted_note);

 private:
  LedgerService(store::Store* store, const Clock* clock, LedgerOptions options)
      : store_(store), clock_(clock), options_(std::move(options)), nodes_(store) {}

  // Reads nodes from the store; buffers writes for the sequencer's next batch.
  class StoreNodes final : public ledger::NodeStore {
   public:
    explicit StoreNodes(store::Store* store) : store_(store) {}
    Result<ledger::Hash> GetNode(ledger::NodeId id) const override;
    Status PutNodes(std::span<const ledger::NodeWrite> nodes) override;
    std::vector<ledger::NodeWrite> TakePending() { return std::move(pending_); }

   private:
    store::Store* store_;
    std::vector<ledger::NodeWrite> pending_;
  };

  Status LoadKey();
  Result<uint64_t> CheckpointedSize();

  store::Store* const store_;
  const Clock* const clock_;
  const LedgerOptions options_;
  ledger::SigningKey signing_key_;
  ledger::VerifierKey verifier_key_;

  std::mutex sequence_mu_;
  StoreNodes nodes_;                      // guarded by sequence_mu_
  std::optional<ledger::MerkleLog> log_;  // guarded by sequence_mu_; reopened after a failure
};

// Runs LedgerService::Sequence() every `period` on a thread of its own until destroyed (a last
// run happens at Stop, so entries committed before shutdown are sequenced), while this process
// holds the database's kSequencerJob lease: of several servers sharing a database one
// sequences, and another takes over when it dies. Failures are logged and retried at the next
// period.
class SequencerJob {
 public:
  // `after_run`, when set, runs on the job's thread after each period, leader or not (e.g. to
  // save the latest checkpoint outside the database).
  SequencerJob(LedgerService* ledger, std::chrono::milliseconds period,
               std::function<void()> after_run = nullptr);
  ~SequencerJob() { Stop(); }
  SequencerJob(const SequencerJob&) = delete;
  SequencerJob& operator=(const SequencerJob&) = delete;
  // Stops the thread after a final run. Idempotent.
  void Stop();

 private:
  void Run();

  LedgerService* const ledger_;
  const std::chrono::milliseconds period_;
  const std::function<void()> after_run_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

// JSON forms of docs/api.md.
nlohmann::json CheckpointJson(const SignedCheckpoint& checkpoint, const ledger::VerifierKey& key);
nlohmann::json EntryJson(const ledger::JournalEntry& entry);
nlohmann::json EntryProofJson(const EntryProof& proof);
nlohmann::json HashListJson(const std::vector<ledger::Hash>& hashes);

}  // namespace tinydata::service
