#include "tinydata/store/pg_conn.h"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace tinydata::store::pg {

Status ErrorFromResult(const PGresult* result, PGconn* conn, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* detail = result ? PQresultErrorMessage(result) : nullptr;
  if (detail == nullptr || *detail == '\0') detail = conn ? PQerrorMessage(conn) : "no connection";
  std::string message = std::string(what) + ": " + detail;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const std::string_view code = state ? state : "";
  if (code.empty()) {
    // No SQLSTATE: the command never reached the server (connection lost).
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) return Status::Unavailable(message);
    return Status::Internal(std::move(message));
  }
  if (code == "23505") return Status::AlreadyExists(std::move(message));
  // Other integrity violations (a CHECK such as a balance below zero, a foreign key): the
  // state does not allow the write.
  if (code.starts_with("23")) return Status::FailedPrecondition(std::move(message));
  if (code == "40001" || code == "40P01") return Status::Aborted(std::move(message));
  if (code.starts_with("08") || code.starts_with("57P0") || code.starts_with("53")) {
    return Status::Unavailable(std::move(message));
  }
  if (code == "XX001" || code == "XX002") return Status::DataLoss(std::move(message));
  return Status::Internal(std::move(message));
}

Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

int64_t Rows::affected() const {
  const char* n = result_ ? PQcmdTuples(result_) : nullptr;
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

std::string_view Rows::View(int row, int col) const {
  return std::string_view(PQgetvalue(result_, row, col),
                          static_cast<size_t>(PQgetlength(result_, row, col)));
}

int64_t Rows::Int(int row, int col) const {
  const std::string_view v = View(row, col);
  int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

double Rows::Double(int row, int col) const {
  if (IsNull(row, col)) return 0.0;
  return std::strtod(PQgetvalue(result_, row, col), nullptr);
}

std::string Rows::Bytes(int row, int col) const {
  if (IsNull(row, col)) return {};
  size_t length = 0;
  unsigned char* raw = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, col)), &length);
  if (raw == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(raw), length);
  PQfreemem(raw);
  return out;
}

Params& Params::Add(int64_t v) { return Add(std::string_view(std::to_string(v))); }
Params& Params::Add(uint64_t v) { return Add(std::string_view(std::to_string(v))); }
Params& Params::Add(bool v) { return Add(std::string_view(v ? "t" : "f")); }

Params& Params::Add(double v) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), v);  // shortest round trip
  return Add(std::string_view(buffer, ec == std::errc() ? static_cast<size_t>(end - buffer) : 0));
}

Params& Params::Add(std::string_view v) {
  values_.emplace_back(v);
  null_.push_back(false);
  lengths_.push_back(static_cast<int>(v.size()));
  formats_.push_back(0);
  return *this;
}

Params& Params::AddBytes(std::string_view bytes) {
  Add(bytes);
  formats_.back() = 1;
  return *this;
}

Params& Params::AddNull() {
  values_.emplace_back();
  null_.push_back(true);
  lengths_.push_back(0);
  formats_.push_back(0);
  return *this;
}

std::vector<const char*> Params::Values() const {
  std::vector<const char*> out(values_.size());
  for (size_t i = 0; i < values_.size(); ++i) out[i] = null_[i] ? nullptr : values_[i].c_str();
  return out;
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return Status::Unavailable("postgresql: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    // libpq quotes malformed parts of the URL, which may be the password.
    std::string message = WithoutPassword(
        std::string("cannot connect to postgresql: ") + PQerrorMessage(conn), conninfo);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    PQfinish(conn);
    return Status::Unavailable(std::move(message));
  }
  auto connection = std::unique_ptr<Connection>(new Connection(conn));
  // Quiet NOTICEs (e.g. "relation already exists, skipping") instead of printing to stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

Result<Rows> Connection::Exec(const std::string& sql, const Params& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "td" + std::to_string(prepared_.size() + 1);
    Rows prepared(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
    if (prepared.status() != PGRES_COMMAND_OK) {
      return ErrorFromResult(prepared.raw(), conn_, "postgresql prepare");
    }
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  const std::vector<const char*> values = params.Values();
  Rows rows(PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(),
                           params.Lengths(), params.Formats(), 0));
  const ExecStatusType status = rows.status();
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return ErrorFromResult(rows.raw(), conn_, "postgresql");
  }
  return rows;
}

Status Connection::ExecScript(const std::string& sql) {
  Rows rows(PQexec(conn_, sql.c_str()));
  const ExecStatusType status = rows.status();
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return ErrorFromResult(rows.raw(), conn_, "postgresql");
  }
  return Status::Ok();
}

Status Connection::Commit() {
  Rows rows(PQexec(conn_, "COMMIT"));
  if (rows.status() != PGRES_COMMAND_OK)
    return ErrorFromResult(rows.raw(), conn_, "postgresql commit");
  if (std::string_view(PQcmdStatus(const_cast<PGresult*>(rows.raw()))) != "COMMIT") {
    return Status::Aborted("postgresql: the transaction was rolled back, not committed");
  }
  return Status::Ok();
}

Status Connection::ResetIfBroken() {
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  PQreset(conn_);
  prepared_.clear();
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = std::string("cannot reconnect to postgresql: ") + PQerrorMessage(conn_);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Status::Unavailable(std::move(message));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Pool>> Pool::Open(const std::string& conninfo, int size) {
  auto pool = std::make_unique<Pool>();
  for (int i = 0; i < size; ++i) {
    TD_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(conninfo));
    pool->idle_.push_back(std::move(conn));
  }
  return pool;
}

void Pool::Close() {
  std::vector<std::unique_ptr<Connection>> closing;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    closing.swap(idle_);
  }
  cv_.notify_all();
}

Result<Pool::Lease> Pool::Acquire() {
  std::unique_ptr<Connection> conn;
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || closed_; });
    if (closed_) return Status::Unavailable("postgresql: the connection pool is closed");
    conn = std::move(idle_.back());
    idle_.pop_back();
  }
  if (Status status = conn->ResetIfBroken(); !status.ok()) {
    Release(std::move(conn));
    return status;
  }
  return Lease(this, std::move(conn));
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;  // `conn` closes as it goes out of scope
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

Pool::Lease::~Lease() {
  if (conn_) pool_->Release(std::move(conn_));
}

std::string IntArray(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "}";
}

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::string WithoutPassword(std::string message, std::string_view conninfo) {
  std::vector<std::string_view> secrets;
  if (const size_t scheme = conninfo.find("://"); scheme != std::string_view::npos) {
    const std::string_view rest = conninfo.substr(scheme + 3);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
    if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
      const std::string_view user_info = authority.substr(0, at);
      if (const size_t colon = user_info.find(':'); colon != std::string_view::npos) {
        secrets.push_back(user_info.substr(colon + 1));
      }
    }
  }
  for (size_t key = conninfo.find("password="); key != std::string_view::npos;
       key = conninfo.find("password=", key + 1)) {
    const std::string_view value = conninfo.substr(key + 9);
    secrets.push_back(value.substr(0, value.find_first_of("& ")));
  }
  for (std::string_view secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = message.find(secret); at != std::string::npos;
         at = message.find(secret, at + 3)) {
      message.replace(at, secret.size(), "***");
    }
  }
  return message;
}

}  // namespace tinydata::store::pg
