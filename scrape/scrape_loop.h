// ScrapeLoop: scrapes one target every interval and stores what it gets
// through the target's ScrapeAppender (scrape/scrape_append.h).
//
// Schedule: the target is scraped at the times t with
// t mod interval == target.phase_ms() (Unix ms), so a pool's targets spread
// over the interval and keep their phase across reloads and restarts. A tick
// that comes while the previous scrape is still being stored is skipped, as
// Go's ticker drops ticks. The samples get the tick's time when the timer
// fired within kTimestampTolerance of it (Prometheus' timestamp alignment:
// regular timestamps compress better), else the actual time.
//
// One cycle: timer (io thread) -> HTTP GET through the shared net::Client
// (io thread, asynchronous) -> parse and append on a worker thread -> the
// next tick is armed on the io thread. At most one cycle runs per loop, so
// the ScrapeAppender is used by one thread at a time.
//
// Request: Accept from scrape_protocols, Accept-Encoding gzip unless
// enable_compression is false, User-Agent Strata/<version>,
// X-Prometheus-Scrape-Timeout-Seconds, body_size_limit; the whole exchange
// is bounded by scrape_timeout. The response must be 200; its Content-Type
// picks the parser (fallback_scrape_protocol when it names none).
//
// Stopping (on the io thread, through ScrapePool):
//   kShutdown   no stale markers (Prometheus writes none on shutdown); a
//               scrape in flight is cancelled and not stored
//   kHandover   no stale markers; a scrape in flight finishes and is stored,
//               then the appender (cache, staleness state) goes to the loop
//               that replaces this one after a reload
//   kEndOfRun   the target went away: at the next tick's time, stale
//               markers for its series and report series, written one
//               interval later (so a target that reappears in another pool
//               meanwhile has written newer samples and wins)
// `done` runs on the io thread once the loop is idle for good.
//
// Lifetime: owned by shared_ptr; pending handlers keep it alive. The deps
// must outlive every loop (the manager joins its threads before going).
#pragma once

#include <atomic>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "base/metrics.h"
#include "net/client.h"
#include "scrape/scrape_append.h"
#include "scrape/target.h"
#include "tsdb/storage.h"

namespace strata::scrape {

// Self-metrics of scraping, shared by a manager's loops (names in
// scrape/manager.h).
struct ScrapeMetrics {
  explicit ScrapeMetrics(metrics::Registry* registry);
  void record(const ScrapeOutcome& o);

  metrics::Counter* out_of_order;
  metrics::Counter* duplicate;
  metrics::Counter* out_of_bounds;
  metrics::Counter* sample_limit;
  metrics::Counter* label_limits;
  metrics::Counter* failed;
  // Storage could not write a scrape (ScrapeOutcome::storage_error, e.g. a
  // full disk): the scrapes, and their samples (after relabelling), lost.
  // The target stays up (Prometheus too only logs a failed commit); these
  // and one ERROR line per 10 s tell the operator.
  metrics::Counter* storage_failed;
  metrics::Counter* storage_failed_samples;
  metrics::Family<metrics::Gauge>* pool_targets;
  std::atomic<int64_t> last_storage_log_ms{0};
};

struct LoopDeps {
  boost::asio::io_context* ioc = nullptr;       // timers and HTTP; one thread
  boost::asio::thread_pool* workers = nullptr;  // parsing and appending
  tsdb::Appendable* db = nullptr;
  ScrapeMetrics* metrics = nullptr;
  std::string user_agent = "Strata";
};

// What a loop needs from the pool's configuration besides the appender's.
struct LoopSettings {
  std::shared_ptr<net::Client> client;  // the pool's (its HTTP config)
  std::string accept;                   // the Accept header
  std::optional<textparse::Format> fallback;
  bool enable_compression = true;
  int64_t body_size_limit_bytes = 0;
};

// The parser fallback_scrape_protocol names; nullopt for "" (none) and
// PrometheusProto (not parsed here).
std::optional<textparse::Format> fallback_format(std::string_view protocol);

// Accept header for scrape_protocols (Prometheus 3's default order when
// empty); protocols Strata cannot parse (PrometheusProto) are left out.
std::string accept_header(const std::vector<std::string>& scrape_protocols, bool utf8_names);

class ScrapeLoop : public std::enable_shared_from_this<ScrapeLoop> {
 public:
  enum class StopMode { kShutdown, kHandover, kEndOfRun };
  using StopDone = std::function<void(std::unique_ptr<ScrapeAppender>)>;

  // Prometheus' default --scrape.timestamp-tolerance.
  static constexpr int64_t kTimestampToleranceMs = 2;

  ScrapeLoop(std::shared_ptr<Target> target, LoopSettings settings, std::unique_ptr<ScrapeAppender> appender,
             const LoopDeps& deps);

  const std::shared_ptr<Target>& target() const { return target_; }

  // Arms the first tick. Call on the io thread.
  void start();
  // Call on the io thread; `done` (may be empty) gets the appender for
  // kHandover, null otherwise.
  void stop(StopMode mode, StopDone done);
  // Stopped with kEndOfRun and waiting to write its markers: give up
  // (shutdown); `done` runs without markers written. Call on the io thread.
  void abandon() {
    abandoned_ = true;
    timer_.cancel();
  }
  // A scrape error forced on every scrape (target_limit exceeded); empty
  // clears it. Call on the io thread.
  void set_forced_error(absl::Status error) { forced_error_ = std::move(error); }

 private:
  void arm(int64_t tick_ms);
  void on_tick(int64_t tick_ms);
  void on_response(int64_t ts_ms, std::chrono::steady_clock::time_point start,
                   absl::StatusOr<net::Response> r);
  void after_cycle();  // io thread
  void finish_stop();  // io thread, once idle

  const std::shared_ptr<Target> target_;
  const LoopSettings settings_;
  std::unique_ptr<ScrapeAppender> appender_;
  const LoopDeps deps_;
  boost::asio::steady_timer timer_;
  std::stop_source request_stop_;
  absl::Status forced_error_;
  int64_t next_tick_ms_ = 0;
  bool busy_ = false;  // a cycle is between its tick and after_cycle()
  bool stopping_ = false;
  bool abandoned_ = false;
  StopMode stop_mode_ = StopMode::kShutdown;
  StopDone stop_done_;
};

}  // namespace strata::scrape
