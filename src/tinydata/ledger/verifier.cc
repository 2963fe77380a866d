#include "tinydata/ledger/verifier.h"

#include "tinydata/ledger/flows.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace tinydata::ledger {
namespace {

std::string Str(int64_t v) { return std::to_string(v); }
std::string Str(uint64_t v) { return std::to_string(v); }
std::string EntryName(int64_t id) { return "entry " + Str(id); }

struct NodeIdHash {
  size_t operator()(NodeId id) const { return std::hash<uint64_t>()(id.index * 64 + id.level); }
};

class Verification {
 public:
  explicit Verification(const LedgerSnapshot& s) : s_(s) {
    by_id_.reserve(s.entries.size());
    for (const StoredEntry& e : s.entries) by_id_.push_back(&e);
    std::stable_sort(by_id_.begin(), by_id_.end(), [](const StoredEntry* a, const StoredEntry* b) {
      return a->entry.id < b->entry.id;
    });
  }

  std::vector<Problem> Run() {
    CheckIds();
    CheckSequence();
    CheckTree();
    CheckBalances();
    return std::move(problems_);
  }

 private:
  struct NamedCheckpoint {
    Checkpoint checkpoint;
    std::string name;  // "checkpoint 3", "trusted checkpoint 0"
    bool trusted = false;
  };

  void Add(ProblemKind kind, int64_t entry_id, std::string message) {
    problems_.push_back(Problem{kind, entry_id, std::move(message)});
  }

  void CheckIds() {
    for (size_t i = 1; i < by_id_.size(); ++i) {
      if (by_id_[i]->entry.id == by_id_[i - 1]->entry.id) {
        Add(ProblemKind::kOutOfOrder, by_id_[i]->entry.id,
            EntryName(by_id_[i]->entry.id) + " appears twice");
      }
    }
  }

  // Walks the sequenced entries in id order; the n-th must hold leaf index n.
  void CheckSequence() {
    std::unordered_map<uint64_t, int64_t> holder;  // leaf index -> entry id
    for (const StoredEntry* e : by_id_) {
      if (!e->leaf_index) continue;
      auto [it, inserted] = holder.emplace(*e->leaf_index, e->entry.id);
      if (!inserted) {
        Add(ProblemKind::kOutOfOrder, e->entry.id,
            EntryName(e->entry.id) + " has leaf index " + Str(*e->leaf_index) +
                ", already held by " + EntryName(it->second));
      }
    }
    uint64_t expected = 0;
    int64_t previous_id = 0;
    int64_t first_unsequenced = 0;
    for (const StoredEntry* e : by_id_) {
      const int64_t id = e->entry.id;
      if (!e->leaf_index) {
        if (first_unsequenced == 0) first_unsequenced = id;
        continue;
      }
      if (first_unsequenced != 0) {
        Add(ProblemKind::kOutOfOrder, id,
            EntryName(id) + " is sequenced but the earlier " + EntryName(first_unsequenced) +
                " is not");
      }
      const uint64_t index = *e->leaf_index;
      if (index > expected && !holder.contains(expected)) {
        uint64_t end = expected;
        while (end < index && !holder.contains(end)) ++end;
        const bool ids_skipped = id - previous_id > 1;
        const int64_t missing_id = ids_skipped ? previous_id + 1 : id;
        std::string message = "leaf index " + Str(expected) +
                              (end - expected > 1 ? ".." + Str(end - 1) : std::string()) +
                              " missing before " + EntryName(id);
        if (ids_skipped) {
          message += ": " + EntryName(previous_id + 1) +
                     (id - previous_id > 2 ? ".." + Str(id - 1) : std::string()) +
                     " deleted";
        }
        Add(ProblemKind::kMissingEntry, missing_id, std::move(message));
        expected = end;
      }
      if (index != expected) {
        auto it = holder.find(expected);
        Add(ProblemKind::kOutOfOrder, id,
            EntryName(id) + " has leaf index " + Str(index) + " but by id order should have " +
                Str(expected) +
                (it != holder.end() ? " (held by " + EntryName(it->second) + ")" : std::string()));
      }
      ++expected;
      previous_id = id;
    }
  }

