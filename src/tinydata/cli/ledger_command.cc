#include "tinydata/cli/ledger_command.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <utility>

#include "tinydata/cli/app.h"
#include "tinydata/ledger/checkpoint.h"
#include "tinydata/ledger/merkle_log.h"
#include "tinydata/service/ledger_service.h"
#include "tinydata/store/store.h"

namespace tinydata::cli {
namespace {

// Stored Merkle nodes as read from the database, gaps and all (a deleted node row must show up
// as a missing node, not make loading fail).
class NodeMap final : public ledger::NodeStore {
 public:
  explicit NodeMap(std::vector<ledger::NodeWrite> nodes) {
    for (const ledger::NodeWrite& n : nodes) nodes_[{n.id.level, n.id.index}] = n.hash;
  }
  Result<ledger::Hash> GetNode(ledger::NodeId id) const override {
    auto it = nodes_.find({id.level, id.index});
    if (it == nodes_.end()) return Status::NotFound("no node");
    return it->second;
  }
  Status PutNodes(std::span<const ledger::NodeWrite>) override {
    return Status::FailedPrecondition("the verifier does not write nodes");
  }

 private:
  std::map<std::pair<uint32_t, uint64_t>, ledger::Hash> nodes_;
};

// The bytes of `path`; NotFound naming `field` when it cannot be read.
Result<std::string> ReadWholeFile(const std::string& path, const std::string& field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path, field);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Result<std::string> ReadKeyFile(const std::string& path) {
  TD_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path, "verifier-key"));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}


}  // namespace

Result<LedgerVerifyReport> VerifyLedgerDatabase(const LedgerVerifyOptions& options) {
  if (!store::IsDatabaseUrl(options.database) && !std::filesystem::exists(options.database)) {
    return Status::NotFound("no database file " + options.database, "database");
  }
  store::StoreOptions store_options;
  store_options.read_connections = 1;
  store_options.transaction_connections = 1;
  TD_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db,
                      store::OpenStore(options.database, store_options));
  // One snapshot for every read, so a verify that runs while servers post sees a consistent
  // journal, log and balances.
  TD_ASSIGN_OR_RETURN(std::unique_ptr<store::LedgerReader> snapshot_reader, db->SnapshotLedger());
  store::LedgerReader& reader = *snapshot_reader;
  LedgerVerifyReport report;

  std::vector<ledger::StoredEntry> entries;
  int64_t after = 0;
  for (;;) {
    TD_ASSIGN_OR_RETURN(std::vector<store::LedgerEntryRow> rows, reader.ReadEntries(after, 10'000));
    if (rows.empty()) break;
    after = rows.back().entry.id;
    for (store::LedgerEntryRow& row : rows) {
      if (row.leaf_index) ++report.sequenced;
      entries.push_back({std::move(row.entry), row.leaf_index, row.leaf_hash});
    }
  }
  report.entries = static_cast<int64_t>(entries.size());
  TD_ASSIGN_OR_RETURN(std::vector<ledger::StoredBalance> balances, reader.AllBalances());
  report.balances = static_cast<int64_t>(balances.size());
  TD_ASSIGN_OR_RETURN(std::vector<store::CheckpointRow> checkpoint_rows, reader.AllCheckpoints());
  std::vector<std::string> notes;
  for (store::CheckpointRow& row : checkpoint_rows) notes.push_back(std::move(row.note));
  report.checkpoints = static_cast<int64_t>(notes.size());
  TD_ASSIGN_OR_RETURN(std::vector<ledger::NodeWrite> node_rows, reader.AllMerkleNodes());
  NodeMap nodes(std::move(node_rows));

  std::optional<ledger::VerifierKey> key;
  std::string key_text;
  if (!options.verifier_key_path.empty()) {
    TD_ASSIGN_OR_RETURN(key_text, ReadKeyFile(options.verifier_key_path));
  } else {
    TD_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                        db->GetSetting(service::kLedgerVerifierKeySetting));
    if (stored) key_text = *stored;
    report.key_from_database = true;
  }
  if (!key_text.empty()) {
    auto parsed = ledger::ParseVerifierKey(key_text);
    if (!parsed.ok()) {
      return Status::InvalidArgument("verifier key: " + parsed.status().message(), "verifier-key");
    }
    key = std::move(parsed).value();
  }
  std::vector<std::string> trusted;
  for (const std::string& path : options.trusted_checkpoint_paths) {
    TD_ASSIGN_OR_RETURN(std::string note, ReadWholeFile(path, "trusted-checkpoint"));
    trusted.push_back(std::move(note));
  }
  report.trusted_checkpoints = static_cast<int64_t>(trusted.size());
  TD_ASSIGN_OR_RETURN(const int64_t flows_from, service::FlowRulesStart(*db));
  snapshot_reader.reset();
  db->Close();

  ledger::LedgerSnapshot snapshot;
  snapshot.entries = entries;
  snapshot.balances = balances;
  snapshot.checkpoints = notes;
  snapshot.key = key ? &*key : nullptr;
  snapshot.nodes = &nodes;
  snapshot.flows_from_entry_id = flows_from;
  snapshot.trusted_checkpoints = trusted;
  snapshot.max_unsequenced_seconds = options.max_unsequenced_seconds;
  snapshot.now_unix_seconds =
      options.now_unix_seconds != 0
          ? options.now_unix_seconds
          : std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  report.problems = ledger::VerifyLedger(snapshot);
  return report;
}

