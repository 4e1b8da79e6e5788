// A remote_write entry of prometheus.yml: the receiver, its HTTP client,
// write relabeling, and the queue and metadata settings (Prometheus 2.42's
// fields and defaults). Filled and validated by server/'s config parser; the
// remote-write sender (next) runs it. Value types.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "net/config.h"
#include "tsdb/labels/relabel.h"

namespace strata::remote {

struct QueueConfig {  // Prometheus 2.42 defaults
  int64_t capacity = 2500;
  int64_t max_shards = 200;
  int64_t min_shards = 1;
  int64_t max_samples_per_send = 500;
  int64_t batch_send_deadline_ms = 5000;
  int64_t min_backoff_ms = 30;
  int64_t max_backoff_ms = 5000;
  bool retry_on_http_429 = false;
};

struct MetadataConfig {
  bool send = true;
  int64_t send_interval_ms = 60 * 1000;
  int64_t max_samples_per_send = 500;
};

struct RemoteWriteConfig {
  std::string url;
  int64_t remote_timeout_ms = 30 * 1000;
  std::map<std::string, std::string> headers;
  std::vector<tsdb::relabel::Config> write_relabel_configs;
  std::string name;
  bool send_exemplars = false;
  bool send_native_histograms = false;
  // Prometheus 3's protobuf_message: remote write 1.0 or 2.0.
  enum class Protocol { kV1, kV2 };
  Protocol protocol = Protocol::kV1;
  net::HttpClientConfig http;
  QueueConfig queue_config;
  MetadataConfig metadata_config;
};

}  // namespace strata::remote
