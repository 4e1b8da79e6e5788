// strata: flags, configuration, logging, and the (start, stop) lifecycle of
// storage, query engine and HTTP server. Signals: SIGTERM/SIGINT stop
// gracefully, SIGHUP reloads the configuration.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/api.h"
#include "base/clock.h"
#include "base/log.h"
#include "server/config.h"
#include "server/flags.h"
#include "server/http_server.h"
#include "server/process_metrics.h"
#include "tsdb/db.h"

#ifndef STRATA_VERSION
#define STRATA_VERSION "0.1.0"
#endif
#ifndef STRATA_REVISION
#define STRATA_REVISION "unknown"
#endif
#ifndef STRATA_BRANCH
#define STRATA_BRANCH "unknown"
#endif

namespace strata::server {
namespace {

std::string compiler() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return "gcc " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

// The loaded configuration, swapped on reload.
class ConfigHolder {
 public:
  ConfigHolder(std::string path, metrics::Registry* r) : path_(std::move(path)) {
    success_ = &r->gauge("strata_config_last_reload_successful",
                         "Whether the last configuration reload attempt was successful.");
    success_time_ = &r->gauge("strata_config_last_reload_success_timestamp_seconds",
                              "Timestamp of the last successful configuration reload.");
  }
  absl::Status load() {
    auto c = path_.empty() ? parse_config(kDefaultConfigYaml, "<embedded default>")
                           : load_config_file(path_);
    std::lock_guard<std::mutex> lock(mu_);
    if (!c.ok()) {
      success_->set(0);
      ok_ = false;
      return c.status();
    }
    config_ = std::make_shared<const Config>(std::move(*c));
    ok_ = true;
    last_ok_s_ = now_seconds();
    success_->set(1);
    success_time_->set(last_ok_s_);
    return absl::OkStatus();
  }
  std::shared_ptr<const Config> get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return config_;
  }
  bool ok() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ok_;
  }
  double last_ok_s() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_ok_s_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  mutable std::mutex mu_;
  std::shared_ptr<const Config> config_;
  bool ok_ = false;
  double last_ok_s_ = 0;
  metrics::Gauge* success_;
  metrics::Gauge* success_time_;
};

void text(api::HttpResponse& resp, int status, std::string body) {
  resp.status = status;
  resp.content_type = "text/plain; charset=utf-8";
  resp.body = std::move(body);
}

