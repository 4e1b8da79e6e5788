// ServerProcess: runs the real `strata` binary for integration tests. start()
// forks and execs it on a free 127.0.0.1 port with a fresh temporary working
// directory (data in <dir>/data, stdout+stderr in <dir>/strata.log), waits
// until GET /-/ready answers 200, and returns a handle; stop() sends SIGTERM,
// then SIGKILL after a timeout, and returns the exit code. The destructor
// stops a running server and removes the directory.
//
// Flags passed in `flags` win: with an explicit --web.listen-address or
// --storage.tsdb.path the defaults above are not added (with port 0, the
// port is read from the server's "Listening on" log line). Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/testutil/http_client.h"

namespace strata::testutil {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read
// it, close). Another process may take it before it is used; start() retries.
int free_port();

// Exit code as a shell reports it: the code, or 128 + signal number.
int decode_wait_status(int status);

class ServerProcess {
 public:
  struct Options {
    std::string binary;  // path to build/strata
    std::vector<std::string> flags;
    std::chrono::milliseconds ready_timeout{std::chrono::seconds(60)};
    // Files to create in the working directory before start, e.g.
    // {"strata.yml", "global: ..."} (then pass --config.file=strata.yml).
    std::vector<std::pair<std::string, std::string>> files;
    // How this server spells its listen-address and data-directory flags
    // (VictoriaMetrics: "-httpListenAddr=", "-storageDataPath=").
    std::string listen_flag = "--web.listen-address=";
    std::string data_flag = "--storage.tsdb.path=";
    // For a server with a --web.config.file: the readiness probe and
    // client() speak HTTPS (when `tls`) with these credentials and TLS files.
    bool tls = false;
    net::HttpClientConfig client_config;
  };

  // Fails if the binary cannot be started, exits early (the status carries
  // its exit code and log), or is not ready within ready_timeout.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> start(Options opts);
  static absl::StatusOr<std::unique_ptr<ServerProcess>> start(const std::string& binary,
                                                              std::vector<std::string> flags = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  std::string host() const { return "127.0.0.1"; }
  int port() const { return port_; }
  std::string base_url() const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
  }
  const std::string& work_dir() const { return work_dir_; }
  const std::string& data_dir() const { return data_dir_; }
  // A fresh client for this server.
  HttpClient client() const {
    return HttpClient(host(), port_, std::chrono::seconds(60), client_config_, tls_);
  }
  // Everything the server wrote to stdout and stderr so far.
  std::string log() const;

  bool running();
  absl::Status signal(int sig);
  // Waits for the process to exit on its own (e.g. after POST /-/quit);
  // nullopt if it is still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM; SIGKILL if still running after `timeout`. Returns the exit code
  // (0 after a clean shutdown, 137 if it had to be killed). Idempotent.
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  ServerProcess() = default;
  bool tls_ = false;
  net::HttpClientConfig client_config_;
  absl::Status spawn(const Options& opts, const std::vector<std::string>& args);
  static int logged_port(const std::string& log);

  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  int port_ = 0;
  std::string work_dir_;
  std::string data_dir_;
  std::string log_path_;
};

// Runs `binary args...` to completion (for --help, --version, bad flags,
// invalid configs) with stdout+stderr captured; kills it after `timeout`.
struct RunResult {
  int exit_code = -1;
  std::string output;
};
absl::StatusOr<RunResult> run_binary(const std::string& binary,
                                     const std::vector<std::string>& args,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace strata::testutil
