#include "server/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace strata::server {
namespace {

// Fields of /proc/self/stat after the command name (which may contain spaces).
std::vector<std::string> stat_fields() {
  std::ifstream f("/proc/self/stat");
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t close = all.rfind(')');
  std::vector<std::string> out;
  if (close == std::string::npos) return out;
  std::istringstream rest(all.substr(close + 2));
  std::string x;
  while (rest >> x) out.push_back(x);
  return out;  // out[0] is field 3 (state)
}

double boot_time() {
  std::ifstream f("/proc/stat");
  std::string key;
  double v;
  while (f >> key) {
    if (key == "btime" && f >> v) return v;
  }
  return 0;
}

}  // namespace

void register_process_metrics(metrics::Registry* r) {
  const double ticks = double(sysconf(_SC_CLK_TCK));
  const double page = double(sysconf(_SC_PAGESIZE));
  r->counter_func("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                  [ticks] {
                    auto f = stat_fields();
                    return f.size() > 12 ? (std::stod(f[11]) + std::stod(f[12])) / ticks : 0.0;
                  });
  r->gauge_func("process_resident_memory_bytes", "Resident memory size in bytes.", [page] {
    auto f = stat_fields();
    return f.size() > 21 ? std::stod(f[21]) * page : 0.0;
  });
  r->gauge_func("process_virtual_memory_bytes", "Virtual memory size in bytes.", [] {
    auto f = stat_fields();
    return f.size() > 20 ? std::stod(f[20]) : 0.0;
  });
  r->gauge_func("process_open_fds", "Number of open file descriptors.", [] {
    double n = 0;
    if (DIR* d = opendir("/proc/self/fd")) {
      while (readdir(d)) ++n;
      closedir(d);
      n -= 3;  // ".", ".." and the directory's own descriptor
    }
    return n;
  });
  r->gauge_func("process_max_fds", "Maximum number of open file descriptors.", [] {
    struct rlimit rl;
    return getrlimit(RLIMIT_NOFILE, &rl) == 0 ? double(rl.rlim_cur) : 0.0;
  });
  static const double start = [ticks] {
    auto f = stat_fields();
    return f.size() > 19 ? boot_time() + std::stod(f[19]) / ticks : 0.0;
  }();
  r->gauge_func("process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.", [] { return start; });
}

}  // namespace strata::server
