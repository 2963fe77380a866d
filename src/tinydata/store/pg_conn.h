// Private to store/: a thin RAII layer over libpq shared by the PostgreSQL store and its ledger
// tables - connections with a prepared-statement cache, typed parameters and results, a pool, and
// one mapping of SQLSTATEs to Status codes.
//
// Parameters travel in text format except bytes (AddBytes), which are sent binary, so callers
// never escape anything. Results are text format; Bytes() decodes bytea.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tinydata/core/status.h"

namespace tinydata::store::pg {

// The Status for a failed command: 23505 (unique violation) -> AlreadyExists, as for SQLite, so
// a retried write of a unique row reads the same on both backends; the rest of class 23 (check,
// foreign key) -> FailedPrecondition; 40001 / 40P01 (serialization failure, deadlock) -> Aborted;
// class 08 and
// 57P0x (connection lost, server shutting down) and 53 (out of resources) -> Unavailable;
// XX001 / XX002 (corrupted data or index) -> DataLoss; anything else -> Internal. `what` prefixes
// the message.
Status ErrorFromResult(const PGresult* result, PGconn* conn, std::string_view what);

// Owns a PGresult: the rows of a query.
class Rows {
 public:
  Rows() = default;
  explicit Rows(PGresult* result) : result_(result) {}
  Rows(Rows&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows() { PQclear(result_); }

  int rows() const { return result_ ? PQntuples(result_) : 0; }
  ExecStatusType status() const { return result_ ? PQresultStatus(result_) : PGRES_FATAL_ERROR; }
  const PGresult* raw() const { return result_; }
  // Rows changed by an INSERT / UPDATE / DELETE.
  int64_t affected() const;
  bool IsNull(int row, int col) const { return PQgetisnull(result_, row, col) != 0; }
  std::string_view View(int row, int col) const;
  std::string Text(int row, int col) const { return std::string(View(row, col)); }
  int64_t Int(int row, int col) const;  // 0 for NULL
  double Double(int row, int col) const;
  bool Bool(int row, int col) const { return View(row, col) == "t"; }
  // A bytea column as raw bytes.
  std::string Bytes(int row, int col) const;

 private:
  PGresult* result_ = nullptr;
};

// Positional parameters ($1, $2, ...) of one command.
class Params {
 public:
  Params& Add(int64_t v);
  Params& Add(int v) { return Add(static_cast<int64_t>(v)); }
  Params& Add(uint32_t v) { return Add(static_cast<int64_t>(v)); }
  Params& Add(uint64_t v);
  Params& Add(double v);
  Params& Add(bool v);
  Params& Add(std::string_view v);
  Params& Add(const char* v) { return Add(std::string_view(v)); }
  Params& Add(const std::string& v) { return Add(std::string_view(v)); }
  Params& AddBytes(std::string_view bytes);
  Params& AddNull();

  int size() const { return static_cast<int>(values_.size()); }
  // Arrays for PQexecPrepared; valid until the next Add.
  std::vector<const char*> Values() const;
  const int* Lengths() const { return lengths_.data(); }
  const int* Formats() const { return formats_.data(); }

 private:
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// One server connection, used by one thread at a time. Statements run through Exec are prepared
// once per connection (keyed by their SQL text) and reused.
class Connection {
 public:
  // `conninfo`: a postgresql:// URL or a key=value string (libpq's connection string).
  // Unavailable with libpq's message when the URL is malformed or the server cannot be reached;
  // the message never contains the password.
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* raw() const { return conn_; }

  // Runs a prepared statement; the error (ErrorFromResult) on failure.
  Result<Rows> Exec(const std::string& sql, const Params& params = {});
  // Runs `sql` (which may hold several statements, no parameters) as a simple query.
  Status ExecScript(const std::string& sql);
  // Ends the open transaction with COMMIT. Aborted when the server rolled it back instead (a
  // statement of it had failed), so a caller never mistakes a rollback for a commit.
  Status Commit();

  // Re-establishes a connection that the server closed; forgets the prepared statements.
  Status ResetIfBroken();

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
};

// A fixed set of connections handed out one at a time. Thread-safe.
class Pool {
 public:
  // Opens `size` connections to `conninfo`.
  static Result<std::unique_ptr<Pool>> Open(const std::string& conninfo, int size);
  // Closes the idle connections, and every leased one when its lease ends; Acquire fails with
  // Unavailable from now on. Idempotent. The Pool object itself must outlive every lease.
  void Close();

  // A connection for the lifetime of the lease; blocks while every connection is in use.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };
  // Broken connections are re-established before they are handed out; Unavailable if that fails
  // or the pool is closed.
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<Connection> conn);
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  bool closed_ = false;
};

// Array parameters ("{...}" literals, cast in SQL: $1::bigint[], $2::text[]), for statements
// that handle many rows at once through unnest(). Text elements are quoted and escaped, so any
// string is safe.
std::string IntArray(const std::vector<int64_t>& values);
std::string TextArray(const std::vector<std::string>& values);

// True for URLs this backend serves: postgresql://... and postgres://...
bool IsPostgresUrl(std::string_view url);

// `message` with every occurrence of the password named in `conninfo` (the user:password@ part of
// a URL, or a password= parameter) replaced by "***", for error messages that quote the input.
std::string WithoutPassword(std::string message, std::string_view conninfo);

}  // namespace tinydata::store::pg
