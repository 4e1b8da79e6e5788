#include "scrape/scrape_loop.h"

#include <boost/asio/post.hpp>
#include <cmath>
#include <utility>

#include "base/clock.h"
#include "base/log.h"
#include "fmt/format.h"

namespace strata::scrape {
namespace {

struct Protocol {
  std::string_view name;
  std::string_view media;  // as Prometheus puts it in Accept
  bool escaping;           // takes the escaping parameter (the 1.0.0 formats)
};
constexpr Protocol kProtocols[] = {
    {"OpenMetricsText1.0.0", "application/openmetrics-text;version=1.0.0", true},
    {"OpenMetricsText0.0.1", "application/openmetrics-text;version=0.0.1", false},
    {"PrometheusText1.0.0", "text/plain;version=1.0.0", true},
    {"PrometheusText0.0.4", "text/plain;version=0.0.4", false},
};

// Go's strconv.FormatFloat(seconds, 'f', -1, 64) for a timeout in ms.
std::string seconds_text(int64_t ms) {
  std::string s = fmt::format("{:.3f}", double(ms) / 1000.0);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

ScrapeMetrics::ScrapeMetrics(metrics::Registry* r)
    : out_of_order(&r->counter("strata_target_scrapes_sample_out_of_order_total",
                               "Total number of samples rejected due to not being out of the expected order.")),
      duplicate(&r->counter("strata_target_scrapes_sample_duplicate_timestamp_total",
                            "Total number of samples rejected due to duplicate timestamps but different values.")),
      out_of_bounds(&r->counter("strata_target_scrapes_sample_out_of_bounds_total",
                                "Total number of samples rejected due to timestamp falling outside of the time bounds.")),
      sample_limit(&r->counter("strata_target_scrapes_exceeded_sample_limit_total",
                               "Total number of scrapes that hit the sample limit and were rejected.")),
      label_limits(&r->counter("strata_target_scrape_pool_exceeded_label_limits_total",
                               "Total number of times scrape pools hit the label limits, during sync or config reload.")),
      failed(&r->counter("strata_target_scrapes_failed_total", "Total number of scrapes that failed.")),
      storage_failed(&r->counter("strata_target_scrapes_storage_failed_total",
                                 "Scrapes that storage could not write (e.g. the disk is full).")),
      storage_failed_samples(&r->counter("strata_target_scrape_samples_storage_failed_total",
                                         "Scraped samples not stored because storage could not write them.")),
      pool_targets(&r->gauge_family("strata_target_scrape_pool_targets",
                                    "Current number of targets in this scrape pool.", {"scrape_job"})) {}

void ScrapeMetrics::record(const ScrapeOutcome& o) {
  using tsdb::RejectReason;
  if (uint64_t n = o.rejected[size_t(RejectReason::kOutOfOrder)]) out_of_order->inc(double(n));
  if (uint64_t n = o.rejected[size_t(RejectReason::kDuplicate)]) duplicate->inc(double(n));
  if (uint64_t n = o.rejected[size_t(RejectReason::kOutOfBounds)] + o.rejected[size_t(RejectReason::kTooOld)])
    out_of_bounds->inc(double(n));
  if (o.sample_limit_exceeded) sample_limit->inc();
  if (o.label_limits_exceeded) label_limits->inc();
  if (!o.error.ok()) failed->inc();
  if (!o.storage_error.ok()) {
    storage_failed->inc();
    storage_failed_samples->inc(double(o.added));
    int64_t now = now_ms();
    int64_t last = last_storage_log_ms.load(std::memory_order_relaxed);
    if (now - last >= 10'000 &&
        last_storage_log_ms.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
      log::error("scrape", "storage failed, scraped samples not stored (further failures are only counted for 10s)",
                 {{"err", std::string(o.storage_error.message())}});
    }
  }
}

std::optional<textparse::Format> fallback_format(std::string_view protocol) {
  if (protocol.starts_with("PrometheusText")) return textparse::Format::kPrometheusText;
  if (protocol.starts_with("OpenMetricsText")) return textparse::Format::kOpenMetrics;
  return std::nullopt;
}

std::string accept_header(const std::vector<std::string>& scrape_protocols, bool utf8_names) {
  std::vector<std::string_view> names;
  if (scrape_protocols.empty()) {
    for (const auto& p : kProtocols) names.push_back(p.name);
  } else {
    for (const auto& n : scrape_protocols) names.push_back(n);
  }
  // Prometheus weighs the listed protocols down from q=0.<n+1> (n = the
  // five protocols it knows), then */*.
  int weight = 6;
  std::string out;
  for (std::string_view n : names) {
    const Protocol* p = nullptr;
    for (const auto& k : kProtocols)
      if (k.name == n) p = &k;
    if (!p) continue;  // PrometheusProto: not parsed here
    if (!out.empty()) out += ',';
    out += p->media;
    if (p->escaping) out += utf8_names ? ";escaping=allow-utf-8" : ";escaping=underscores";
    out += fmt::format(";q=0.{}", weight--);
  }
  if (!out.empty()) out += ',';
  out += fmt::format("*/*;q=0.{}", weight);
  return out;
}

ScrapeLoop::ScrapeLoop(std::shared_ptr<Target> target, LoopSettings settings,
                       std::unique_ptr<ScrapeAppender> appender, const LoopDeps& deps)
    : target_(std::move(target)),
      settings_(std::move(settings)),
      appender_(std::move(appender)),
      deps_(deps),
      timer_(*deps.ioc) {}

void ScrapeLoop::start() {
  const int64_t interval = target_->interval_ms();
  const int64_t now = now_ms();
  // The first t >= now with t mod interval == phase.
  int64_t base = now - now % interval;
  int64_t tick = base + target_->phase_ms();
  if (tick < now) tick += interval;
  arm(tick);
}

void ScrapeLoop::arm(int64_t tick_ms) {
  next_tick_ms_ = tick_ms;
  auto delay = std::chrono::milliseconds(std::max<int64_t>(0, tick_ms - now_ms()));
  timer_.expires_after(delay);
  timer_.async_wait([self = shared_from_this(), tick_ms](boost::system::error_code ec) {
    if (ec || self->stopping_) return;
    self->on_tick(tick_ms);
  });
}

void ScrapeLoop::on_tick(int64_t tick_ms) {
  busy_ = true;
  const int64_t now = now_ms();
  const int64_t ts = std::abs(now - tick_ms) <= kTimestampToleranceMs ? tick_ms : now;
  const auto start = std::chrono::steady_clock::now();
  if (!forced_error_.ok()) {
    on_response(ts, start, forced_error_);
    return;
  }
  net::Request req;
  req.url = target_->url();
  req.headers = {
      {"Accept", settings_.accept},
      {"User-Agent", deps_.user_agent},
      {"X-Prometheus-Scrape-Timeout-Seconds", seconds_text(target_->timeout_ms())},
  };
  if (!settings_.enable_compression) req.headers.push_back({"Accept-Encoding", "identity"});
  req.body_limit_bytes = settings_.body_size_limit_bytes;
  request_stop_ = std::stop_source();
  settings_.client->async_send(
      std::move(req), start + std::chrono::milliseconds(target_->timeout_ms()),
      [self = shared_from_this(), ts, start](absl::StatusOr<net::Response> r) {
        self->on_response(ts, start, std::move(r));
      },
      request_stop_.get_token());
}

// On the io thread: hands the body to a worker, which parses and appends.
void ScrapeLoop::on_response(int64_t ts_ms, std::chrono::steady_clock::time_point start,
                             absl::StatusOr<net::Response> r) {
  // Stopped meanwhile (shutdown, the target left): the cancelled scrape is
  // not a failed one, so nothing is stored (no up = 0, no stale markers).
  if (stopping_ && stop_mode_ != StopMode::kHandover) {
    after_cycle();
    return;
  }
  boost::asio::post(*deps_.workers, [self = shared_from_this(), ts_ms, start, r = std::move(r)]() mutable {
    absl::Status error;
    std::optional<textparse::Format> format;
    std::string_view body;
    if (!r.ok()) {
      // The size limit reads as Prometheus' errBodySizeLimit, without the URL.
      error = r.status().code() == absl::StatusCode::kResourceExhausted
                  ? absl::ResourceExhaustedError("body size limit exceeded")
                  : r.status();
    } else if (r->status != 200) {
      error = absl::UnavailableError(fmt::format("server returned HTTP status {} {}", r->status, r->reason));
    } else {
      std::string ct = r->header("Content-Type");
      format = textparse::format_for_content_type(ct);
      if (!format) format = self->settings_.fallback;
      if (!format && !r->body.empty()) {
        error = absl::InvalidArgumentError(fmt::format(
            "received unsupported Content-Type \"{}\" and no fallback_scrape_protocol specified for target", ct));
      }
      body = r->body;
    }
    double duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    uint64_t bytes = r.ok() ? r->body.size() : 0;
    ScrapeOutcome o = self->appender_->scrape(*self->deps_.db, error,
                                              format.value_or(textparse::Format::kPrometheusText), body,
                                              ts_ms, duration_s, bytes);
    self->deps_.metrics->record(o);
    self->target_->report(ts_ms, duration_s, o.error);
    if (auto md = self->appender_->changed_metadata()) self->target_->set_metadata(std::move(*md));
    boost::asio::post(*self->deps_.ioc, [self] { self->after_cycle(); });
  });
}

void ScrapeLoop::after_cycle() {
  busy_ = false;
  if (stopping_) {
    finish_stop();
    return;
  }
  // The next tick still ahead; ticks missed while busy are skipped.
  const int64_t interval = target_->interval_ms();
  int64_t next = next_tick_ms_ + interval;
  const int64_t now = now_ms();
  if (next <= now) next += ((now - next) / interval + 1) * interval;
  arm(next);
}

void ScrapeLoop::stop(StopMode mode, StopDone done) {
  if (stopping_) return;
  stopping_ = true;
  stop_mode_ = mode;
  stop_done_ = std::move(done);
  timer_.cancel();
  // A handover lets the scrape in flight finish and be stored, so a reload
  // leaves no gap; otherwise it is cancelled.
  if (mode != StopMode::kHandover) request_stop_.request_stop();
  if (!busy_) finish_stop();
}

void ScrapeLoop::finish_stop() {
  // `done` runs once and is let go: the pool's callback holds this loop.
  auto finish = [self = shared_from_this()](std::unique_ptr<ScrapeAppender> a) {
    if (auto done = std::exchange(self->stop_done_, nullptr)) done(std::move(a));
  };
  switch (stop_mode_) {
    case StopMode::kShutdown:
      finish(nullptr);
      return;
    case StopMode::kHandover:
      finish(std::move(appender_));
      return;
    case StopMode::kEndOfRun:
      if (abandoned_) {
        finish(nullptr);
        return;
      }
      break;
  }
  // The markers carry the next tick's time and are written one interval
  // after it.
  const int64_t interval = target_->interval_ms();
  int64_t stale_ms = next_tick_ms_;
  const int64_t now = now_ms();
  if (stale_ms <= now) stale_ms += ((now - stale_ms) / interval + 1) * interval;
  timer_.expires_after(std::chrono::milliseconds(stale_ms + interval - now));
  timer_.async_wait([self = shared_from_this(), stale_ms, finish](boost::system::error_code ec) {
    if (ec) {  // the manager shuts down meanwhile: no markers, as Prometheus
      finish(nullptr);
      return;
    }
    boost::asio::post(*self->deps_.workers, [self, stale_ms, finish] {
      if (absl::Status st = self->appender_->end_of_run(*self->deps_.db, stale_ms); !st.ok())
        log::warn("scrape", "Stale markers could not be written",
                  {{"target", self->target_->url()}, {"err", std::string(st.message())}});
      boost::asio::post(*self->deps_.ioc, [finish] { finish(nullptr); });
    });
  });
}

}  // namespace strata::scrape
