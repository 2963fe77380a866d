#include "tinydata/service/ledger_service.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <utility>

#include "tinydata/ledger/entry.h"
#include "tinydata/ledger/merkle.h"
#include "tinydata/service/platform.h"

namespace tinydata::service {

Result<ledger::Hash> LedgerService::StoreNodes::GetNode(ledger::NodeId id) const {
  return store_->ledger().MerkleNode(id);
}

Status LedgerService::StoreNodes::PutNodes(std::span<const ledger::NodeWrite> nodes) {
  pending_.insert(pending_.end(), nodes.begin(), nodes.end());
  return Status::Ok();
}

Result<std::unique_ptr<LedgerService>> LedgerService::Open(store::Store* store, const Clock* clock,
                                                           LedgerOptions options) {
  if (options.sequence_batch < 1) {
    return Status::InvalidArgument("must be at least 1", "sequence_batch");
  }
  std::unique_ptr<LedgerService> service(new LedgerService(store, clock, std::move(options)));
  TD_RETURN_IF_ERROR(service->LoadKey());
  TD_RETURN_IF_ERROR(RecordFlowRulesStart(*store));
  return service;
}

Status RecordFlowRulesStart(store::Store& store) {
  TD_ASSIGN_OR_RETURN(std::optional<std::string> recorded, store.GetSetting(kFlowRulesFromSetting));
  if (recorded) return Status::Ok();
  // Entries posted before this binary knew the flow rules are exempt from them.
  int64_t next_id = 1;
  for (int64_t after = 0;;) {
    TD_ASSIGN_OR_RETURN(std::vector<store::LedgerEntryRow> rows,
                        store.ledger().ReadEntries(after, 10'000));
    if (rows.empty()) break;
    after = rows.back().entry.id;
    next_id = after + 1;
  }
  store::WriteBatch batch;
  batch.insert_settings.emplace_back(kFlowRulesFromSetting, std::to_string(next_id));
  return store.WriteSync(std::move(batch));
}

Result<int64_t> FlowRulesStart(store::Store& store) {
  TD_ASSIGN_OR_RETURN(std::optional<std::string> recorded, store.GetSetting(kFlowRulesFromSetting));
  if (!recorded) return int64_t{0};
  int64_t id = -1;
  const char* end = recorded->data() + recorded->size();
  const auto [ptr, ec] = std::from_chars(recorded->data(), end, id);
  if (ec != std::errc() || ptr != end || id < 0) {
    return Status::DataLoss("setting " + std::string(kFlowRulesFromSetting) + " is malformed");
  }
  return id;
}

Status LedgerService::LoadKey() {
  std::string text = options_.signing_key;
  if (text.empty()) {
    TD_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                        store_->GetSetting(kLedgerSigningKeySetting));
    if (stored) text = *stored;
  }
  if (text.empty()) {
    TD_ASSIGN_OR_RETURN(ledger::SigningKey key, ledger::GenerateSigningKey("tinydata-ledger"));
    store::WriteBatch batch;
    batch.insert_settings.emplace_back(kLedgerSigningKeySetting, ledger::FormatSigningKey(key));
    batch.insert_settings.emplace_back(kLedgerVerifierKeySetting,
                                       ledger::FormatVerifierKey(ledger::VerifierKeyOf(key)));
    TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
    // Servers sharing the database that start together keep the key stored first.
    TD_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                        store_->GetSetting(kLedgerSigningKeySetting));
    if (!stored) return Status::DataLoss("the ledger signing key was not stored");
    text = *stored;
  }
  auto key = ledger::ParseSigningKey(text);
  if (!key.ok()) {
    return Status::InvalidArgument("ledger signing key: " + key.status().message(), "signing_key");
  }
  signing_key_ = std::move(key).value();
  verifier_key_ = ledger::VerifierKeyOf(signing_key_);
  const std::string verifier_text = ledger::FormatVerifierKey(verifier_key_);
  TD_ASSIGN_OR_RETURN(std::optional<std::string> stored_verifier,
                      store_->GetSetting(kLedgerVerifierKeySetting));
  if (stored_verifier && !stored_verifier->empty() && *stored_verifier != verifier_text) {
    // Checkpoints already signed could no longer be verified with the stored key.
    return Status::FailedPrecondition(
        "the ledger signing key does not match the verifier key this database's checkpoints are "
        "signed with (" + *stored_verifier + "; the given key's is " + verifier_text +
            "); start with the original key",
        "signing_key");
  }
  if (!stored_verifier) {
    store::WriteBatch batch;
    batch.insert_settings.emplace_back(kLedgerVerifierKeySetting, verifier_text);
    TD_RETURN_IF_ERROR(store_->WriteSync(std::move(batch)));
    TD_ASSIGN_OR_RETURN(stored_verifier, store_->GetSetting(kLedgerVerifierKeySetting));
    if (stored_verifier != verifier_text) {
      return Status::FailedPrecondition(
          "another server stored a different ledger verifier key (" +
              stored_verifier.value_or("") + ") at the same time; start every server with the "
              "same --ledger-key-file",
          "signing_key");
    }
  }
  return Status::Ok();
}

Result<SequenceResult> LedgerService::Sequence() {
  std::lock_guard<std::mutex> lock(sequence_mu_);
  store::LedgerReader& reader = store_->ledger();
  TD_ASSIGN_OR_RETURN(uint64_t stored_size, reader.SequencedCount());
  // Another server may have sequenced since this one last did (the job lease moved).
  if (!log_ || log_->size() != stored_size) {
    TD_ASSIGN_OR_RETURN(ledger::MerkleLog log, ledger::MerkleLog::Open(&nodes_, stored_size));
    log_.emplace(std::move(log));
  }
  SequenceResult result;
  TD_ASSIGN_OR_RETURN(std::optional<store::CheckpointRow> latest, reader.LatestCheckpoint());
  bool need_checkpoint = !latest || latest->tree_size != log_->size();
  for (;;) {
    TD_ASSIGN_OR_RETURN(std::vector<store::LedgerEntryRow> rows,
                        reader.ReadUnsequenced(options_.sequence_batch));
    if (rows.empty() && !need_checkpoint) break;
    store::WriteBatch batch;
    std::vector<ledger::Hash> leaves;
    leaves.reserve(rows.size());
    for (const store::LedgerEntryRow& row : rows) {
      const ledger::Hash leaf = ledger::EntryLeafHash(row.entry);
      batch.ledger.assign_leaves.push_back({row.entry.id, log_->size() + leaves.size(), leaf});
      leaves.push_back(leaf);
    }
    Status appended = log_->Append(leaves);
    if (!appended.ok()) {
      log_.reset();
      (void)nodes_.TakePending();
      return appended;
    }
    batch.ledger.insert_nodes = nodes_.TakePending();
    ledger::Checkpoint checkpoint{options_.origin, log_->size(), log_->Root(),
                                  clock_->NowMs() / 1000};
    TD_ASSIGN_OR_RETURN(std::string note, ledger::SignCheckpoint(checkpoint, signing_key_));
    batch.ledger.insert_checkpoints.push_back(
        {checkpoint.tree_size, checkpoint.root_hash, checkpoint.timestamp_unix_seconds, note});
    Status written = store_->WriteSync(std::move(batch));
    if (!written.ok()) {
      log_.reset();
      return written;
    }
    result.sequenced += leaves.size();
    result.signed_checkpoint = true;
    need_checkpoint = false;
    if (rows.size() < static_cast<size_t>(options_.sequence_batch)) break;
  }
  result.tree_size = log_->size();
  return result;
}

Result<SignedCheckpoint> LedgerService::LatestCheckpoint() {
  TD_ASSIGN_OR_RETURN(std::optional<store::CheckpointRow> row, store_->ledger().LatestCheckpoint());
  if (!row) return Status::NotFound("the ledger has no checkpoint yet");
  TD_ASSIGN_OR_RETURN(ledger::Checkpoint checkpoint,
                      ledger::OpenCheckpoint(row->note, verifier_key_));
  return SignedCheckpoint{std::move(checkpoint), std::move(row->note)};
}

Result<uint64_t> LedgerService::CheckpointedSize() {
  TD_ASSIGN_OR_RETURN(std::optional<store::CheckpointRow> row, store_->ledger().LatestCheckpoint());
  return row ? row->tree_size : 0;
}

Result<EntryProof> LedgerService::Entry(uint64_t leaf_index, std::optional<uint64_t> tree_size) {
  TD_ASSIGN_OR_RETURN(uint64_t checkpointed, CheckpointedSize());
  const uint64_t size = tree_size.value_or(checkpointed);
  if (size > checkpointed) {
    return Status::InvalidArgument("tree size " + std::to_string(size) +
                                       " is beyond the latest checkpoint (" +
                                       std::to_string(checkpointed) + ")",
                                   "tree_size");
  }
  if (leaf_index >= size) {
    return Status::NotFound(
        "no leaf " + std::to_string(leaf_index) + " in a tree of " + std::to_string(size), "index");
  }
  TD_ASSIGN_OR_RETURN(std::optional<store::LedgerEntryRow> row,
                      store_->ledger().EntryAtLeaf(leaf_index));
  if (!row) return Status::DataLoss("leaf " + std::to_string(leaf_index) + " has no entry");
  // A log of its own (reads only), so proofs do not wait for the sequencer.
  StoreNodes nodes(store_);
  TD_ASSIGN_OR_RETURN(ledger::MerkleLog log, ledger::MerkleLog::Open(&nodes, checkpointed));
  TD_ASSIGN_OR_RETURN(std::vector<ledger::Hash> proof, log.InclusionProof(leaf_index, size));
  return EntryProof{std::move(*row), size, std::move(proof)};
}

Result<std::vector<ledger::Hash>> LedgerService::Consistency(uint64_t first, uint64_t second) {
  TD_ASSIGN_OR_RETURN(uint64_t checkpointed, CheckpointedSize());
  if (second > checkpointed) {
    return Status::InvalidArgument(
        "beyond the latest checkpoint (" + std::to_string(checkpointed) + ")", "second");
  }
  if (first > second) return Status::InvalidArgument("must not exceed second", "first");
  StoreNodes nodes(store_);
  TD_ASSIGN_OR_RETURN(ledger::MerkleLog log, ledger::MerkleLog::Open(&nodes, checkpointed));
  return log.ConsistencyProof(first, second);
}

Result<SignedCheckpoint> LedgerService::CheckExtends(std::string_view trusted_note) {
  Result<ledger::Checkpoint> opened = ledger::OpenCheckpoint(trusted_note, verifier_key_);
  if (!opened.ok()) {
    return Status::InvalidArgument(
        "not a checkpoint of this ledger (" + opened.status().message() + ")", "checkpoint");
  }
  const ledger::Checkpoint& trusted = *opened;
  const std::string seen = "the saved checkpoint (tree size " + std::to_string(trusted.tree_size) +
                           ", signed " + FormatRfc3339(trusted.timestamp_unix_seconds * 1000) +
                           ")";
  Result<SignedCheckpoint> latest = LatestCheckpoint();
  if (!latest.ok() && latest.status().code() != StatusCode::kNotFound) return latest.status();
  const uint64_t size = latest.ok() ? latest->checkpoint.tree_size : 0;
  if (size < trusted.tree_size) {
    return Status::DataLoss(
        "the ledger was rolled back: its latest checkpoint covers " + std::to_string(size) +
        " entries but " + seen + " covers " + std::to_string(trusted.tree_size) +
        " (entries or checkpoints deleted, or the database restored from an older copy)");
  }
  if (!latest.ok()) return latest.status();  // both empty: nothing was ever published
  TD_ASSIGN_OR_RETURN(std::vector<ledger::Hash> proof, Consistency(trusted.tree_size, size));
  Status consistent = ledger::VerifyConsistency(trusted.tree_size, size, proof, trusted.root_hash,
                                                latest->checkpoint.root_hash);
  if (!consistent.ok()) {
    return Status::DataLoss("the ledger was rewritten: its latest checkpoint (tree size " +
                            std::to_string(size) + ") does not extend " + seen + ": " +
                            consistent.message());
  }
  return latest;
}

SequencerJob::SequencerJob(LedgerService* ledger, std::chrono::milliseconds period,
                           std::function<void()> after_run)
    : ledger_(ledger), period_(period), after_run_(std::move(after_run)) {
  thread_ = std::thread([this] { Run(); });
}

void SequencerJob::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SequencerJob::Run() {
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, period_, [this] { return stopping_; });
      stopping = stopping_;
    }
    // One server at a time sequences a shared database; the others stand by.
    Result<bool> leader = ledger_->store()->HoldJobLease(kSequencerJob);
    if (!leader.ok()) {
      spdlog::error("ledger sequencer: {}", leader.status().ToString());
    } else if (*leader) {
      auto run = ledger_->Sequence();
      if (!run.ok()) {
        spdlog::error("ledger sequencer: {}", run.status().ToString());
      } else if (run->sequenced > 0) {
        spdlog::info("ledger sequenced={} tree_size={}", run->sequenced, run->tree_size);
      }
    }
    if (after_run_) after_run_();
    if (stopping) return;
  }
}