int run(const Flags& flags) {
  log::Level level;
  log::Format format;
  log::parse_level(flags.log_level, &level);
  log::parse_format(flags.log_format, &format);
  log::configure(level, format);
  log::info("main", "Starting Strata", {{"version", STRATA_VERSION}, {"revision", STRATA_REVISION}});
  log::info("main", "Build context", {{"compiler", compiler()}, {"branch", STRATA_BRANCH}});
  for (const std::string& f : flags.features) {
    if (f != "promql-experimental-functions" && f != "promql-delayed-name-removal")
      log::warn("main", "Unknown option for --enable-feature", {{"option", f}});
  }

  metrics::Registry registry;
  register_process_metrics(&registry);
  registry
      .gauge_family("strata_build_info", "A metric with a constant '1' value labeled by version, revision, branch and compiler.",
                    {"version", "revision", "branch", "goversion"})
      .with({STRATA_VERSION, STRATA_REVISION, STRATA_BRANCH, compiler()})
      .set(1);

  ConfigHolder config(flags.config_file, &registry);
  log::info("main", "Loading configuration file",
            {{"filename", flags.config_file.empty() ? "<embedded default>" : flags.config_file}});
  if (auto s = config.load(); !s.ok()) {
    log::error("main", "Error loading config", {{"err", std::string(s.message())}});
    return 1;
  }

  tsdb::DBOptions dbo;
  dbo.dir = flags.storage_path;
  dbo.retention_ms = flags.retention_ms;
  dbo.retention_bytes = flags.retention_bytes;
  dbo.out_of_order_window_ms = flags.ooo_window_ms;
  dbo.wal_sync = flags.wal_sync;
  double t0 = monotonic_seconds();
  auto db = tsdb::DB::open(dbo, &registry);
  if (!db.ok()) {
    log::error("main", "Opening storage failed", {{"err", std::string(db.status().message())}});
    return 1;
  }
  log::info("main", "TSDB started", {{"path", flags.storage_path},
                                     {"duration", std::to_string(monotonic_seconds() - t0) + "s"}});

  promql::EngineOptions eo;
  eo.lookback_delta_ms = flags.lookback_delta_ms;
  eo.timeout_s = double(flags.query_timeout_ms) / 1000;
  eo.max_concurrency = flags.query_max_concurrency;
  eo.max_samples = flags.query_max_samples;
  eo.compat = flags.query_compat == "v2" ? promql::Compat::kV2 : promql::Compat::kV3;
  for (const std::string& f : flags.features) {
    if (f == "promql-experimental-functions") eo.experimental_functions = true;
    if (f == "promql-delayed-name-removal") eo.delayed_name_removal = true;
  }
  eo.default_subquery_step_ms = config.get()->global.evaluation_interval_ms;
  promql::Engine engine(eo, &registry);

  api::ApiContext ctx;
  ctx.db = db->get();
  ctx.engine = &engine;
  ctx.registry = &registry;
  ctx.enable_admin_api = flags.enable_admin_api;
  api::StatusInfo& st = ctx.status;
  st.version = STRATA_VERSION;
  st.revision = STRATA_REVISION;
  st.branch = STRATA_BRANCH;
  st.build_user = "strata";
  st.build_date = __DATE__ " " __TIME__;
  st.compiler = compiler();
  st.flags = flags.as_map();
  st.config_yaml = [&config] { return config.get()->to_yaml(); };
  st.start_time_s = now_seconds();
  st.cwd = std::filesystem::current_path().string();
  st.storage_retention = flags.retention_time;
  if (flags.retention_bytes > 0) st.storage_retention += " or " + flags.retention_size;
  st.reload_config_success = [&config] { return config.ok(); };
  st.last_config_time_s = [&config] { return config.last_ok_s(); };

  api::Router router;
  api::register_api_routes(router, ctx);
  std::atomic<bool> ready{true};
  router.add({"GET", "HEAD"}, "/-/healthy",
             [](const api::HttpRequest&, api::HttpResponse& r) { text(r, 200, "Strata Server is Healthy.\n"); });
  router.add({"GET", "HEAD"}, "/-/ready", [&ready](const api::HttpRequest&, api::HttpResponse& r) {
    if (ready.load()) text(r, 200, "Strata Server is Ready.\n");
    else text(r, 503, "Service Unavailable\n");
  });
  auto reload = [&config]() -> absl::Status {
    log::info("main", "Loading configuration file", {{"filename", config.path().empty() ? "<embedded default>" : config.path()}});
    auto s = config.load();
    if (s.ok()) log::info("main", "Completed loading of configuration file");
    else log::error("main", "Error reloading config", {{"err", std::string(s.message())}});
    return s;
  };
  router.add({"POST", "PUT"}, "/-/reload",
             [&flags, &reload](const api::HttpRequest&, api::HttpResponse& r) {
               if (!flags.enable_lifecycle) return text(r, 403, "Lifecycle API is not enabled.\n");
               auto s = reload();
               if (s.ok()) text(r, 200, "");
               else text(r, 500, "failed to reload config: " + std::string(s.message()) + "\n");
             });
  router.add({"POST", "PUT"}, "/-/quit", [&flags](const api::HttpRequest&, api::HttpResponse& r) {
    if (!flags.enable_lifecycle) return text(r, 403, "Lifecycle API is not enabled.\n");
    text(r, 200, "Requesting termination... Goodbye!");
    ::kill(::getpid(), SIGTERM);
  });
  router.add({"GET"}, "/metrics", [&registry](const api::HttpRequest&, api::HttpResponse& r) {
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    registry.write_text(&r.body);
  });
  router.add({"GET"}, "/", [](const api::HttpRequest&, api::HttpResponse& r) {
    text(r, 200,
         "Strata " STRATA_VERSION " - a Prometheus-compatible metrics server.\n"
         "Query API: /api/v1/query, /api/v1/query_range; remote write: POST /api/v1/write;\n"
         "self metrics: /metrics; health: /-/healthy, /-/ready.\n");
  });

  HttpServerOptions ho;
  ho.address = flags.listen_address;
  ho.read_timeout_ms = flags.read_timeout_ms;
  ho.max_connections = flags.max_connections;
  HttpServer http(ho, &router, &registry);
  if (auto s = http.start(); !s.ok()) {
    log::error("main", "Unable to start web listener", {{"err", std::string(s.message())}});
    (void)(*db)->close();
    return 1;
  }
  log::info("web", "Listening on", {{"address", flags.listen_address}});
  log::info("main", "Server is ready to receive web requests.");

  // Signals were blocked before any thread started; wait for them here.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      (void)reload();
      continue;
    }
    log::warn("main", "Received termination request, exiting gracefully...",
              {{"signal", sig == SIGINT ? "interrupt" : "terminated"}});
    break;
  }
  ready.store(false);
  http.stop(std::chrono::seconds(30));
  log::info("web", "Web listener stopped");
  if (auto s = (*db)->close(); !s.ok()) {
    log::error("main", "Closing storage failed", {{"err", std::string(s.message())}});
    return 1;
  }
  log::info("main", "See you next time!");
  return 0;
}

}  // namespace
}  // namespace strata::server

int main(int argc, char** argv) {
  using namespace strata::server;
  // Block the signals we wait for in every thread (threads inherit the mask).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> args(argv + 1, argv + argc);
  auto flags = parse_flags(args);
  if (!flags.ok()) {
    std::fprintf(stderr, "strata: error: %s, try --help\n", std::string(flags.status().message()).c_str());
    return 2;
  }
  if (flags->help) {
    std::fputs(help_text().c_str(), stdout);
    return 0;
  }
  if (flags->version) {
    std::printf("strata, version %s (branch: %s, revision: %s)\n  build date:       %s\n  compiler:         %s\n  platform:         linux/%s\n",
                STRATA_VERSION, STRATA_BRANCH, STRATA_REVISION, __DATE__ " " __TIME__,
                compiler().c_str(),
#if defined(__x86_64__)
                "amd64"
#elif defined(__aarch64__)
                "arm64"
#else
                "unknown"
#endif
    );
    return 0;
  }
  return run(*flags);
}
