// `tinydata ledger verify --database FILE [--verifier-key FILE] [--trusted-checkpoint FILE...]`:
// recomputes the ledger from the database and reports every disagreement (ledger/verifier.h):
// entry hashes against their sequenced leaves, leaf order, Merkle nodes and checkpoint roots,
// checkpoint signatures, checkpoints seen before (a rollback), entries left unsequenced, every
// stored balance against the sum of its entries, no negative balance outside the treasury, the
// AGT supply limit. Prints one line per problem naming the entry id, then a summary; exits 0
// when the ledger is intact and 1 otherwise.
//
// The checkpoint key is read from --verifier-key (a file holding the verifier key text of
// ledger/checkpoint.h) when given; otherwise the database's own copy is used, which proves the
// journal consistent with its checkpoints but not that the checkpoints came from the server.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/ledger/verifier.h"

namespace tinydata::cli {

struct LedgerVerifyOptions {
  std::string database;
  std::string verifier_key_path;  // empty: the key stored in the database
  // Files each holding a checkpoint note seen before (e.g. the server's --checkpoint-file, or
  // one fetched from GET /api/v1/ledger/checkpoint): the log must still extend each.
  std::vector<std::string> trusted_checkpoint_paths;
  // An entry unsequenced for longer than this is a problem (0: not checked).
  int64_t max_unsequenced_seconds = 600;
  int64_t now_unix_seconds = 0;  // 0: the system clock
};

struct LedgerVerifyReport {
  int64_t entries = 0;
  int64_t sequenced = 0;
  int64_t checkpoints = 0;
  int64_t trusted_checkpoints = 0;
  int64_t balances = 0;
  bool key_from_database = false;
  std::vector<ledger::Problem> problems;
};

void RegisterLedgerCommand(CLI::App& app);

// Reads the ledger tables and verifies them. Errors (not problems): the file does not exist or
// cannot be opened, the key file is unreadable or malformed.
Result<LedgerVerifyReport> VerifyLedgerDatabase(const LedgerVerifyOptions& options);

// "entry 17: edited_entry: ..." lines and a closing summary line.
std::string FormatLedgerVerifyReport(const LedgerVerifyReport& report);

}  // namespace tinydata::cli
