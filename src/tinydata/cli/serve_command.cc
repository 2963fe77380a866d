#include "tinydata/cli/serve_command.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/thread_pool.hpp>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "tinydata/cli/app.h"
#include "tinydata/http/api.h"
#include "tinydata/http/api_meta.h"
#include "tinydata/http/server.h"
#include "tinydata/http/static_files.h"
#include "tinydata/io/task_import.h"
#include "tinydata/ledger/checkpoint.h"
#include "tinydata/service/game_service.h"
#include "tinydata/service/ledger_service.h"

namespace tinydata::cli {

namespace fs = std::filesystem;

OpenedPlatform::~OpenedPlatform() {
  // The platform queues writes to the store; drop it first, then make everything durable.
  platform.reset();
  if (store) store->Close();
}

Result<OpenedPlatform> OpenPlatformAt(const std::string& path,
                                      const store::StoreOptions& store_options,
                                      const service::PlatformOptions& platform_options,
                                      std::unique_ptr<service::Clock> clock) {
  if (path.empty()) return Status::InvalidArgument("must not be empty", "database");
  const fs::path parent =
      store::IsDatabaseUrl(path) ? fs::path() : fs::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) {
      return Status::Unavailable("cannot create the directory " + parent.string() + ": " +
                                 ec.message());
    }
  }
  OpenedPlatform opened;
  TD_ASSIGN_OR_RETURN(opened.store, store::OpenStore(path, store_options));
  opened.clock = clock ? std::move(clock) : std::make_unique<service::SystemClock>();
  TD_ASSIGN_OR_RETURN(opened.platform, service::Platform::Open(opened.store.get(),
                                                               opened.clock.get(),
                                                               platform_options));
  return opened;
}

// Writes all of `text` to `fd`, syncs it to disk and closes it (also on failure). Empty on
// success, else the reason.
std::string WriteSyncClose(int fd, std::string_view text) {
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string error = std::strerror(errno);
      ::close(fd);
      return error;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const std::string error = std::strerror(errno);
    ::close(fd);
    return error;
  }
  if (::close(fd) != 0) return std::strerror(errno);
  return {};
}

Result<std::string> LoadOrCreateLedgerKeyFile(const std::string& path) {
  auto bad = [&path](const std::string& why) {
    return Status::InvalidArgument(path + ": " + why, "ledger-key-file");
  };
  if (path.empty()) return bad("the path is empty");
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    TD_ASSIGN_OR_RETURN(ledger::SigningKey key, ledger::GenerateSigningKey("tinydata-ledger"));
    const std::string text = ledger::FormatSigningKey(key) + "\n";
    // O_EXCL: never overwrite a key that another process wrote meanwhile.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return bad(std::string("cannot create the key file: ") + std::strerror(errno));
    if (const std::string error = WriteSyncClose(fd, text); !error.empty()) {
      ::unlink(path.c_str());
      return bad("cannot write the key file: " + error);
    }
    spdlog::info("ledger key generated path={} verifier_key={}", path,
                 ledger::FormatVerifierKey(ledger::VerifierKeyOf(key)));
  }
  if (!fs::is_regular_file(path, ec)) return bad("not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad(std::string("cannot read the key file: ") + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return bad("the key file is empty");
  Result<ledger::SigningKey> key = ledger::ParseSigningKey(text);
  if (!key.ok()) return bad("not a ledger signing key: " + key.status().message());
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    spdlog::warn("ledger key file is readable by others path={} (chmod 600 it)", path);
  }
  return text;
}

// Replaces `path` with `text` so that a crash leaves the old or the new file, never a torn one.
Status WriteFileAtomically(const std::string& path, std::string_view text) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Unavailable("cannot create " + temp + ": " + std::strerror(errno));
  if (const std::string error = WriteSyncClose(fd, text); !error.empty()) {
    return Status::Unavailable("cannot write " + temp + ": " + error);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return Status::Unavailable("cannot write " + path + ": " + std::strerror(errno));
  }
  const std::string dir = fs::path(path).parent_path().empty()
                              ? std::string(".")
                              : fs::path(path).parent_path().string();
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::Ok();
}