  // Rebuilds the tree over the recomputed leaves in leaf-index order and compares it with the
  // stored leaf hashes, stored nodes and checkpoints.
  void CheckTree() {
    std::vector<const StoredEntry*> leaves;
    for (const StoredEntry* e : by_id_) {
      if (e->leaf_index) leaves.push_back(e);
    }
    std::stable_sort(leaves.begin(), leaves.end(), [](const StoredEntry* a, const StoredEntry* b) {
      return *a->leaf_index < *b->leaf_index;
    });

    std::vector<NamedCheckpoint> checkpoints = OpenCheckpoints(s_.checkpoints, false);
    std::vector<NamedCheckpoint> trusted = OpenCheckpoints(s_.trusted_checkpoints, true);
    uint64_t latest_size = 0;
    bool any_checkpoint = false;
    for (const NamedCheckpoint& c : checkpoints) {
      latest_size = std::max(latest_size, c.checkpoint.tree_size);
      any_checkpoint = true;
    }
    CheckUnsequenced(checkpoints, trusted);
    checkpoints.insert(checkpoints.end(), std::make_move_iterator(trusted.begin()),
                       std::make_move_iterator(trusted.end()));
    std::stable_sort(checkpoints.begin(), checkpoints.end(),
                     [](const NamedCheckpoint& a, const NamedCheckpoint& b) {
                       return a.checkpoint.tree_size < b.checkpoint.tree_size;
                     });
    size_t next_checkpoint = 0;
    auto check_roots_at = [&](const CompactRange& range) {
      while (next_checkpoint < checkpoints.size() &&
             checkpoints[next_checkpoint].checkpoint.tree_size == range.size()) {
        const NamedCheckpoint& c = checkpoints[next_checkpoint++];
        if (c.checkpoint.root_hash == range.Root()) continue;
        if (c.trusted) {
          Add(ProblemKind::kRolledBack, 0,
              c.name + " (tree size " + Str(range.size()) + ") has root " +
                  HexEncode(c.checkpoint.root_hash) + " but the log gives " +
                  HexEncode(range.Root()) + ": the log was rewritten since it was seen");
        } else {
          Add(ProblemKind::kRootMismatch, 0,
              c.name + " (tree size " + Str(range.size()) + ") has root " +
                  HexEncode(c.checkpoint.root_hash) + " but the entries give " +
                  HexEncode(range.Root()));
        }
      }
    };

    std::unordered_set<NodeId, NodeIdHash> mismatched;
    CompactRange range;
    check_roots_at(range);
    for (const StoredEntry* e : leaves) {
      const Hash leaf = EntryLeafHash(e->entry);
      if (e->leaf_hash && *e->leaf_hash != leaf) {
        Add(ProblemKind::kEditedEntry, e->entry.id,
            EntryName(e->entry.id) + " (leaf index " + Str(*e->leaf_index) +
                ") does not match its stored leaf hash: edited after it was sequenced");
      }
      range.Append(leaf, [&](NodeId id, const Hash& h) {
        if (s_.nodes != nullptr) CompareNode(id, h, leaves, &mismatched);
      });
      check_roots_at(range);
    }
    if (s_.nodes != nullptr && s_.nodes->GetNode(NodeId{0, range.size()}).ok()) {
      const int64_t last_id = leaves.empty() ? 0 : leaves.back()->entry.id;
      Add(ProblemKind::kMissingEntry, last_id + 1,
          "the Merkle store holds leaf index " + Str(range.size()) + " but no entry does (" +
              EntryName(last_id + 1) + " deleted?)");
    }
    const int64_t last_id = leaves.empty() ? 0 : leaves.back()->entry.id;
    for (; next_checkpoint < checkpoints.size(); ++next_checkpoint) {
      const NamedCheckpoint& c = checkpoints[next_checkpoint];
      if (c.trusted) {
        Add(ProblemKind::kRolledBack, last_id + 1,
            c.name + " covers " + Str(c.checkpoint.tree_size) + " leaves but the log holds " +
                Str(range.size()) + ": the log was rolled back (entries after " +
                EntryName(last_id) + " removed, or the database restored from an older copy)");
      } else {
        Add(ProblemKind::kMissingEntry, last_id + 1,
            c.name + " covers " + Str(c.checkpoint.tree_size) + " leaves but only " +
                Str(range.size()) + " entries are sequenced (entries after " +
                EntryName(last_id) + " deleted?)");
      }
    }
    // Without a key the checkpoints could not be opened; that is reported already.
    if (range.size() > latest_size && (s_.key != nullptr || s_.checkpoints.empty())) {
      const int64_t first_uncovered =
          latest_size < leaves.size() ? leaves[latest_size]->entry.id : last_id;
      Add(ProblemKind::kMissingCheckpoint, first_uncovered,
          any_checkpoint
              ? "the latest checkpoint covers " + Str(latest_size) + " leaves but " +
                    Str(range.size()) + " are sequenced: leaves from " +
                    EntryName(first_uncovered) +
                    " on are in no signed checkpoint (checkpoints deleted, or leaves "
                    "assigned outside the sequencer)"
              : "no checkpoint covers the " + Str(range.size()) +
                    " sequenced leaves (checkpoints deleted?)");
    }
  }

