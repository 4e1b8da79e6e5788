// The server's components and the order they run in. Everything `strata`
// runs — the web listener, storage, the query engine, the API, and later
// scraping, rules, the notifier and the remote-write sender — is a Component
// in one Lifecycle list:
//
//   start(config)   in list order, once, with the configuration loaded at
//                   start-up; a component may use the ones before it.
//   apply(config)   in list order, on every successful reload (SIGHUP,
//                   POST /-/reload), to the started components only.
//   stop()          in reverse order, once, for every component whose start
//                   succeeded (also when a later one failed to start).
//
// A component that serves requests which use other components (the API)
// comes after them, so it stops — and drains its requests — before they go.
//
// Thread-safety: start_all() and stop_all() run on the main thread; apply_all()
// may run on another thread (an HTTP worker for /-/reload) and is serialized
// with the others by a mutex. Components own their threads and must stop
// them in stop().
#pragma once

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "server/config.h"

namespace strata::server {

class Component {
 public:
  virtual ~Component() = default;
  // For log lines: "web listener", "storage", "query engine", ...
  virtual std::string_view name() const = 0;
  virtual absl::Status start(const Config& config) = 0;
  // A reloaded configuration; the default ignores it.
  virtual absl::Status apply(const Config& config) { return absl::OkStatus(); }
  // Errors are logged and make the process exit non-zero; stopping goes on.
  virtual absl::Status stop() = 0;
};

class Lifecycle {
 public:
  Lifecycle() = default;
  Lifecycle(const Lifecycle&) = delete;
  Lifecycle& operator=(const Lifecycle&) = delete;
  ~Lifecycle();  // stops what is still running

  // Appends a component; only before start_all(). Returns it for wiring.
  template <typename C>
  C* add(std::unique_ptr<C> c) {
    C* raw = c.get();
    std::lock_guard lock(mu_);
    components_.push_back(std::move(c));
    return raw;
  }

  // Starts every component in order. On the first failure, stops the ones
  // already started (in reverse) and returns the error, prefixed with the
  // component's name.
  absl::Status start_all(const Config& config);
  // Hands a reloaded configuration to every started component, in order;
  // all are tried, the first error is returned.
  absl::Status apply_all(const Config& config);
  // Stops the started components in reverse order, each even when one
  // before failed; returns the first error. Idempotent; afterwards
  // apply_all() answers Unavailable.
  absl::Status stop_all();

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<Component>> components_ ABSL_GUARDED_BY(mu_);
  size_t started_ ABSL_GUARDED_BY(mu_) = 0;  // components_[0, started_) are running
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace strata::server
