// Starts a server binary (Prometheus or Strata) as a child process listening
// on 127.0.0.1, waits until it answers, and stops it by PID: SIGTERM, then
// SIGKILL after a grace period. The child gets PR_SET_PDEATHSIG so it dies
// with the test even if the test itself is killed (e.g. a ctest timeout).
// Output goes to a log file whose tail is shown when something goes wrong.
//
// Not thread-safe; owned by the test.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace strata::difftest {

// A port that was free a moment ago on 127.0.0.1 (bind to port 0).
int pick_free_port();

// mkdtemp under $TMPDIR (or /tmp); removed recursively by remove_tree().
std::string make_temp_dir(const std::string& prefix);
void remove_tree(const std::string& path);

class ServerProcess {
 public:
  ServerProcess(std::string name, std::vector<std::string> argv, std::string log_path, int port);
  ~ServerProcess();  // stop()
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Appends a command-line argument; before start().
  void add_arg(std::string arg) { argv_.push_back(std::move(arg)); }
  // fork + exec; false with `error` if the binary cannot be started.
  bool start(std::string* error);
  // Polls /-/ready (falling back to /api/v1/query?query=1) until 200, the
  // process exits, or `timeout_s` passes.
  bool wait_ready(int timeout_s, std::string* error);
  // SIGTERM, wait up to 15 s, then SIGKILL; reaps the child. Idempotent.
  void stop();
  bool running();

  const std::string& name() const { return name_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string log_tail(size_t bytes = 2000) const;

 private:
  std::string name_;
  std::vector<std::string> argv_;
  std::string log_path_;
  int port_;
  pid_t pid_ = -1;
};

}  // namespace strata::difftest