std::string FormatLedgerVerifyReport(const LedgerVerifyReport& report) {
  std::string out;
  for (const ledger::Problem& p : report.problems) {
    out += p.entry_id > 0 ? "entry " + std::to_string(p.entry_id) : std::string("ledger");
    out += ": ";
    out += ledger::ProblemKindName(p.kind);
    out += ": " + p.message + "\n";
  }
  out += "entries: " + std::to_string(report.entries) + "\n";
  out += "sequenced: " + std::to_string(report.sequenced) + "\n";
  out += "checkpoints: " + std::to_string(report.checkpoints) + "\n";
  if (report.trusted_checkpoints > 0) {
    out += "trusted checkpoints: " + std::to_string(report.trusted_checkpoints) + "\n";
  }
  out += "balances: " + std::to_string(report.balances) + "\n";
  if (report.key_from_database && report.checkpoints > 0) {
    out +=
        "note: checkpoint signatures checked with the key stored in the database "
        "(pass --verifier-key to check against the published key)\n";
  }
  out += report.problems.empty()
             ? "ledger ok\n"
             : "ledger FAILED: " + std::to_string(report.problems.size()) + " problem(s)\n";
  return out;
}

void RegisterLedgerCommand(CLI::App& app) {
  CLI::App* ledger = app.add_subcommand("ledger", "Inspect the rewards ledger.");
  ledger->require_subcommand(1);
  auto options = std::make_shared<LedgerVerifyOptions>();
  CLI::App* verify = ledger->add_subcommand(
      "verify", "Recompute hashes, Merkle roots, checkpoint signatures and balances.");
  verify->add_option("--database", options->database, "SQLite database file or postgresql:// URL")->required();
  verify->add_option("--verifier-key", options->verifier_key_path,
                     "File with the ledger's published verifier key (default: the database's)");
  verify->add_option("--trusted-checkpoint", options->trusted_checkpoint_paths,
                     "File with a checkpoint note seen before (the server's --checkpoint-file, or "
                     "GET /api/v1/ledger/checkpoint's signature); the log must still extend it. "
                     "Repeatable");
  auto max_minutes = std::make_shared<double>(10);
  verify->add_option("--max-unsequenced-minutes", *max_minutes,
                     "How long an entry may wait for the sequencer (0: not checked)")
      ->check(CLI::NonNegativeNumber)
      ->default_val(10);
  verify->callback([options, max_minutes] {
    options->max_unsequenced_seconds = static_cast<int64_t>(*max_minutes * 60);
    Result<LedgerVerifyReport> report = VerifyLedgerDatabase(*options);
    if (!report.ok()) ExitOnError("ledger verify", report.status());
    std::cout << FormatLedgerVerifyReport(*report) << std::flush;
    if (!report->problems.empty()) {
      ExitOnError("ledger verify", Status::DataLoss(std::to_string(report->problems.size()) +
                                                    " problem(s) found, first: " +
                                                    report->problems.front().message));
    }
  });
}

}  // namespace tinydata::cli
