// Prometheus' standard process_* metrics (CPU, memory, file descriptors, start
// time) read from /proc, registered as computed values on a Registry.
#pragma once

#include "base/metrics.h"

namespace strata::server {

void register_process_metrics(metrics::Registry* registry);

}  // namespace strata::server
