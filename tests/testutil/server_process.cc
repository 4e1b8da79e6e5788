#include "tests/testutil/server_process.h"

#include <algorithm>

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
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace strata::testutil {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(20);

absl::StatusOr<std::string> make_temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/strata-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr)
    return absl::InternalError(std::string("mkdtemp: ") + std::strerror(errno));
  return tmpl;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// fork + exec with cwd, output redirected to `log_path`. Everything the child
// needs is prepared before fork: after it only async-signal-safe calls run.
absl::StatusOr<pid_t> fork_exec(const std::string& binary, const std::vector<std::string>& args,
                                const std::string& cwd, const std::string& log_path) {
  std::vector<std::string> argv_s;
  argv_s.push_back(binary);
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return absl::InternalError("open " + log_path + ": " + std::strerror(errno));
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return absl::InternalError(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Die with the test process, so a crashed test leaves no server behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  return pid;
}

// waitpid with a deadline; nullopt while the child still runs.
std::optional<int> wait_until(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode_wait_status(status);
    if (r < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPoll);
  }
}

}  // namespace

int decode_wait_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::start(
    const std::string& binary, std::vector<std::string> flags) {
  Options o;
  o.binary = binary;
  o.flags = std::move(flags);
  return start(std::move(o));
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::start(Options opts) {
  std::unique_ptr<ServerProcess> p(new ServerProcess());
  p->tls_ = opts.tls;
  p->client_config_ = opts.client_config;
  auto dir = make_temp_dir();
  if (!dir.ok()) return dir.status();
  p->work_dir_ = *dir;
  p->data_dir_ = p->work_dir_ + "/data";
  p->log_path_ = p->work_dir_ + "/strata.log";
  for (const auto& [name, content] : opts.files) {
    std::ofstream out(p->work_dir_ + "/" + name);
    out << content;
    if (!out) return absl::InternalError("cannot write " + p->work_dir_ + "/" + name);
  }
  auto given = [&](const std::string& prefix) {
    return std::any_of(opts.flags.begin(), opts.flags.end(),
                       [&](const std::string& f) { return f.rfind(prefix, 0) == 0; });
  };
  bool own_port = !given(opts.listen_flag);
  std::vector<std::string> args = opts.flags;
  if (!given(opts.data_flag)) args.push_back(opts.data_flag + p->data_dir_);

  // The port from free_port() can be taken by someone else before the server
  // binds it; then the server exits with "address already in use" and we
  // try another port.
  for (int attempt = 0;; ++attempt) {
    std::vector<std::string> a = args;
    if (own_port) {
      p->port_ = free_port();
      a.push_back(opts.listen_flag + "127.0.0.1:" + std::to_string(p->port_));
    } else {
      for (const auto& f : opts.flags) {
        if (f.rfind(opts.listen_flag, 0) == 0)
          p->port_ = std::atoi(f.substr(f.rfind(':') + 1).c_str());
      }
    }
    if (auto s = p->spawn(opts, a); !s.ok()) return s;
    if (p->exit_code_ && own_port && attempt < 3 &&
        p->log().find("address already in use") != std::string::npos)
      continue;
    if (p->exit_code_)
      return absl::FailedPreconditionError("strata exited with code " +
                                           std::to_string(*p->exit_code_) + ":\n" + p->log());
    return p;
  }
}

absl::Status ServerProcess::spawn(const Options& opts, const std::vector<std::string>& args) {
  exit_code_.reset();
  auto pid = fork_exec(opts.binary, args, work_dir_, log_path_);
  if (!pid.ok()) return pid.status();
  pid_ = *pid;
  auto deadline = Clock::now() + opts.ready_timeout;
  for (;;) {
    if (auto code = wait_until(pid_, Clock::now())) {
      exit_code_ = *code;
      return absl::OkStatus();  // start() reports it
    }
    if (port_ == 0) port_ = logged_port(log());  // --web.listen-address=host:0
    HttpClient c(host(), port_, std::chrono::seconds(2), client_config_, tls_);
    auto r = port_ ? c.get("/-/ready") : absl::StatusOr<HttpResponse>(absl::UnavailableError("no port yet"));
    if (r.ok() && r->status == 200) return absl::OkStatus();
    if (Clock::now() >= deadline) {
      int code = stop(std::chrono::seconds(5));
      return absl::DeadlineExceededError("strata not ready within " +
                                         std::to_string(opts.ready_timeout.count()) +
                                         " ms (stopped, exit code " + std::to_string(code) +
                                         "):\n" + log());
    }
    std::this_thread::sleep_for(kPoll);
  }
}

int ServerProcess::logged_port(const std::string& log) {
  // ... component=web msg="Listening on" address=127.0.0.1:40123
  const std::string key = "msg=\"Listening on\" address=";
  size_t at = log.find(key);
  if (at == std::string::npos) return 0;
  size_t end = log.find_first_of(" \n", at + key.size());
  std::string addr = log.substr(at + key.size(), end == std::string::npos ? std::string::npos : end - at - key.size());
  size_t colon = addr.rfind(':');
  return colon == std::string::npos ? 0 : std::atoi(addr.c_str() + colon + 1);
}

ServerProcess::~ServerProcess() {
  stop(std::chrono::seconds(10));
  std::error_code ec;
  if (!work_dir_.empty()) std::filesystem::remove_all(work_dir_, ec);
}

std::string ServerProcess::log() const { return read_file(log_path_); }

bool ServerProcess::running() { return !wait(std::chrono::milliseconds(0)).has_value(); }

absl::Status ServerProcess::signal(int sig) {
  if (exit_code_ || pid_ <= 0) return absl::FailedPreconditionError("strata is not running");
  if (::kill(pid_, sig) != 0) return absl::InternalError(std::string("kill: ") + std::strerror(errno));
  return absl::OkStatus();
}

std::optional<int> ServerProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  if (pid_ <= 0) return std::nullopt;
  exit_code_ = wait_until(pid_, Clock::now() + timeout);
  return exit_code_;
}

int ServerProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  if (exit_code_) return *exit_code_;
  ::kill(pid_, SIGTERM);
  if (auto code = wait(timeout)) return *code;
  ::kill(pid_, SIGKILL);
  exit_code_ = wait_until(pid_, Clock::now() + std::chrono::seconds(30)).value_or(-1);
  return *exit_code_;
}

absl::StatusOr<RunResult> run_binary(const std::string& binary,
                                     const std::vector<std::string>& args,
                                     std::chrono::milliseconds timeout) {
  auto dir = make_temp_dir();
  if (!dir.ok()) return dir.status();
  std::string log_path = *dir + "/output";
  auto pid = fork_exec(binary, args, *dir, log_path);
  if (!pid.ok()) return pid.status();
  RunResult r;
  auto code = wait_until(*pid, Clock::now() + timeout);
  if (!code) {
    ::kill(*pid, SIGKILL);
    code = wait_until(*pid, Clock::now() + std::chrono::seconds(30));
  }
  r.exit_code = code.value_or(-1);
  r.output = read_file(log_path);
  std::error_code ec;
  std::filesystem::remove_all(*dir, ec);
  return r;
}

}  // namespace strata::testutil
