// libFuzzer target for prometheus.yml (server/config.h, parse_config): any
// text gives a Config or an error Status, never a crash. A config that
// parses prints (to_yaml, what /api/v1/status/config shows) to YAML that
// parses again and prints the same: the printed config is a config.
//
// Inputs naming scrape_config_files are skipped: those globs read whatever
// files they match from disk, which would make runs depend on the machine.
// Seeds (seeds/): the shipped configs and the test configs' features.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/log.h"
#include "server/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool once = [] {
    strata::log::configure(strata::log::Level::kError, strata::log::Format::kLogfmt);
    return true;
  }();
  (void)once;
  std::string yaml(reinterpret_cast<const char*>(data), size);
  if (yaml.find("scrape_config_files") != std::string::npos) return 0;
  auto c = strata::server::parse_config(yaml, "fuzz.yml", "/nonexistent-fuzz-dir");
  if (!c.ok()) {
    if (c.status().message().empty()) abort();
    return 0;
  }
  const std::string once_yaml = c->to_yaml();
  auto again = strata::server::parse_config(once_yaml, "printed.yml", "/nonexistent-fuzz-dir");
  if (!again.ok()) {
    fprintf(stderr, "printed config does not parse: %s\n%s\n",
            std::string(again.status().message()).c_str(), once_yaml.c_str());
    abort();
  }
  if (again->to_yaml() != once_yaml) {
    fprintf(stderr, "printing is not stable:\n%s\n---\n%s\n", once_yaml.c_str(),
            again->to_yaml().c_str());
    abort();
  }
  return 0;
}
