// static_configs and file_sd_configs providers (scrape/discovery/provider.h).
#include <sys/inotify.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <cstring>

#include "base/go_glob.h"
#include "base/log.h"
#include "scrape/discovery/provider.h"

namespace strata::scrape {
namespace {

class StaticProvider final : public Provider {
 public:
  explicit StaticProvider(const std::vector<StaticConfig>& configs) {
    for (size_t i = 0; i < configs.size(); ++i) {
      TargetGroup g;
      g.source = std::to_string(i);
      std::vector<tsdb::Label> labels;
      for (const auto& [k, v] : configs[i].labels) labels.push_back({k, v});
      g.labels = tsdb::Labels::from_unsorted(std::move(labels));
      for (const auto& t : configs[i].targets) g.targets.push_back(tsdb::Labels({{"__address__", t}}));
      groups_.push_back(std::move(g));
    }
  }
  void start(boost::asio::io_context&, Update update) override { update(groups_); }
  void stop() override {}

 private:
  std::vector<TargetGroup> groups_;
};

// Files are matched by their globs at every scan. inotify watches the
// directories the globs point into (a file may be created later, or replaced
// by a rename, which a watch on the file itself would miss); any event there
// triggers a rescan after a short quiet period, so an editor's burst of
// writes is read once.
class FileProvider final : public Provider, public std::enable_shared_from_this<FileProvider> {
 public:
  FileProvider(const FileSdConfig& config, DiscoveryMetrics* metrics)
      : config_(config), metrics_(metrics) {}
  ~FileProvider() override { close_inotify(); }

  void start(boost::asio::io_context& ioc, Update update) override {
    update_ = std::move(update);
    refresh_timer_.emplace(ioc);
    debounce_timer_.emplace(ioc);
    open_inotify(ioc);
    scan();
    arm_refresh();
  }

  void stop() override {
    stopped_ = true;
    if (refresh_timer_) refresh_timer_->cancel();
    if (debounce_timer_) debounce_timer_->cancel();
    close_inotify();
  }

 private:
  // Waiting this long after an inotify event lets a writer finish.
  static constexpr auto kDebounce = std::chrono::milliseconds(100);

  void open_inotify(boost::asio::io_context& ioc) {
    int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      log::error("discovery", "Error creating file watcher; files are re-read every refresh_interval only",
                 {{"err", std::strerror(errno)}});
      return;
    }
    std::set<std::string> dirs;
    for (const auto& pattern : config_.files) dirs.insert(std::filesystem::path(pattern).parent_path().string());
    for (const auto& d : dirs) {
      const uint32_t mask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE;
      if (::inotify_add_watch(fd, d.empty() ? "." : d.c_str(), mask) < 0)
        log::error("discovery", "Error adding file watch", {{"path", d}, {"err", std::strerror(errno)}});
    }
    watch_.emplace(ioc, fd);
    read_events();
  }

  void close_inotify() {
    if (watch_) {
      boost::system::error_code ec;
      watch_->close(ec);
      watch_.reset();
    }
  }

  void read_events() {
    watch_->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this, self = shared_from_this()](boost::system::error_code ec) {
      if (ec || stopped_) return;
      char buf[4096];
      while (::read(watch_->native_handle(), buf, sizeof buf) > 0) {
      }
      debounce_timer_->expires_after(kDebounce);
      debounce_timer_->async_wait([this, self](boost::system::error_code ec) {
        if (!ec && !stopped_) scan();
      });
      read_events();
    });
  }

  void arm_refresh() {
    refresh_timer_->expires_after(std::chrono::milliseconds(std::max<int64_t>(config_.refresh_interval_ms, 1000)));
    refresh_timer_->async_wait([this, self = shared_from_this()](boost::system::error_code ec) {
      if (ec || stopped_) return;
      scan();
      arm_refresh();
    });
  }

  std::vector<std::string> match() const {
    std::set<std::string> out;
    for (const auto& pattern : config_.files) {
      auto m = go_glob(pattern);  // a bad pattern matches nothing
      if (m.ok()) out.insert(m->begin(), m->end());
    }
    return {out.begin(), out.end()};
  }

  // Reads every matched file; a file that cannot be read or parsed keeps
  // the groups it had (an editor's half-written file must not drop all its
  // targets); a file gone from the match sends its groups once more, empty.
  void scan() {
    metrics_->file_scans->inc();
    std::map<std::string, std::vector<TargetGroup>> next;
    for (const std::string& path : match()) {
      auto groups = read_file(path);
      if (groups.ok()) {
        next[path] = std::move(*groups);
        continue;
      }
      metrics_->file_read_errors->inc();
      log::error("discovery", "Error reading file", {{"path", path}, {"err", std::string(groups.status().message())}});
      if (auto it = files_.find(path); it != files_.end()) next[path] = it->second;
    }
    std::vector<TargetGroup> out;
    for (const auto& [path, groups] : next) out.insert(out.end(), groups.begin(), groups.end());
    // Sources that vanished (a file removed, or a file with fewer groups).
    std::set<std::string> now;
    for (const auto& g : out) now.insert(g.source);
    for (const auto& [path, groups] : files_)
      for (const auto& g : groups)
        if (!now.count(g.source)) out.push_back(TargetGroup{g.source, {}, {}});
    bool changed = next != files_ || first_;
    files_ = std::move(next);
    first_ = false;
    if (changed) update_(std::move(out));
  }

  static absl::StatusOr<std::vector<TargetGroup>> read_file(const std::string& path) {
    auto format = group_file_format(path);
    if (!format) return absl::InvalidArgumentError("invalid file extension");
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError("open " + path + ": " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_target_groups(ss.str(), *format, path);
  }

  const FileSdConfig config_;
  DiscoveryMetrics* metrics_;
  Update update_;
  std::optional<boost::asio::steady_timer> refresh_timer_, debounce_timer_;
  std::optional<boost::asio::posix::stream_descriptor> watch_;
  std::map<std::string, std::vector<TargetGroup>> files_;  // path -> its last good groups
  bool first_ = true;
  bool stopped_ = false;
};

}  // namespace

DiscoveryMetrics::DiscoveryMetrics(metrics::Registry* registry)
    : file_read_errors(&registry->counter("strata_sd_file_read_errors_total",
                                          "The number of File-SD read errors.")),
      file_scans(&registry->counter("strata_sd_file_scans_total",
                                    "The number of File-SD scans.")),
      http_failures(&registry->counter("strata_sd_http_failures_total",
                                       "Number of HTTP service discovery refresh failures.")),
      dns_lookups(&registry->counter("strata_sd_dns_lookups_total",
                                     "The number of DNS-SD lookups.")),
      dns_lookup_failures(&registry->counter("strata_sd_dns_lookup_failures_total",
                                             "The number of DNS-SD lookup failures.")) {}

std::shared_ptr<Provider> make_static_provider(const std::vector<StaticConfig>& configs) {
  return std::make_shared<StaticProvider>(configs);
}

std::shared_ptr<Provider> make_file_provider(const FileSdConfig& config, DiscoveryMetrics* metrics) {
  return std::make_shared<FileProvider>(config, metrics);
}

}  // namespace strata::scrape
