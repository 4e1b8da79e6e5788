// Starting the build's own strata binary in a test: a free port on 127.0.0.1,
// a fresh temporary directory (data in <dir>/data, log in <dir>/strata.log),
// ready once /-/ready answers 200, stopped by PID when the ServerProcess is
// destroyed (see server_process.h).
//
// The binary is $STRATA_BINARY if set, else the build's strata (a compile
// definition of strata_testutil).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/testutil/server_process.h"

namespace strata::testutil {

// The strata binary tests run.
std::string strata_binary();

// A prometheus.yml without scrape jobs. The embedded default configuration
// scrapes Strata itself, which adds series a test did not write; tests run
// with this one unless they test the default.
inline constexpr const char* kNoScrapeConfig = "global:\n  scrape_interval: 15s\n";

// strata_binary() with `extra_flags`, and `config` written to strata.yml as
// --config.file ("" = no --config.file: the embedded default).
absl::StatusOr<std::unique_ptr<ServerProcess>> start_strata(
    std::vector<std::string> extra_flags = {}, const std::string& config = kNoScrapeConfig);

// Prometheus from the Debian package, the oracle of the comparison tests.
inline constexpr const char* kPrometheusBinary = "/usr/bin/prometheus";
bool prometheus_installed();
// Prometheus on 127.0.0.1:`port` (a free port when 0) with `config` as its
// prometheus.yml, --log.level=warn and `extra_flags`.
absl::StatusOr<std::unique_ptr<ServerProcess>> start_prometheus(
    const std::string& config, int port = 0, std::vector<std::string> extra_flags = {});

// VictoriaMetrics from the Debian package (single-node), on a free port,
// answering queries without its cache or its 30 s latency offset.
inline constexpr const char* kVictoriaMetricsBinary = "/usr/bin/victoria-metrics";
bool victoriametrics_installed();
absl::StatusOr<std::unique_ptr<ServerProcess>> start_victoriametrics();

}  // namespace strata::testutil
