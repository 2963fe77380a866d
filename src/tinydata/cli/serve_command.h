// `tinydata serve`: the annotation server.
//
//   tinydata serve --listen 127.0.0.1:8080 --database var/tinydata.db [--demo]
//                  [--web-root web/dist] [--lease-seconds 300] [--threads N]
//                  [--synchronous full|normal] [--maintenance-seconds 60]
//                  [--log-level info] [--no-access-log] [--game-config game.json]
//                  [--ledger-key-file ledger.key] [--clock-start 2026-11-02T09:00:00Z]
//                  [--max-connections N] [--client-connections N] [--client-rate R]
//                  [--client-burst B] [--trusted-proxy ADDR]... [--max-body-memory-mib M]
//
// Opens (or creates) the SQLite database, loads the platform, optionally seeds the demo project,
// serves the API and the web app, runs the periodic maintenance (re-inference, lease expiry)
// and logs structured `key=value` lines with spdlog. SIGTERM/SIGINT stop it gracefully:
// requests in flight finish, every acknowledged write is durable, exit code 0.
//
// Also the helpers that `user`, `import` and `export` share with it.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tinydata/core/status.h"
#include "tinydata/quality/holds.h"
#include "tinydata/service/clock.h"
#include "tinydata/service/game_service.h"
#include "tinydata/service/platform.h"
#include "tinydata/store/store.h"

namespace tinydata::cli {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string database = "var/tinydata.db";
  bool demo = false;
  std::string web_root;  // empty: FindWebRoot()
  int64_t lease_seconds = 300;
  int threads = 0;  // I/O threads; 0: one per core
  std::string synchronous = "full";
  int64_t maintenance_seconds = 60;
  std::string log_level = "info";
  bool access_log = true;
  std::string game_config;  // JSON file of game rule parameters (GameConfigFromJson); empty: defaults
  // File with the ledger's Ed25519 signing key (ledger/checkpoint.h FormatSigningKey form),
  // created with mode 0600 when missing; empty: the key kept in the database's settings.
  std::string ledger_key_file;
  // File holding the last ledger checkpoint this server saw (a signed note), kept outside the
  // database: at start the ledger must extend it, or the server refuses to run on a database
  // that was rolled back. Empty: <ledger_key_file>.checkpoint, else <database>.checkpoint for
  // an SQLite file, else none.
  std::string checkpoint_file;
  // RFC 3339 instant the server's clock starts at (then runs at real speed; OffsetClock), for
  // demos, replays and tests; empty: the system clock.
  std::string clock_start;
  // Limits of the HTTP server (http::ServerOptions): all connections, and per client address
  // the open connections and the request rate (0: no limit); reverse proxies whose
  // X-Forwarded-For names the client; the bytes of request bodies held at once.
  int64_t max_connections = 10'000;
  int64_t client_connections = 64;
  double client_rate = 100;
  double client_burst = 300;
  std::vector<std::string> trusted_proxies;
  int64_t max_body_memory_mib = 256;
  // Sessions end after this long unused, or this old (service::PlatformOptions::session_*).
  double session_idle_hours = 7 * 24;
  double session_max_days = 30;
  // Sign-in throttling (service::PlatformOptions::login_*).
  int login_failures_per_account = 5;
  int login_failures_per_address = 20;
  // When answers are held for review (quality::HoldRules).
  quality::HoldRules hold_rules;
};

void RegisterServeCommand(CLI::App& app);

// Runs the server until SIGTERM/SIGINT. Errors: a bad option value (naming it), a database
// that cannot be opened, a port that cannot be bound.
Status RunServe(const ServeOptions& options);

// The store, clock and platform of one database, closed in the right order on destruction.
struct OpenedPlatform {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::Clock> clock;
  std::unique_ptr<service::Platform> platform;

  OpenedPlatform() = default;
  OpenedPlatform(OpenedPlatform&&) = default;
  OpenedPlatform& operator=(OpenedPlatform&&) = default;
  ~OpenedPlatform();
};

// Opens the database at `path` (creating its directory and the file when missing) and loads
// the platform from it, timed by `clock` (null: the system clock).
Result<OpenedPlatform> OpenPlatformAt(const std::string& path,
                                      const store::StoreOptions& store_options,
                                      const service::PlatformOptions& platform_options,
                                      std::unique_ptr<service::Clock> clock = nullptr);

// Reads the ledger signing key from `path`, or generates one and writes it there (mode 0600,
// never overwriting a file that appeared meanwhile) when no file exists. Returns the key text in
// FormatSigningKey form. InvalidArgument naming "ledger-key-file", with the path and the reason,
// for an unreadable or malformed file or one that cannot be created.
Result<std::string> LoadOrCreateLedgerKeyFile(const std::string& path);

// The principal the offline commands (import, export) act as: an administrator.
service::Principal OperatorPrincipal();

inline constexpr char kDemoRequesterEmail[] = "demo-requester@tinydata.local";
inline constexpr char kDemoRequesterPassword[] = "demo-requester";

inline constexpr int64_t kDemoRequesterCreditAia = 10'000;
inline constexpr int64_t kDemoBudgetAia = 2'000;
inline constexpr int64_t kDemoCheckinPoolAia = 100'000;

// Seeds the demo when it is not there yet (no user kDemoRequesterEmail): a requester credited
// kDemoRequesterCreditAia, an active single-choice text project with a few gold items funded
// with kDemoBudgetAia of it, and kDemoCheckinPoolAia in the check-in pool, so a newly registered
// annotator can answer, earn and level up at once. Returns the demo project's id, or nullopt
// when it was already seeded.
Result<std::optional<int64_t>> SeedDemo(service::Platform& platform, service::GameService& game);

// Where the built web app is: the first of <repo>/web/dist found by walking up from the
// executable's directory, then ./web/dist, that holds an index.html. nullopt when none does.
std::optional<std::filesystem::path> FindWebRoot();

}  // namespace tinydata::cli
