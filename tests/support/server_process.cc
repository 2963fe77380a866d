#include "support/server_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace tinydata::test {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

Result<uint16_t> PickFreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::Unavailable(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string error = std::strerror(errno);
    ::close(fd);
    return Status::Unavailable("cannot pick a free port: " + error);
  }
  ::close(fd);
  return static_cast<uint16_t>(ntohs(addr.sin_port));
}

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(ServerProcessOptions options) {
  if (!fs::is_regular_file(options.binary)) {
    return Status::InvalidArgument("no server binary at " + options.binary.string(), "binary");
  }
  std::unique_ptr<ServerProcess> process(new ServerProcess(std::move(options)));
  std::string dir_template = (fs::temp_directory_path() / "tinydata-test-XXXXXX").string();
  if (::mkdtemp(dir_template.data()) == nullptr) {
    return Status::Unavailable(std::string("mkdtemp: ") + std::strerror(errno));
  }
  process->directory_ = dir_template;
  if (process->options_.database_url.empty() && BackendFromEnvironment() == Backend::kPostgres) {
    TD_ASSIGN_OR_RETURN(process->scratch_, ScratchPostgresDatabase::Create());
  }

  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    TD_ASSIGN_OR_RETURN(process->port_, PickFreePort());
    last = process->Launch();
    if (last.ok()) last = process->WaitHealthy();
    if (last.ok()) return process;
    if (process->running()) break;  // alive but unhealthy: another port will not help
  }
  return last;
}

ServerProcess::~ServerProcess() {
  if (running()) {
    if (!Stop().ok()) Kill();
  }
  if (!options_.keep_directory && !directory_.empty()) {
    std::error_code ec;
    fs::remove_all(directory_, ec);
  }
}

Status ServerProcess::Launch() {
  std::vector<std::string> args = {options_.binary.string(),
                                   "serve",
                                   "--listen",
                                   "127.0.0.1:" + std::to_string(port_),
                                   "--database",
                                   database_url()};
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log_path = (directory_ / "server.log").string();
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) return Status::Unavailable(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Only async-signal-safe calls from here on.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
      ::close(log);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  return Status::Ok();
}

Status ServerProcess::WaitHealthy() {
  const auto deadline = Clock::now() + options_.startup_timeout;
  HttpClient client("127.0.0.1", port_, std::chrono::milliseconds(1000));
  while (Clock::now() < deadline) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("the server exited during startup; log:\n" + log_text());
    }
    Result<HttpResponse> health = client.Get("/healthz");
    if (health.ok() && health->status == 200) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Unavailable("the server did not answer /healthz within " +
                             std::to_string(options_.startup_timeout.count()) + " ms; log:\n" +
                             log_text());
}

Result<int> ServerProcess::Reap(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int wstatus = 0;
    const pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
      if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
      return Status::Internal("unexpected wait status " + std::to_string(wstatus));
    }
    if (r < 0) {
      pid_ = -1;
      return Status::Internal(std::string("waitpid: ") + std::strerror(errno));
    }
    if (Clock::now() >= deadline) {
      return Status::Unavailable("the server did not exit within " +
                                 std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<int> ServerProcess::Stop(std::chrono::milliseconds timeout) {
  if (!running()) return Status::FailedPrecondition("the server is not running");
  ::kill(pid_, SIGTERM);
  Result<int> code = Reap(timeout);
  if (!code.ok() && running()) {
    Kill();
    return Status::Unavailable("the server ignored SIGTERM for " +
                               std::to_string(timeout.count()) + " ms and was killed");
  }
  return code;
}

void ServerProcess::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int wstatus = 0;
  ::waitpid(pid_, &wstatus, 0);
  pid_ = -1;
}

Status ServerProcess::Restart() {
  if (running()) return Status::FailedPrecondition("the server is still running");
  Status status;
  // The old socket may linger briefly; the server sets SO_REUSEADDR, so a few tries suffice.
  for (int attempt = 0; attempt < 3; ++attempt) {
    TD_RETURN_IF_ERROR(Launch());
    status = WaitHealthy();
    if (status.ok() || running()) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return status;
}

std::string ServerProcess::log_text() const {
  std::ifstream in(directory_ / "server.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int64_t ServerProcess::ResidentBytes() const {
  if (pid_ <= 0) return 0;
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;  // kB
  }
  return 0;
}

}  // namespace tinydata::test
