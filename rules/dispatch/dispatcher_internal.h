// The private parts of Dispatcher shared by dispatcher.cc (lifecycle,
// ingest, routing) and dispatcher_flush.cc (flushes, retries, the log).
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "rules/dispatch/dispatcher.h"

namespace strata::rules::dispatch {

// The config and what is built from it; replaced whole by apply_config().
struct Dispatcher::State {
  Config config;
  std::unique_ptr<RoutingTree> tree;  // points into config.route
  std::map<std::string, Receiver> receivers;
};

// One aggregation group: the alerts of one route with the same group labels.
struct Dispatcher::Group {
  std::string key;  // group_key(): route key and group labels
  const RouteNode* route = nullptr;
  tsdb::Labels labels;
  std::map<uint64_t, Alert> alerts;  // by fingerprint
  int64_t next_flush_ms = 0;
  bool has_flushed = false;
  struct Retry {
    int attempts = 0;  // failed attempts in this flush
    int64_t at_ms = 0;
  };
  std::map<size_t, Retry> retries;  // by integration position in the receiver
};

struct Dispatcher::Metrics {
  explicit Metrics(metrics::Registry* r);
  metrics::Family<metrics::Counter>* notifications;
  metrics::Family<metrics::Counter>* failed;
  metrics::Family<metrics::Histogram>* latency;
  metrics::Gauge* groups;
  metrics::Gauge* alerts;
  metrics::Family<metrics::Counter>* dropped;
  metrics::Counter* log_write_failures;
};

// The io_context the integrations' HTTP clients run on, and its thread.
struct Dispatcher::Io {
  boost::asio::io_context ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{
      ioc.get_executor()};
  std::thread thread;
};

}  // namespace strata::rules::dispatch
