#include "tests/testutil/strata.h"

#include <unistd.h>

#include <cstdlib>

#ifndef STRATA_TESTUTIL_STRATA_BINARY
#define STRATA_TESTUTIL_STRATA_BINARY "build/strata"
#endif

namespace strata::testutil {

std::string strata_binary() {
  const char* env = std::getenv("STRATA_BINARY");
  return env && *env ? env : STRATA_TESTUTIL_STRATA_BINARY;
}

absl::StatusOr<std::unique_ptr<ServerProcess>> start_strata(std::vector<std::string> extra_flags,
                                                            const std::string& config) {
  ServerProcess::Options o;
  o.binary = strata_binary();
  if (!config.empty()) {
    o.files = {{"strata.yml", config}};
    o.flags.push_back("--config.file=strata.yml");
  }
  for (std::string& f : extra_flags) o.flags.push_back(std::move(f));
  return ServerProcess::start(std::move(o));
}

bool prometheus_installed() { return ::access(kPrometheusBinary, X_OK) == 0; }

absl::StatusOr<std::unique_ptr<ServerProcess>> start_prometheus(const std::string& config, int port,
                                                                std::vector<std::string> extra_flags) {
  ServerProcess::Options o;
  o.binary = kPrometheusBinary;
  o.files = {{"prometheus.yml", config}};
  o.flags = {"--config.file=prometheus.yml",
             "--web.listen-address=127.0.0.1:" + std::to_string(port ? port : free_port()),
             "--log.level=warn"};
  for (std::string& f : extra_flags) o.flags.push_back(std::move(f));
  return ServerProcess::start(o);
}

bool victoriametrics_installed() { return ::access(kVictoriaMetricsBinary, X_OK) == 0; }

absl::StatusOr<std::unique_ptr<ServerProcess>> start_victoriametrics() {
  ServerProcess::Options o;
  o.binary = kVictoriaMetricsBinary;
  o.listen_flag = "-httpListenAddr=";
  o.data_flag = "-storageDataPath=";
  o.flags = {"-retentionPeriod=100y", "-loggerLevel=ERROR", "-search.latencyOffset=0s",
             "-search.disableCache"};
  return ServerProcess::start(o);
}

}  // namespace strata::testutil