  // An entry the sequencer should have reached: posted long ago, or well before a checkpoint
  // was signed that leaves it out.
  void CheckUnsequenced(const std::vector<NamedCheckpoint>& checkpoints,
                        const std::vector<NamedCheckpoint>& trusted) {
    const NamedCheckpoint* newest = nullptr;
    for (const auto* list : {&checkpoints, &trusted}) {
      for (const NamedCheckpoint& c : *list) {
        if (newest == nullptr ||
            c.checkpoint.timestamp_unix_seconds > newest->checkpoint.timestamp_unix_seconds) {
          newest = &c;
        }
      }
    }
    for (const StoredEntry* e : by_id_) {
      if (e->leaf_index) continue;
      const int64_t posted = e->entry.created_at_unix_seconds;
      const std::string what = EntryName(e->entry.id) + " (" + e->entry.reason + ", " +
                               Str(e->entry.amount) + " " +
                               std::string(AssetName(e->entry.asset)) + " to " +
                               e->entry.credit_account + ")";
      if (newest != nullptr &&
          posted + kSequencingSlackSeconds < newest->checkpoint.timestamp_unix_seconds) {
        Add(ProblemKind::kUnsequenced, e->entry.id,
            what + " was posted " +
                Str(newest->checkpoint.timestamp_unix_seconds - posted) + " s before " +
                newest->name + " was signed but is not in the log (slipped in behind the "
                "sequencer?)");
      } else if (s_.max_unsequenced_seconds > 0 &&
                 posted + s_.max_unsequenced_seconds < s_.now_unix_seconds) {
        Add(ProblemKind::kUnsequenced, e->entry.id,
            what + " has waited " + Str(s_.now_unix_seconds - posted) +
                " s for the sequencer (allowed: " + Str(s_.max_unsequenced_seconds) +
                " s); no signed checkpoint vouches for it");
      }
    }
  }

  void CompareNode(NodeId id, const Hash& computed, const std::vector<const StoredEntry*>& leaves,
                   std::unordered_set<NodeId, NodeIdHash>* mismatched) {
    auto stored = s_.nodes->GetNode(id);
    if (stored.ok() && *stored == computed) return;
    mismatched->insert(id);
    // A wrong leaf makes every node above it wrong; report only where the damage starts.
    if (id.level > 0 && (mismatched->contains(NodeId{id.level - 1, id.index * 2}) ||
                         mismatched->contains(NodeId{id.level - 1, id.index * 2 + 1}))) {
      return;
    }
    const uint64_t first = id.index << id.level;
    const uint64_t last = first + (uint64_t{1} << id.level) - 1;
    const int64_t entry_id = leaves[first]->entry.id;
    std::string where = id.level == 0 ? "leaf " + Str(first) + " (" + EntryName(entry_id) + ")"
                                      : "node over leaves " + Str(first) + ".." + Str(last) +
                                            " (" + EntryName(entry_id) + ".." +
                                            EntryName(leaves[last]->entry.id) + ")";
    Add(ProblemKind::kNodeMismatch, entry_id,
        stored.ok() ? "stored Merkle " + where + " differs from the recomputed hash"
                    : "stored Merkle " + where + " is missing");
  }

  std::vector<NamedCheckpoint> OpenCheckpoints(std::span<const std::string> notes, bool trusted) {
    std::vector<NamedCheckpoint> opened;
    uint64_t previous_size = 0;
    for (size_t i = 0; i < notes.size(); ++i) {
      const std::string name =
          std::string(trusted ? "trusted checkpoint " : "checkpoint ") + Str(uint64_t{i});
      if (s_.key == nullptr) {
        Add(ProblemKind::kBadCheckpoint, 0, name + " cannot be checked: no verifier key");
        continue;
      }
      auto c = OpenCheckpoint(notes[i], *s_.key);
      if (!c.ok()) {
        Add(ProblemKind::kBadCheckpoint, 0, name + ": " + c.status().ToString());
        continue;
      }
      if (!trusted && c->tree_size < previous_size) {
        Add(ProblemKind::kBadCheckpoint, 0,
            name + " has tree size " + Str(c->tree_size) + ", smaller than the earlier " +
                Str(previous_size));
      }
      previous_size = std::max(previous_size, c->tree_size);
      opened.push_back(NamedCheckpoint{std::move(*c), name, trusted});
    }
    return opened;
  }

