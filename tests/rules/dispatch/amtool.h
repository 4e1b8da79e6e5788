// The real Alertmanager's amtool (Debian's prometheus-alertmanager) as an
// oracle for config validation and routing. Each call runs amtool once
// under `timeout 30` and reads its output. Test-only; not thread-safe.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <string>

namespace strata::rules::dispatch {

inline bool amtool_available() { return access("/usr/bin/amtool", X_OK) == 0; }

// Runs `cmd`, returns its stdout; *ok = exit status 0.
inline std::string run_command(const std::string& cmd, bool* ok) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) {
    *ok = false;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0 && out.size() < (1 << 20)) out.append(buf, n);
  *ok = pclose(f) == 0;
  return out;
}

inline bool amtool_check_config(const std::string& path) {
  bool ok = false;
  run_command("timeout 30 /usr/bin/amtool check-config '" + path + "' >/dev/null 2>&1", &ok);
  return ok;
}

// `amtool config routes test`: the receivers an alert with `labels`
// ("a=b c=d", shell-safe) goes to, comma-separated as amtool prints them.
inline std::string amtool_route(const std::string& path, const std::string& labels) {
  bool ok = false;
  std::string out = run_command("timeout 30 /usr/bin/amtool config routes test --config.file='" +
                                    path + "' " + labels + " 2>/dev/null",
                                &ok);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace strata::rules::dispatch
