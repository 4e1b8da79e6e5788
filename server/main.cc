// strata: the Prometheus-compatible metrics server. main() parses the
// command line and hands over to run_server() (server/app.h).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/malloc_tuning.h"
#include "base/stack.h"
#include "server/app.h"
#include "server/build_info.h"
#include "server/flags.h"

int main(int argc, char** argv) {
  // Before any thread exists: the signals run_server() waits for are blocked
  // everywhere (threads inherit the mask), and a peer closing a socket is an
  // error code, not a SIGPIPE.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  strata::tune_malloc_for_queries();
  // Queries are parsed and evaluated recursively on worker threads; large
  // stacks let deeply nested queries (thousands of `or`s) through.
  strata::set_default_thread_stack(strata::kQueryThreadStackBytes);

  using namespace strata::server;
  auto flags = parse_flags(std::vector<std::string>(argv + 1, argv + argc));
  if (!flags.ok()) {
    std::fprintf(stderr, "strata: error: %s, try --help\n",
                 std::string(flags.status().message()).c_str());
    return 2;
  }
  if (flags->help) {
    std::fputs(help_text().c_str(), stdout);
    return 0;
  }
  if (flags->version) {
    std::fputs(version_text().c_str(), stdout);
    return 0;
  }
  return run_server(*flags);
}