// The last checkpoint this server saw, kept in a file outside the database, so that a database
// rolled back (restored from an older copy, its last entries deleted with their checkpoints)
// or rewritten (re-signed with the key it holds) does not go unnoticed: at start the ledger
// must extend the saved checkpoint, and after each sequencer period the newer checkpoint is
// checked the same way and saved.
class CheckpointWitness {
 public:
  CheckpointWitness(std::string path, service::LedgerService* ledger)
      : path_(std::move(path)), ledger_(ledger) {}

  // FailedPrecondition naming "checkpoint-file" when the ledger does not extend the file's
  // checkpoint; InvalidArgument when the file is not a checkpoint of this ledger.
  Status CheckAtStart() {
    std::error_code ec;
    if (fs::exists(path_, ec)) {
      std::ifstream in(path_, std::ios::binary);
      if (!in) return Status::InvalidArgument(path_ + ": cannot read", "checkpoint-file");
      const std::string note((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
      Result<service::SignedCheckpoint> latest = ledger_->CheckExtends(note);
      if (latest.ok()) {
        note_ = note;
        spdlog::info("ledger extends the saved checkpoint path={} saved_size={} tree_size={}",
                     path_, TreeSize(note), latest->checkpoint.tree_size);
        return Save(latest->note);
      }
      if (latest.status().code() == StatusCode::kNotFound) return Status::Ok();
      if (latest.status().code() == StatusCode::kDataLoss) {
        return Status::FailedPrecondition(
            path_ + ": " + latest.status().message() +
                ". Run `tinydata ledger verify --trusted-checkpoint " + path_ +
                "` to see what changed; to accept the ledger as it now is, move the file away",
            "checkpoint-file");
      }
      return Status::InvalidArgument(path_ + ": " + latest.status().message(), "checkpoint-file");
    }
    Result<service::SignedCheckpoint> latest = ledger_->LatestCheckpoint();
    if (latest.ok()) return Save(latest->note);
    return Status::Ok();
  }

  // From the sequencer's thread.
  void Update() {
    Result<service::SignedCheckpoint> latest =
        note_.empty() ? ledger_->LatestCheckpoint() : ledger_->CheckExtends(note_);
    if (latest.ok()) {
      if (latest->note == note_) return;
      if (Status saved = Save(latest->note); !saved.ok()) {
        spdlog::warn("ledger checkpoint not saved: {}", saved.ToString());
      }
      return;
    }
    if (latest.status().code() == StatusCode::kNotFound) return;
    if (latest.status().message() != last_error_) {
      last_error_ = latest.status().message();
      spdlog::error("ledger checkpoint check failed: {} (keeping {})", last_error_, path_);
    }
  }

 private:
  static uint64_t TreeSize(std::string_view note) {
    // The second line of the note; only for the log line.
    const size_t a = note.find('\n');
    if (a == std::string_view::npos) return 0;
    uint64_t size = 0;
    std::from_chars(note.data() + a + 1, note.data() + note.size(), size);
    return size;
  }

  Status Save(const std::string& note) {
    if (note == note_) return Status::Ok();
    TD_RETURN_IF_ERROR(WriteFileAtomically(path_, note));
    note_ = note;
    last_error_.clear();
    return Status::Ok();
  }

  const std::string path_;
  service::LedgerService* const ledger_;
  std::string note_;        // the checkpoint last saved
  std::string last_error_;  // logged once per distinct failure
};

std::string CheckpointFilePath(const ServeOptions& options) {
  if (!options.checkpoint_file.empty()) return options.checkpoint_file;
  if (!options.ledger_key_file.empty()) return options.ledger_key_file + ".checkpoint";
  if (store::IsDatabaseUrl(options.database)) return {};
  std::string_view path = options.database;
  if (path.starts_with("sqlite://")) path.remove_prefix(9);  // the file a sqlite:// URL names
  return std::string(path) + ".checkpoint";
}

service::Principal OperatorPrincipal() {
  service::Principal principal;
  principal.user_id = 0;
  principal.roles = store::kRoleAdmin | store::kRoleRequester;
  principal.level = 1 << 20;
  return principal;
}

namespace {

struct DemoItem {
  const char* text;
  const char* gold;  // nullptr: not a gold item
};

// Short product reviews: easy enough that a newcomer's first answers are right, with a few
// gold items to show the instant feedback.
constexpr DemoItem kDemoItems[] = {
    {"The battery lasts two full days and it charges in under an hour. Love it.", "positive"},
    {"Stopped working after a week and support never answered my emails.", "negative"},
    {"Exactly as described, arrived early, would buy again.", nullptr},
    {"The strap broke the first time I used it.", nullptr},
    {"Sound quality is crisp and the noise cancelling is excellent.", "positive"},
    {"Way too small, the picture on the website is misleading.", nullptr},
    {"Setup took two minutes and everything just worked.", nullptr},
    {"It smells of burnt plastic whenever it runs.", "negative"},
    {"Comfortable, warm and the colour matches the photos.", nullptr},
    {"The app crashes every time I try to pair it.", nullptr},
    {"Great value for the price, my kids use it every day.", nullptr},
    {"Arrived with a cracked screen and the box was soaked.", nullptr},
    {"Sturdy, quiet and easy to clean. Five stars.", nullptr},
    {"The instructions were missing and two screws were the wrong size.", nullptr},
    {"My coffee tastes better than it ever did with the old machine.", nullptr},
    {"Returned it: the fan is louder than a hair dryer.", nullptr},
    {"Perfect fit for my phone and the buttons still click nicely.", nullptr},
    {"Charges slowly and gets very hot.", nullptr},
    {"Beautiful print quality, the colours really pop.", nullptr},
    {"The zipper jammed on day one and tore the fabric.", nullptr},
};

std::string DemoTasksJsonl() {
  std::string out;
  for (const DemoItem& item : kDemoItems) {
    nlohmann::json row = {{"data", {{"text", item.text}}}};
    if (item.gold != nullptr) row["gold"] = item.gold;
    out += row.dump();
    out += '\n';
  }
  return out;
}

// Structured log lines: `2026-11-25T08:14:34.123Z info key=value ...` on stderr.
void ConfigureLogging(const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>(
      "tinydata", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

std::string StatsLine(const store::WriteStats& s) {
  return fmt::format(
      "commits={} batches={} failed_batches={} answers={} answers_per_commit={:.2f} "
      "max_answers_per_commit={} max_batches_per_commit={}",
      s.commits, s.batches, s.failed_batches, s.answers,
      s.commits == 0 ? 0.0 : static_cast<double>(s.answers) / static_cast<double>(s.commits),
      s.max_answers_per_commit, s.max_batches_per_commit);
}

// Runs the platform's maintenance every `period` until Stop().
class MaintenanceLoop {
 public:
  MaintenanceLoop(service::Platform& platform, std::chrono::seconds period)
      : platform_(platform), period_(period), thread_([this] { Run(); }) {}
  ~MaintenanceLoop() { Stop(); }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, period_, [this] { return stop_; })) {
      lock.unlock();
      const auto start = std::chrono::steady_clock::now();
      Status status = platform_.RunMaintenance();
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
      if (status.ok()) {
        spdlog::info("maintenance status=ok duration_ms={} {}", ms,
                     StatsLine(platform_.write_stats()));
      } else {
        spdlog::warn("maintenance status=error duration_ms={} error=\"{}\"", ms,
                     status.ToString());
      }
      lock.lock();
    }
  }

  service::Platform& platform_;
  const std::chrono::seconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

Result<std::optional<int64_t>> SeedDemo(service::Platform& platform, service::GameService& game) {
  // The demo requester's existence is the marker, so a restart with --demo seeds nothing.
  Result<store::User> requester = [&]() -> Result<store::User> {
    return platform.AddUser(kDemoRequesterEmail, kDemoRequesterPassword, "Demo requester",
                            store::kRoleRequester);
  }();
  if (!requester.ok()) {
    if (requester.status().code() == StatusCode::kAlreadyExists) {
      return std::optional<int64_t>();
    }
    return requester.status();
  }
  service::Principal owner;
  owner.user_id = requester->id;
  owner.roles = requester->roles;
  owner.level = requester->level;
  const nlohmann::json input = {
      {"title", "Product review sentiment"},
      {"instructions",
       "Read the customer review and choose whether it is positive or negative about the "
       "product."},
      {"question",
       {{"type", "single_choice"},
        {"options",
         {{{"value", "positive"}, {"label", "Positive"}},
          {{"value", "negative"}, {"label", "Negative"}}}}}},
      {"domain", "general"},
      {"tier", 1},
      {"min_level", 1},
      {"overlap", {{"min_answers", 3}, {"max_answers", 5}, {"target_confidence", 0.9}}},
      {"reward_aia", 10},
      {"gold_rate", 0.2}};
  TD_ASSIGN_OR_RETURN(store::Project project, platform.CreateProject(owner, input));
  // The demo pays for real: the operator credits the demo requester (as for an invoice paid)
  // and the check-in pool, and the requester funds the project from that credit.
  TD_RETURN_IF_ERROR(
      game.GrantCredit(game.accounts().OfUser(requester->id), kDemoRequesterCreditAia, "demo-requester")
          .status());
  TD_RETURN_IF_ERROR(
      game.GrantCredit(ledger::kCheckinPoolAccount, kDemoCheckinPoolAia, "demo-checkin-pool")
          .status());
  TD_RETURN_IF_ERROR(
      game.FundProject(requester->id, project.id, kDemoBudgetAia, "demo-budget").status());
  service::ImportOutcome imported =
      platform.ImportTasks(owner, project.id, io::TaskFormat::kJsonl, DemoTasksJsonl());
  if (!imported.status.ok()) {
    std::string message = "demo import failed: " + imported.status.message();
    for (const io::ImportRowError& e : imported.row_errors) {
      message += "; line " + std::to_string(e.line) + " " + e.field + ": " + e.message;
    }
    return Status::Internal(message);
  }
  return std::optional<int64_t>(project.id);
}

std::optional<fs::path> FindWebRoot() {
  auto has_index = [](const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / "index.html", ec);
  };
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      if (has_index(dir / "web" / "dist")) return dir / "web" / "dist";
      if (dir == dir.root_path()) break;
    }
  }
  const fs::path cwd = fs::current_path(ec);
  if (!ec && has_index(cwd / "web" / "dist")) return cwd / "web" / "dist";
  return std::nullopt;
}

