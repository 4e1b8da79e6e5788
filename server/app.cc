#include "server/app.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "api/api.h"
#include "base/clock.h"
#include "base/log.h"
#include "server/build_info.h"
#include "server/components.h"
#include "server/config_manager.h"
#include "server/lifecycle.h"
#include "server/options.h"
#include "server/process_metrics.h"

namespace strata::server {
namespace {

void log_startup(const Flags& flags) {
  const BuildInfo& b = build_info();
  log::info("main", "Starting Strata",
            {{"version", b.version}, {"branch", b.branch}, {"revision", b.revision}});
  log::info("main", "Build context", {{"build_context", build_context()}});
  utsname u;
  if (::uname(&u) == 0) {
    log::info("main", "host details",
              {{"host_details", std::string("(") + u.sysname + " " + u.release + " " + u.version +
                                    " " + u.machine + " " + u.nodename + ")"}});
  }
  rlimit fds;
  if (::getrlimit(RLIMIT_NOFILE, &fds) == 0) {
    auto limit = [](rlim_t v) { return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v); };
    log::info("main", "fd limits",
              {{"fd_limits", "(soft=" + limit(fds.rlim_cur) + ", hard=" + limit(fds.rlim_max) + ")"}});
  }
  if (!flags.retention_time_set && flags.retention_bytes == 0) {
    log::info("main", "No time or size retention was set so using the default time retention",
              {{"duration", flags.retention_time}});
  }
  for (const std::string& f : flags.unknown_features())
    log::warn("main", "Unknown option for --enable-feature", {{"option", f}});
  if (flags.has_feature("promql-experimental-functions"))
    log::info("main", "Experimental PromQL functions enabled.");
  if (flags.has_feature("promql-delayed-name-removal"))
    log::info("main", "Delayed name removal enabled.");
}

void register_build_info(metrics::Registry* registry) {
  const BuildInfo& b = build_info();
  registry
      ->gauge_family("strata_build_info",
                     "A metric with a constant '1' value labeled by version, revision, branch, "
                     "and compiler (goversion) from which strata was built.",
                     {"version", "revision", "branch", "goversion"})
      .with({b.version, b.revision, b.branch, b.compiler})
      .set(1);
}

api::StatusInfo status_info(const Flags& flags, const ConfigManager& config) {
  const BuildInfo& b = build_info();
  api::StatusInfo st;
  st.version = b.version;
  st.revision = b.revision;
  st.branch = b.branch;
  st.build_user = b.build_user;
  st.build_date = b.build_date;
  st.compiler = b.compiler;
  st.flags = flags.as_map();
  st.config_yaml = [&config] { return config.yaml(); };
  st.start_time_s = now_seconds();
  std::error_code ec;
  st.cwd = std::filesystem::current_path(ec).string();
  st.storage_retention = storage_retention(flags);
  st.reload_config_success = [&config] { return config.last_reload_successful(); };
  st.last_config_time_s = [&config] { return config.last_success_time_s(); };
  return st;
}

// Blocks until SIGTERM or SIGINT (or a /-/quit, which raises SIGTERM);
// SIGHUP reloads the configuration meanwhile.
void wait_for_stop(ConfigManager& config, const std::atomic<bool>& quit_requested) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      if (absl::Status s = config.reload(); !s.ok())
        log::error("main", "Error reloading config", {{"err", std::string(s.message())}});
      continue;
    }
    if (quit_requested.load()) {
      log::warn("main", "Received termination request via web service, exiting gracefully...");
    } else {
      log::warn("main", "Received termination request, exiting gracefully...",
                {{"signal", sig == SIGINT ? "interrupt" : "terminated"}});
    }
    return;
  }
}

}  // namespace

int run_server(const Flags& flags) {
  log::Level level = log::Level::kInfo;
  log::Format format = log::Format::kLogfmt;
  log::parse_level(flags.log_level, &level);
  log::parse_format(flags.log_format, &format);
  log::configure(level, format);
  log_startup(flags);

  metrics::Registry registry;
  register_process_metrics(&registry);
  register_build_info(&registry);

  // The configuration is checked before anything starts, as Prometheus does.
  ConfigManager config(flags.config_file, default_config_yaml(self_scrape_address(flags)), &registry);
  if (absl::Status s = config.reload(); !s.ok()) {
    std::error_code ec;
    std::string file = flags.config_file.empty()
                           ? config.display_name()
                           : std::filesystem::absolute(flags.config_file, ec).string();
    log::error("main", "Error loading config (--config.file=" + config.display_name() + ")",
               {{"file", file}, {"err", std::string(s.message())}});
    return 2;
  }

  // As Prometheus: a web config that does not load stops the start.
  std::unique_ptr<WebConfigFile> web_config;
  if (!flags.web_config_file.empty()) {
    auto wc = WebConfigFile::load(flags.web_config_file, &registry);
    if (!wc.ok()) {
      log::error("main", "Unable to validate web configuration file",
                 {{"file", flags.web_config_file}, {"err", std::string(wc.status().message())}});
      return 2;
    }
    web_config = std::move(*wc);
  }

  std::atomic<bool> quit_requested{false};
  ServerRoutes::Options ro;
  ro.enable_lifecycle = flags.enable_lifecycle;
  ro.reload = [&config] { return config.reload(); };
  ro.quit = [&quit_requested] {
    quit_requested.store(true);
    ::kill(::getpid(), SIGTERM);
  };

  Lifecycle components;
  auto* web = components.add(std::make_unique<WebListener>(flags, std::move(ro), &registry,
                                                               web_config.get()));
  auto* storage = components.add(std::make_unique<Storage>(flags, &registry));
  // Before anything writes: a queue without saved progress starts at the
  // end of the WAL as storage opened it.
  components.add(std::make_unique<RemoteWrite>(flags, &registry));
  auto* engine = components.add(std::make_unique<QueryEngine>(flags, &registry));
  auto* scraper = components.add(std::make_unique<Scraper>(flags, &registry, storage));
  auto* notifications = components.add(std::make_unique<Notifications>(flags, &registry));
  auto* rules =
      components.add(std::make_unique<Rules>(flags, &registry, storage, engine, notifications));
  auto* dashboards = components.add(std::make_unique<Dashboards>(flags));
  components.add(std::make_unique<Api>(flags, status_info(flags, config), &registry, web, storage,
                                       engine, scraper, notifications, rules, dashboards));
  components.add(std::make_unique<Trimmer>(engine, &registry));
  if (absl::Status s = components.start_all(*config.current()); !s.ok()) {
    log::error("main", "Starting Strata failed", {{"err", std::string(s.message())}});
    return 1;
  }
  config.on_reload([&components](const Config& c) { return components.apply_all(c); });
  log::info("main", "Server is ready to receive web requests.");

  wait_for_stop(config, quit_requested);
  if (!components.stop_all().ok()) return 1;
  log::info("main", "See you next time!");
  return 0;
}

}  // namespace strata::server