  void CheckBalances() {
    std::map<std::pair<std::string, Asset>, int64_t> sums;
    std::map<std::pair<std::string, Asset>, int64_t> last_entry;
    std::set<std::string, std::less<>> keys;
    for (const StoredEntry* row : by_id_) {
      const JournalEntry& e = row->entry;
      if (Status s = ValidateEntry(e); !s.ok()) {
        Add(ProblemKind::kMalformedEntry, e.id,
            EntryName(e.id) + ": " + s.field() + ": " + s.message());
        continue;
      }
      if (e.id >= s_.flows_from_entry_id) {
        if (Status s = CheckFlow(e.reason, e.debit_account, e.credit_account, e.asset); !s.ok()) {
          Add(ProblemKind::kForbiddenFlow, e.id, EntryName(e.id) + ": " + s.message());
        }
      }
      if (!keys.insert(e.idempotency_key).second) {
        Add(ProblemKind::kDuplicateKey, e.id,
            EntryName(e.id) + " repeats idempotency key '" + e.idempotency_key + "'");
      }
      int64_t& debit = sums[{e.debit_account, e.asset}];
      int64_t& credit = sums[{e.credit_account, e.asset}];
      if (__builtin_sub_overflow(debit, e.amount, &debit) ||
          __builtin_add_overflow(credit, e.amount, &credit)) {
        Add(ProblemKind::kMalformedEntry, e.id, EntryName(e.id) + " overflows a balance");
      }
      last_entry[{e.debit_account, e.asset}] = e.id;
      last_entry[{e.credit_account, e.asset}] = e.id;
      if (e.debit_account != kTreasuryAccount && debit < 0) {
        Add(ProblemKind::kNegativeBalance, e.id,
            EntryName(e.id) + " makes " + e.debit_account + " " + Str(debit) + " " +
                std::string(AssetName(e.asset)));
      }
      const int64_t max_supply = e.asset == Asset::kAgt ? kAgtMaxSupply : kAiaMaxSupply;
      if (e.debit_account == kTreasuryAccount && -debit > max_supply) {
        Add(ProblemKind::kSupplyCapExceeded, e.id,
            EntryName(e.id) + " puts " + Str(-debit) + " " + std::string(AssetName(e.asset)) +
                " in circulation, above " + Str(max_supply));
      }
    }

    std::set<std::pair<std::string, Asset>> stored_keys;
    for (const StoredBalance& b : s_.balances) {
      const std::pair key(b.account, b.asset);
      stored_keys.insert(key);
      auto it = sums.find(key);
      const int64_t sum = it == sums.end() ? 0 : it->second;
      if (sum != b.balance) {
        auto last = last_entry.find(key);
        const int64_t entry_id = last == last_entry.end() ? 0 : last->second;
        Add(ProblemKind::kBalanceMismatch, entry_id,
            "stored balance of " + b.account + " is " + Str(b.balance) + " " +
                std::string(AssetName(b.asset)) + " but its entries sum to " + Str(sum) +
                (entry_id != 0 ? " (last " + EntryName(entry_id) + ")" : std::string()));
      }
    }
    for (const auto& [key, sum] : sums) {
      if (sum == 0 || stored_keys.contains(key)) continue;
      Add(ProblemKind::kBalanceMismatch, last_entry[key],
          "no stored balance for " + key.first + " " + std::string(AssetName(key.second)) +
              ", whose entries sum to " + Str(sum));
    }
  }

  const LedgerSnapshot& s_;
  std::vector<const StoredEntry*> by_id_;
  std::vector<Problem> problems_;
};

}  // namespace

std::string_view ProblemKindName(ProblemKind kind) {
  switch (kind) {
    case ProblemKind::kMalformedEntry: return "malformed_entry";
    case ProblemKind::kEditedEntry: return "edited_entry";
    case ProblemKind::kMissingEntry: return "missing_entry";
    case ProblemKind::kOutOfOrder: return "out_of_order";
    case ProblemKind::kDuplicateKey: return "duplicate_key";
    case ProblemKind::kNegativeBalance: return "negative_balance";
    case ProblemKind::kSupplyCapExceeded: return "supply_cap_exceeded";
    case ProblemKind::kForbiddenFlow: return "forbidden_flow";
    case ProblemKind::kBalanceMismatch: return "balance_mismatch";
    case ProblemKind::kBadCheckpoint: return "bad_checkpoint";
    case ProblemKind::kRootMismatch: return "root_mismatch";
    case ProblemKind::kNodeMismatch: return "node_mismatch";
    case ProblemKind::kMissingCheckpoint: return "missing_checkpoint";
    case ProblemKind::kRolledBack: return "rolled_back";
    case ProblemKind::kUnsequenced: return "unsequenced";
  }
  return "unknown";
}

std::vector<Problem> VerifyLedger(const LedgerSnapshot& snapshot) {
  return Verification(snapshot).Run();
}

}  // namespace tinydata::ledger