Status RunServe(const ServeOptions& options) {
  ConfigureLogging(options.log_level);
  http::ServerOptions server_options;
  TD_RETURN_IF_ERROR(http::ParseListenAddress(options.listen, &server_options, "listen"));
  if (options.lease_seconds < 1) {
    return Status::InvalidArgument("must be at least 1", "lease-seconds");
  }
  if (options.maintenance_seconds < 1) {
    return Status::InvalidArgument("must be at least 1", "maintenance-seconds");
  }
  std::unique_ptr<service::Clock> clock;
  if (!options.clock_start.empty()) {
    Result<int64_t> start_ms = service::ParseRfc3339Ms(options.clock_start);
    if (!start_ms.ok()) {
      return Status::InvalidArgument(start_ms.status().message(), "clock-start");
    }
    clock = std::make_unique<service::OffsetClock>(*start_ms);
  }
  service::LedgerOptions ledger_options;
  if (!options.ledger_key_file.empty()) {
    TD_ASSIGN_OR_RETURN(ledger_options.signing_key,
                        LoadOrCreateLedgerKeyFile(options.ledger_key_file));
  }
  server_options.threads = options.threads;
  server_options.shutdown_on_signals = true;
  server_options.access_log = options.access_log;
  if (options.max_connections < 1) {
    return Status::InvalidArgument("must be at least 1", "max-connections");
  }
  if (options.client_connections < 0) {
    return Status::InvalidArgument("must be 0 (no limit) or more", "client-connections");
  }
  if (!(options.client_rate >= 0) || !(options.client_burst >= 0)) {
    return Status::InvalidArgument("must be 0 (no limit) or more", "client-rate");
  }
  if (options.max_body_memory_mib < 1) {
    return Status::InvalidArgument("must be at least 1", "max-body-memory-mib");
  }
  server_options.max_connections = static_cast<size_t>(options.max_connections);
  server_options.client_limits.max_connections_per_address =
      static_cast<size_t>(options.client_connections);
  server_options.client_limits.requests_per_second = options.client_rate;
  server_options.client_limits.burst = std::max(options.client_burst, 1.0);
  server_options.max_inflight_body_bytes = static_cast<size_t>(options.max_body_memory_mib) << 20;
  for (const std::string& proxy : options.trusted_proxies) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(proxy, ec);
    if (ec) return Status::InvalidArgument("\"" + proxy + "\" is not an IP address", "trusted-proxy");
  }
  server_options.trusted_proxies = options.trusted_proxies;

  store::StoreOptions store_options;
  store_options.synchronous = options.synchronous;
  service::PlatformOptions platform_options;
  platform_options.lease_seconds = options.lease_seconds;
  if (options.login_failures_per_account < 0 || options.login_failures_per_address < 0) {
    return Status::InvalidArgument("must be 0 (no limit) or more", "login-failures-per-account");
  }
  platform_options.login_failures_per_account = options.login_failures_per_account;
  if (!(options.session_idle_hours > 0) || !(options.session_max_days > 0)) {
    return Status::InvalidArgument("must be positive", "session-idle-hours");
  }
  platform_options.session_idle_ms = static_cast<int64_t>(options.session_idle_hours * 3'600'000);
  platform_options.session_max_age_ms = static_cast<int64_t>(options.session_max_days * 86'400'000);
  platform_options.login_failures_per_address = options.login_failures_per_address;
  const quality::HoldRules& holds = options.hold_rules;
  if (!(holds.fast_fraction >= 0 && holds.fast_fraction <= 1)) {
    return Status::InvalidArgument("must be in [0, 1] (0: never)", "hold-fast-fraction");
  }
  if (holds.min_typical_ms < 1 || holds.min_timed_answers < 1) {
    return Status::InvalidArgument("must be at least 1", "hold-min-typical-ms");
  }
  if (holds.fast_answers_to_hold_worker < 1) {
    return Status::InvalidArgument("must be at least 1", "hold-fast-answers");
  }
  if (!(holds.spam_score > 0 && holds.spam_score <= 1.0001)) {
    return Status::InvalidArgument("must be in (0, 1]; over 1: never", "hold-spam-score");
  }
  platform_options.hold_rules = holds;
  TD_ASSIGN_OR_RETURN(OpenedPlatform opened,
                      OpenPlatformAt(options.database, store_options, platform_options,
                                     std::move(clock)));
  service::Platform& platform = *opened.platform;
  spdlog::info("database {}={} synchronous={} shared={}",
               store::IsDatabaseUrl(options.database) ? "url" : "path",
               store::RedactedDatabaseUrl(options.database), options.synchronous,
               opened.store->shared());
  if (!options.clock_start.empty()) {
    spdlog::warn("clock starts at {} (--clock-start), not the system time",
                 service::FormatRfc3339(opened.clock->NowMs()));
  }

  fs::path web_root;
  if (!options.web_root.empty()) {
    web_root = options.web_root;
  } else if (std::optional<fs::path> found = FindWebRoot()) {
    web_root = *found;
  } else {
    web_root = "web/dist";
    spdlog::warn("web root not found (build it with `make web`); serving the API only");
  }

  // Handlers that wait for the store (game, ledger); a shared database answers over the network,
  // so more of them wait at once.
  boost::asio::thread_pool blocking_pool(opened.store->shared() ? 8 : 2);
  // Password hashing on half the cores at most, so the other half keeps serving everyone else
  // during a flood of sign-ins; 64 may wait, more are turned away (503).
  http::WorkQueue password_work(std::max(1u, std::thread::hardware_concurrency() / 2), 64);
  http::ApiContext context;
  context.platform = &platform;
  context.blocking_pool = &blocking_pool;
  context.password_work = &password_work;
  context.version = Version();
  // Rewards and the verifiable ledger: settlement of retired tasks, game endpoints,
  // and the sequencer that signs checkpoints every few seconds.
  game::GameConfig game_config;
  if (!options.game_config.empty()) {
    std::ifstream in(options.game_config, std::ios::binary);
    if (!in) {
      return Status::InvalidArgument("cannot read the game configuration file " +
                                         options.game_config,
                                     "--game-config");
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Result<game::GameConfig> parsed = service::GameConfigFromJson(text);
    if (!parsed.ok()) {
      return Status::InvalidArgument(options.game_config + ": " + parsed.status().message(),
                                     parsed.status().field());
    }
    game_config = std::move(parsed).value();
  }
  TD_ASSIGN_OR_RETURN(std::unique_ptr<service::GameService> game,
                      service::GameService::Create(opened.store.get(), opened.clock.get(),
                                                   std::move(game_config)));
  platform.SetRetirementHook(game->MakeRetirementHook());
  platform.SetLeaseGate(game->MakeLeaseGate());
  game->SetLevelChangedListener([&platform](int64_t user_id) { platform.InvalidateUser(user_id); });
  if (options.demo) {
    TD_ASSIGN_OR_RETURN(std::optional<int64_t> demo, SeedDemo(platform, *game));
    if (demo) {
      spdlog::info("demo seeded project_id={} requester={} password={}", *demo,
                   kDemoRequesterEmail, kDemoRequesterPassword);
    } else {
      spdlog::info("demo already seeded requester={}", kDemoRequesterEmail);
    }
  }

  Result<std::unique_ptr<service::LedgerService>> opened_ledger =
      service::LedgerService::Open(opened.store.get(), opened.clock.get(), ledger_options);
  if (!opened_ledger.ok() && !options.ledger_key_file.empty() &&
      opened_ledger.status().field() == "signing_key") {
    return Status(opened_ledger.status().code(),
                  options.ledger_key_file + ": " + opened_ledger.status().message(),
                  "ledger-key-file");
  }
  TD_RETURN_IF_ERROR(opened_ledger.status());
  std::unique_ptr<service::LedgerService> ledger = std::move(opened_ledger).value();
  std::optional<CheckpointWitness> witness;
  if (const std::string path = CheckpointFilePath(options); !path.empty()) {
    witness.emplace(path, ledger.get());
    TD_RETURN_IF_ERROR(witness->CheckAtStart());
  } else {
    spdlog::warn(
        "no --checkpoint-file: a rollback of the shared database shows only to `tinydata ledger "
        "verify --trusted-checkpoint`");
  }
  context.game = game.get();
  context.ledger = ledger.get();
  http::Router router;
  http::RegisterApi(router, context);
  http::StaticFiles static_files(web_root);
  router.SetFallback(static_files.AsHandler());

  {
    http::Server server(server_options, std::move(router));
    TD_RETURN_IF_ERROR(server.Start());
    spdlog::info("listening address={}:{} web_root={} lease_seconds={} pid={}",
                 server_options.address, server.port(), web_root.string(), options.lease_seconds,
                 static_cast<long>(getpid()));
    MaintenanceLoop maintenance(platform, std::chrono::seconds(options.maintenance_seconds));
    service::SequencerJob sequencer(ledger.get(), std::chrono::seconds(2), [&witness] {
      if (witness) witness->Update();
    });
    server.Wait();
    // A handler still working on a pool after the shutdown grace holds its connection; the
    // connection must go before the server it belongs to, so the pools finish here.
    blocking_pool.join();
    password_work.Join();
    spdlog::info("shutting down: requests drained");
    maintenance.Stop();
    sequencer.Stop();
  }
  opened.store->Flush();
  spdlog::info("stopped {}", StatsLine(platform.write_stats()));
  return Status::Ok();
}