nlohmann::json CheckpointJson(const SignedCheckpoint& c, const ledger::VerifierKey& key) {
  return {{"origin", c.checkpoint.origin},
          {"tree_size", c.checkpoint.tree_size},
          {"root_hash", ledger::HexEncode(c.checkpoint.root_hash)},
          {"timestamp", FormatRfc3339(c.checkpoint.timestamp_unix_seconds * 1000)},
          {"signature", c.note},
          {"public_key", ledger::FormatVerifierKey(key)}};
}

nlohmann::json EntryJson(const ledger::JournalEntry& e) {
  return {{"id", e.id},
          {"created_at", FormatRfc3339(e.created_at_unix_seconds * 1000)},
          {"debit", e.debit_account},
          {"credit", e.credit_account},
          {"asset", ledger::AssetName(e.asset)},
          {"amount", e.amount},
          {"reason", e.reason},
          {"reference", e.reference},
          {"idempotency_key", e.idempotency_key},
          {"canonical_hex", [&] {
             const std::string bytes = ledger::CanonicalBytes(e);
             static constexpr char kHex[] = "0123456789abcdef";
             std::string hex;
             hex.reserve(bytes.size() * 2);
             for (unsigned char c : bytes) {
               hex.push_back(kHex[c >> 4]);
               hex.push_back(kHex[c & 15]);
             }
             return hex;
           }()}};
}

nlohmann::json HashListJson(const std::vector<ledger::Hash>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const ledger::Hash& h : hashes) out.push_back(ledger::HexEncode(h));
  return out;
}

nlohmann::json EntryProofJson(const EntryProof& p) {
  return {{"index", p.row.leaf_index.value_or(0)},
          {"entry", EntryJson(p.row.entry)},
          {"leaf_hash", ledger::HexEncode(ledger::EntryLeafHash(p.row.entry))},
          {"inclusion_proof", HashListJson(p.inclusion_proof)},
          {"tree_size", p.tree_size}};
}

}  // namespace tinydata::service
