#include "server/lifecycle.h"

#include <string>

#include "base/log.h"

namespace strata::server {

Lifecycle::~Lifecycle() { (void)stop_all(); }

absl::Status Lifecycle::start_all(const Config& config) {
  std::unique_lock lock(mu_);
  for (; started_ < components_.size(); ++started_) {
    Component& c = *components_[started_];
    if (absl::Status s = c.start(config); !s.ok()) {
      absl::Status err(s.code(), std::string(c.name()) + ": " + std::string(s.message()));
      lock.unlock();
      (void)stop_all();
      return err;
    }
  }
  return absl::OkStatus();
}

absl::Status Lifecycle::apply_all(const Config& config) {
  std::lock_guard lock(mu_);
  if (stopping_) return absl::UnavailableError("shutting down");
  absl::Status first;
  for (size_t i = 0; i < started_; ++i) {
    Component& c = *components_[i];
    if (absl::Status s = c.apply(config); !s.ok()) {
      log::error("main", "Applying the configuration failed",
                 {{"component", std::string(c.name())}, {"err", std::string(s.message())}});
      if (first.ok()) first = absl::Status(s.code(), std::string(c.name()) + ": " + std::string(s.message()));
    }
  }
  return first;
}

absl::Status Lifecycle::stop_all() {
  size_t n;
  {
    // Waits for an apply_all() in progress; none starts afterwards. The
    // components stop without the lock: stopping the API drains requests,
    // and a /-/reload among them must not wait for this.
    std::lock_guard lock(mu_);
    stopping_ = true;
    n = started_;
    started_ = 0;
  }
  absl::Status first;
  while (n > 0) {
    Component& c = *components_[--n];
    if (absl::Status s = c.stop(); !s.ok()) {
      log::error("main", "Stopping a component failed",
                 {{"component", std::string(c.name())}, {"err", std::string(s.message())}});
      if (first.ok()) first = s;
    }
  }
  return first;
}

}  // namespace strata::server