void RegisterServeCommand(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the annotation server (API and web app).");
  cmd->add_option("--listen", options->listen, "Address to listen on, IP:port or localhost:port")
      ->capture_default_str();
  cmd->add_option("--database", options->database,
                  "SQLite database file (created if missing), or postgresql://user@host:port/db "
                  "of a database that several servers may share")
      ->capture_default_str();
  cmd->add_flag("--demo", options->demo,
                "Seed a demo requester and project on first start, so a new user can answer");
  cmd->add_option("--web-root", options->web_root,
                  "Directory of the built web app (default: <repo>/web/dist)");
  cmd->add_option("--lease-seconds", options->lease_seconds,
                  "How long a leased task stays reserved for its annotator")
      ->capture_default_str();
  cmd->add_option("--threads", options->threads, "I/O threads (0: one per core)")
      ->capture_default_str();
  cmd->add_option("--synchronous", options->synchronous,
                  "SQLite: full fsyncs every commit; normal: a crash of the machine may lose the "
                  "last commits (PostgreSQL: the server's synchronous_commit decides)")
      ->check(CLI::IsMember({"full", "normal"}))
      ->capture_default_str();
  cmd->add_option("--maintenance-seconds", options->maintenance_seconds,
                  "Period of re-inference and lease expiry")
      ->capture_default_str();
  cmd->add_option("--game-config", options->game_config,
                  "JSON file of game rule parameters (XP, levels, check-in, caps, referrals); "
                  "see README")
      ->check(CLI::ExistingFile);
  cmd->add_option("--ledger-key-file", options->ledger_key_file,
                  "File with the ledger's Ed25519 signing key; generated (mode 0600) when missing. "
                  "Default: a key kept in the database");
  cmd->add_option("--checkpoint-file", options->checkpoint_file,
                  "File where the server keeps the last ledger checkpoint it saw; it refuses to "
                  "start on a ledger that does not extend it (rolled back or rewritten). "
                  "Default: <ledger-key-file>.checkpoint, or <database>.checkpoint for SQLite");
  cmd->add_option("--clock-start", options->clock_start,
                  "Start the server's clock at this RFC 3339 instant (e.g. 2026-11-02T09:00:00Z); "
                  "it then runs at real speed. For demos, replays and tests")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            Result<int64_t> ms = service::ParseRfc3339Ms(value);
            return ms.ok() ? std::string() : ms.status().message();
          },
          "RFC3339", "RFC 3339 instant"));
  cmd->add_option("--max-connections", options->max_connections,
                  "Open connections in all; more are answered 503")
      ->capture_default_str();
  cmd->add_option("--client-connections", options->client_connections,
                  "Open connections per client address (0: no limit); more are answered 429")
      ->capture_default_str();
  cmd->add_option("--client-rate", options->client_rate,
                  "Requests per second per client address (0: no limit); more are answered 429 "
                  "with Retry-After")
      ->capture_default_str();
  cmd->add_option("--client-burst", options->client_burst,
                  "Requests a client address may send at once before --client-rate applies")
      ->capture_default_str();
  cmd->add_option("--trusted-proxy", options->trusted_proxies,
                  "Address of a reverse proxy whose X-Forwarded-For names the client "
                  "(repeatable)");
  cmd->add_option("--max-body-memory-mib", options->max_body_memory_mib,
                  "MiB of request bodies held at once over all connections; more are answered 503")
      ->capture_default_str();
  cmd->add_option("--session-idle-hours", options->session_idle_hours,
                  "A session unused this long ends (sign in again)")
      ->capture_default_str();
  cmd->add_option("--session-max-days", options->session_max_days,
                  "A session this old ends, however often it is used")
      ->capture_default_str();
  cmd->add_option("--login-failures-per-account", options->login_failures_per_account,
                  "Failed sign-ins an account may make before it must wait (one more a minute; "
                  "0: no limit)")
      ->capture_default_str();
  cmd->add_option("--login-failures-per-address", options->login_failures_per_address,
                  "Failed sign-ins a client address may make before it must wait (one more every "
                  "6 s; 0: no limit)")
      ->capture_default_str();
  cmd->add_option("--hold-fast-fraction", options->hold_rules.fast_fraction,
                  "An answer faster than this share of the project's median answer time is held "
                  "for review (0: never)")
      ->capture_default_str();
  cmd->add_option("--hold-min-typical-ms", options->hold_rules.min_typical_ms,
                  "The fast rule applies once a project's median answer takes this long")
      ->capture_default_str();
  cmd->add_option("--hold-min-timed-answers", options->hold_rules.min_timed_answers,
                  "... and is taken over at least this many answers")
      ->capture_default_str();
  cmd->add_option("--hold-fast-answers", options->hold_rules.fast_answers_to_hold_worker,
                  "From this many fast answers on, all of a worker's answers are held")
      ->capture_default_str();
  cmd->add_option("--hold-spam-score", options->hold_rules.spam_score,
                  "A worker whose Dawid-Skene spam score reaches this has their answers held "
                  "(over 1: never)")
      ->capture_default_str();
  cmd->add_option("--hold-spam-min-answers", options->hold_rules.spam_min_answers,
                  "... once they gave at least this many answers in the project")
      ->capture_default_str();
  cmd->add_option("--log-level", options->log_level, "trace|debug|info|warn|error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  cmd->add_flag("!--no-access-log", options->access_log, "Do not log one line per request");
  cmd->callback([options] { ExitOnError("serve", RunServe(*options)); });
}

}  // namespace tinydata::cli
