#include "tinydata/http/api_ledger.h"

#include <optional>
#include <utility>

#include "tinydata/service/ledger_service.h"

namespace tinydata::http {
namespace {

using beast_http::verb;
using nlohmann::json;

json IntProp() { return {{"type", "integer"}}; }
json HexList() {
  return {{"type", "array"}, {"items", {{"type", "string"}, {"pattern", "^[0-9a-f]{64}$"}}}};
}

void AddLedgerSchemas(ApiRoutes& routes) {
  routes.AddSchema(
      "Checkpoint",
      {{"type", "object"},
       {"required", {"tree_size", "root_hash", "timestamp", "signature", "public_key"}},
       {"properties",
        {{"origin", {{"type", "string"}}},
         {"tree_size", IntProp()},
         {"root_hash", {{"type", "string"}, {"description", "hex SHA-256 (RFC 9162 tree head)"}}},
         {"timestamp", {{"type", "string"}, {"format", "date-time"}}},
         {"signature",
          {{"type", "string"},
           {"description", "the signed checkpoint note (C2SP tlog-checkpoint, Ed25519)"}}},
         {"public_key", {{"type", "string"}, {"description", "the verifier key of the note"}}}}}});
  routes.AddSchema(
      "LedgerEntry",
      {{"type", "object"},
       {"properties",
        {{"id", IntProp()},
         {"created_at", {{"type", "string"}, {"format", "date-time"}}},
         {"debit", {{"type", "string"}}},
         {"credit", {{"type", "string"}}},
         {"asset", {{"type", "string"}, {"enum", {"AIA", "AGT"}}}},
         {"amount", IntProp()},
         {"reason", {{"type", "string"}}},
         {"reference", {{"type", "string"}}},
         {"idempotency_key", {{"type", "string"}}},
         {"canonical_hex", {{"type", "string"}, {"description", "the leaf bytes"}}}}}});
  routes.AddSchema("EntryProof",
                   {{"type", "object"},
                    {"required", {"entry", "leaf_hash", "inclusion_proof", "tree_size"}},
                    {"properties",
                     {{"index", IntProp()},
                      {"entry", {{"$ref", "#/components/schemas/LedgerEntry"}}},
                      {"leaf_hash", {{"type", "string"}}},
                      {"inclusion_proof", HexList()},
                      {"tree_size", IntProp()}}}});
  routes.AddSchema(
      "ConsistencyProof",
      {{"type", "object"},
       {"required", {"first", "second", "proof"}},
       {"properties", {{"first", IntProp()}, {"second", IntProp()}, {"proof", HexList()}}}});
}

// A non-negative query integer; InvalidArgument naming it otherwise.
Result<std::optional<uint64_t>> Size(const Request& request, std::string_view name) {
  if (!request.query().Has(name)) return std::optional<uint64_t>();
  TD_ASSIGN_OR_RETURN(int64_t v, request.query().GetInt(name, 0));
  if (v < 0) return Status::InvalidArgument("must not be negative", std::string(name));
  return std::optional<uint64_t>(static_cast<uint64_t>(v));
}

}  // namespace

void RegisterLedgerRoutes(ApiRoutes& routes, const ApiContext& context) {
  if (context.ledger == nullptr) return;
  AddLedgerSchemas(routes);
  service::LedgerService* ledger = context.ledger;

  routes.AddAsync(verb::get, "/api/v1/ledger/checkpoint",
                  Doc("ledger", "The latest signed checkpoint of the ledger's Merkle log")
                      .Public()
                      .Returns(200, "Checkpoint"),
                  Blocking(context, [ledger](Request&) {
                    auto checkpoint = ledger->LatestCheckpoint();
                    if (!checkpoint.ok()) return ErrorReply(checkpoint.status());
                    return JsonReply(service::CheckpointJson(*checkpoint, ledger->verifier_key()));
                  }));

  routes.AddAsync(verb::get, "/api/v1/ledger/entries/{index:int}",
                  Doc("ledger", "A journal entry by leaf index, with its RFC 9162 inclusion proof")
                      .Public()
                      .Returns(200, "EntryProof")
                      .Query("tree_size", "integer", "default: the latest checkpoint's"),
                  Blocking(context, [ledger](Request& request) {
                    const int64_t index = *request.PathInt("index");
                    if (index < 0)
                      return ErrorReply(Status::InvalidArgument("must not be negative", "index"));
                    auto tree_size = Size(request, "tree_size");
                    if (!tree_size.ok()) return ErrorReply(tree_size.status());
                    auto proof = ledger->Entry(static_cast<uint64_t>(index), *tree_size);
                    if (!proof.ok()) return ErrorReply(proof.status());
                    return JsonReply(service::EntryProofJson(*proof));
                  }));

  routes.AddAsync(
      verb::get, "/api/v1/ledger/consistency",
      Doc("ledger", "RFC 9162 consistency proof between two tree sizes")
          .Public()
          .Returns(200, "ConsistencyProof")
          .Query("first", "integer", "the smaller tree size")
          .Query("second", "integer", "the larger tree size (default: the latest checkpoint's)"),
      Blocking(context, [ledger](Request& request) {
        auto first = Size(request, "first");
        if (!first.ok()) return ErrorReply(first.status());
        if (!first->has_value()) return ErrorReply(Status::InvalidArgument("is required", "first"));
        auto second = Size(request, "second");
        if (!second.ok()) return ErrorReply(second.status());
        uint64_t second_size = 0;
        if (second->has_value()) {
          second_size = **second;
        } else {
          auto latest = ledger->LatestCheckpoint();
          if (!latest.ok()) return ErrorReply(latest.status());
          second_size = latest->checkpoint.tree_size;
        }
        auto proof = ledger->Consistency(**first, second_size);
        if (!proof.ok()) return ErrorReply(proof.status());
        return JsonReply(json{
            {"first", **first}, {"second", second_size}, {"proof", service::HashListJson(*proof)}});
      }));
}

}  // namespace tinydata::http
