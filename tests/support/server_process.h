// ServerProcess: runs the real `tinydata serve` binary for integration tests, on a free loopback
// port with a database in a fresh temporary directory, and waits until GET /healthz answers 200.
//
//   auto server = ServerProcess::Start({.binary = TINYDATA_BINARY});
//   ASSERT_TRUE(server.ok()) << server.status().ToString();
//   HttpClient client = (*server)->Client();
//
// The child's stdout and stderr go to `server.log` in the temporary directory (quiet tests);
// log_text() returns it for failure messages. The child is killed if the test process dies.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/http_client.h"
#include "support/postgres.h"
#include "tinydata/core/status.h"

namespace tinydata::test {

struct ServerProcessOptions {
  // Path of the tinydata executable.
  std::filesystem::path binary;
  // Appended after `serve --listen 127.0.0.1:<port> --database <database>`.
  std::vector<std::string> extra_args;
  // The --database argument. Empty: a fresh database of the backend the environment names
  // (support/postgres.h): a SQLite file `tinydata.db` in the temporary directory, or a scratch
  // PostgreSQL database dropped with the process object. Several processes share one database
  // when they are given the same URL here.
  std::string database_url;
  std::chrono::milliseconds startup_timeout{15'000};
  // Keep the temporary directory (database, log) after the process object is destroyed.
  bool keep_directory = false;
};

class ServerProcess {
 public:
  // Picks a free port, starts the server and waits for /healthz. Retries with another port
  // when the first one was taken in the meantime. Unavailable (with the log's tail) when the
  // server exits or does not become healthy in time.
  static Result<std::unique_ptr<ServerProcess>> Start(ServerProcessOptions options);

  // Stops the server (SIGTERM, then SIGKILL after 10 s) and removes the temporary directory.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  const std::filesystem::path& directory() const { return directory_; }
  // The SQLite file used when no database_url was given and the backend is SQLite.
  std::filesystem::path database_path() const { return directory_ / "tinydata.db"; }
  // What --database receives.
  std::string database_url() const {
    if (!options_.database_url.empty()) return options_.database_url;
    return scratch_ ? scratch_->url() : database_path().string();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // A new keep-alive client for this server.
  HttpClient Client() const { return HttpClient("127.0.0.1", port_); }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // The resident memory of the running server (VmRSS), in bytes; 0 when unknown.
  int64_t ResidentBytes() const;

  // Graceful stop: SIGTERM, wait up to `timeout` (then SIGKILL). Returns the exit code, or
  // 128 + signal number when the process died of a signal.
  Result<int> Stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Crash: SIGKILL and reap.
  void Kill();
  // Starts the binary again on the same port and database (after Stop or Kill) and waits for
  // /healthz.
  Status Restart();
  // Replaces ServerProcessOptions::extra_args for the next Restart() (e.g. another
  // --clock-start); the running process, if any, is not affected.
  void SetExtraArgs(std::vector<std::string> extra_args) {
    options_.extra_args = std::move(extra_args);
  }
  const std::vector<std::string>& extra_args() const { return options_.extra_args; }

  // The child's combined stdout/stderr so far.
  std::string log_text() const;

 private:
  explicit ServerProcess(ServerProcessOptions options) : options_(std::move(options)) {}
  Status Launch();
  Status WaitHealthy();
  Result<int> Reap(std::chrono::milliseconds timeout);

  ServerProcessOptions options_;
  std::unique_ptr<ScratchPostgresDatabase> scratch_;  // dropped after ~ServerProcess stopped the server
  std::filesystem::path directory_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
Result<uint16_t> PickFreePort();

}  // namespace tinydata::test
