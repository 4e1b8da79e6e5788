#include "server/config_manager.h"

#include <cstdio>

#include "fmt/format.h"
#include "base/clock.h"
#include "base/log.h"

namespace strata::server {
namespace {

// Go's time.Duration text for short spans: "812.5µs", "3.25ms", "1.5s".
std::string go_duration(double seconds) {
  if (seconds < 1e-3) return fmt::format("{:.1f}µs", seconds * 1e6);
  if (seconds < 1) return fmt::format("{:.3f}ms", seconds * 1e3);
  return fmt::format("{:.3f}s", seconds);
}

}  // namespace

ConfigManager::ConfigManager(std::string path, std::string default_yaml, metrics::Registry* registry)
    : path_(std::move(path)), default_yaml_(std::move(default_yaml)) {
  success_ = &registry->gauge("strata_config_last_reload_successful",
                              "Whether the last configuration reload attempt was successful.");
  success_time_ = &registry->gauge("strata_config_last_reload_success_timestamp_seconds",
                                   "Timestamp of the last successful configuration reload.");
}

std::string ConfigManager::display_name() const {
  return path_.empty() ? kDefaultConfigName : path_;
}

void ConfigManager::on_reload(Applier apply) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  appliers_.push_back(std::move(apply));
}

absl::Status ConfigManager::reload() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  double t0 = monotonic_seconds();
  log::info("main", "Loading configuration file", {{"filename", display_name()}});
  auto parsed = path_.empty() ? parse_config(default_yaml_, kDefaultConfigName)
                              : load_config_file(path_);
  auto failed = [&](absl::Status s) {
    std::lock_guard<std::mutex> l(mu_);
    ok_ = false;
    success_->set(0);
    return s;
  };
  if (!parsed.ok()) {
    return failed(absl::InvalidArgumentError("couldn't load configuration (--config.file=\"" +
                                             display_name() + "\"): " +
                                             std::string(parsed.status().message())));
  }
  for (const std::string& w : parsed->warnings)
    log::warn("config", "Ignoring unsupported configuration", {{"reason", w}});
  auto config = std::make_shared<const Config>(std::move(*parsed));
  std::string yaml = config->to_yaml();
  {
    std::lock_guard<std::mutex> l(mu_);
    config_ = config;
    yaml_ = std::move(yaml);
  }
  bool apply_failed = false;
  for (const Applier& apply : appliers_) {
    if (absl::Status s = apply(*config); !s.ok()) {
      log::error("main", "Failed to apply configuration", {{"err", std::string(s.message())}});
      apply_failed = true;
    }
  }
  if (apply_failed) {
    return failed(absl::InternalError(
        "one or more errors occurred while applying the new configuration (--config.file=\"" +
        display_name() + "\")"));
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    ok_ = true;
    success_time_s_ = now_seconds();
    success_->set(1);
    success_time_->set(success_time_s_);
  }
  log::info("main", "Completed loading of configuration file",
            {{"filename", display_name()},
             {"totalDuration", go_duration(monotonic_seconds() - t0)}});
  return absl::OkStatus();
}

std::shared_ptr<const Config> ConfigManager::current() const {
  std::lock_guard<std::mutex> l(mu_);
  return config_;
}

std::string ConfigManager::yaml() const {
  std::lock_guard<std::mutex> l(mu_);
  return yaml_;
}

bool ConfigManager::last_reload_successful() const {
  std::lock_guard<std::mutex> l(mu_);
  return ok_;
}

double ConfigManager::last_success_time_s() const {
  std::lock_guard<std::mutex> l(mu_);
  return success_time_s_;
}

}  // namespace strata::server
