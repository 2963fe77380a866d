#include "support/postgres.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>

namespace tinydata::test {
namespace {

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// `url` with its database name (the path after host:port) replaced by `database`.
std::string WithDatabase(const std::string& url, const std::string& database) {
  const size_t scheme = url.find("://");
  const size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const size_t query = url.find('?', slash == std::string::npos ? 0 : slash);
  const std::string base = slash == std::string::npos ? url.substr(0, query) : url.substr(0, slash);
  const std::string params = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + database + params;
}

}  // namespace

Backend BackendFromEnvironment() {
  const char* backend = std::getenv("TINYDATA_TEST_BACKEND");
  if (backend != nullptr && (std::string_view(backend) == "postgresql" ||
                             std::string_view(backend) == "postgres")) {
    return Backend::kPostgres;
  }
  return Backend::kSqlite;
}

const char* BackendName(Backend backend) {
  return backend == Backend::kPostgres ? "postgresql" : "sqlite";
}

Result<std::string> PostgresAdminUrl() {
  if (const char* url = std::getenv("TINYDATA_TEST_POSTGRES_URL"); url != nullptr && *url) {
    return std::string(url);
  }
  if (const char* file = std::getenv("TINYDATA_TEST_POSTGRES_URL_FILE"); file != nullptr && *file) {
    std::ifstream in(file);
    std::string url;
    if (in && std::getline(in, url) && !Trimmed(url).empty()) return Trimmed(url);
    return Status::FailedPrecondition(std::string("no PostgreSQL URL in ") + file +
                                      " (did the pg_cluster_start fixture fail?)");
  }
  std::ifstream in(TINYDATA_PG_URL_FILE);
  std::string url;
  if (in && std::getline(in, url) && !Trimmed(url).empty()) return Trimmed(url);
  return Status::FailedPrecondition(
      "no PostgreSQL test cluster: run the suite through ctest (its `postgres` fixture starts "
      "one and writes " TINYDATA_PG_URL_FILE "), or set TINYDATA_TEST_POSTGRES_URL, e.g. to the "
      "URL printed by `tests/support/pg_cluster.sh start /tmp/pg`");
}

Status ExecPostgres(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable("cannot connect to " + url + ": " + message);
  }
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  Status out = Status::Ok();
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    out = Status::Internal("postgresql: " + Trimmed(PQresultErrorMessage(result)) + " (in: " +
                           sql.substr(0, 200) + ")");
  }
  PQclear(result);
  PQfinish(conn);
  return out;
}

Result<std::vector<std::vector<std::string>>> QueryPostgres(const std::string& url,
                                                            const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable("cannot connect to " + url + ": " + message);
  }
  PGresult* result = PQexec(conn, sql.c_str());
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    Status error = Status::Internal("postgresql: " + Trimmed(PQresultErrorMessage(result)) +
                                    " (in: " + sql.substr(0, 200) + ")");
    PQclear(result);
    PQfinish(conn);
    return error;
  }
  std::vector<std::vector<std::string>> rows(static_cast<size_t>(PQntuples(result)));
  for (int r = 0; r < PQntuples(result); ++r) {
    for (int c = 0; c < PQnfields(result); ++c) rows[r].emplace_back(PQgetvalue(result, r, c));
  }
  PQclear(result);
  PQfinish(conn);
  return rows;
}

Result<int64_t> QueryPostgresInt(const std::string& url, const std::string& sql) {
  TD_ASSIGN_OR_RETURN(auto rows, QueryPostgres(url, sql));
  if (rows.size() != 1 || rows[0].size() != 1) {
    return Status::Internal("expected one value from: " + sql);
  }
  return std::stoll(rows[0][0]);
}

Result<std::unique_ptr<ScratchPostgresDatabase>> ScratchPostgresDatabase::Create(
    const std::string& template_database) {
  TD_ASSIGN_OR_RETURN(std::string admin, PostgresAdminUrl());
  static std::atomic<int> counter{0};
  std::random_device device;
  const std::string name = "tdtest_" + std::to_string(::getpid()) + "_" +
                           std::to_string(counter.fetch_add(1)) + "_" +
                           std::to_string(device() % 100000);
  TD_RETURN_IF_ERROR(ExecPostgres(
      admin, "CREATE DATABASE " + name +
                 (template_database.empty() ? "" : " TEMPLATE " + template_database)));
  return std::unique_ptr<ScratchPostgresDatabase>(
      new ScratchPostgresDatabase(admin, name, WithDatabase(admin, name)));
}

ScratchPostgresDatabase::~ScratchPostgresDatabase() {
  // Best effort: a database left behind vanishes with the throwaway cluster.
  (void)ExecPostgres(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

}  // namespace tinydata::test
