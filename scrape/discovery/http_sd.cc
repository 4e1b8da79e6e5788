// http_sd_configs provider (scrape/discovery/provider.h), as Prometheus'
// HTTP SD: a GET of the URL at start and every refresh_interval, answered by
// 200 with Content-Type application/json and a JSON list of target groups.
// Each group's source is `<url>:<index>` and it gets __meta_url; groups past
// the end of a shorter answer are sent once more, empty. Any failure (the
// request, the status, the content type, the JSON) keeps the last groups and
// counts strata_sd_http_failures_total.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <stop_token>

#include "base/go_quote.h"
#include "base/log.h"
#include "fmt/format.h"
#include "net/client.h"
#include "scrape/discovery/http_sd.h"
#include "scrape/discovery/provider.h"

namespace strata::scrape {
namespace {

constexpr std::string_view kUrlLabel = "__meta_url";
// Prometheus reads the answer without a limit; every response Strata reads
// has one. 64 MiB holds several hundred thousand targets.
constexpr int64_t kMaxBodyBytes = int64_t(64) << 20;

}  // namespace

std::string refresh_interval_header(int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000);
  std::string s = fmt::format("{}.{:03d}", ms / 1000, ms % 1000);
  while (s.back() == '0') s.pop_back();
  return s;
}

bool json_content_type(std::string_view ct) {
  // Go's TrimSpace (ASCII part) around, RE2's \s ([\t\n\f\r ]) after ';'.
  auto trim_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  auto re_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  while (!ct.empty() && trim_space(ct.front())) ct.remove_prefix(1);
  while (!ct.empty() && trim_space(ct.back())) ct.remove_suffix(1);
  auto eat = [&](std::string_view word) {
    if (ct.size() < word.size() || !net::iequals(ct.substr(0, word.size()), word)) return false;
    ct.remove_prefix(word.size());
    return true;
  };
  if (!eat("application/json")) return false;
  if (ct.empty()) return true;
  if (!eat(";")) return false;
  while (!ct.empty() && re_space(ct.front())) ct.remove_prefix(1);
  if (!eat("charset=")) return false;
  return ct.size() == 5 ? eat("utf-8") : eat("\"utf-8\"") && ct.empty();
}

absl::StatusOr<std::vector<TargetGroup>> http_sd_groups(const net::Response& r, const std::string& url) {
  if (r.status != 200) return absl::UnavailableError(fmt::format("server returned HTTP status {} {}", r.status, r.reason));
  std::string ct = r.header("Content-Type");
  if (!json_content_type(ct)) return absl::InvalidArgumentError("unsupported content type " + go_quote(ct));
  return parse_target_groups(r.body, GroupFileFormat::kJson, url, kUrlLabel);
}

namespace {

class HttpProvider final : public Provider, public std::enable_shared_from_this<HttpProvider> {
 public:
  HttpProvider(const HttpSdConfig& config, DiscoveryMetrics* metrics, std::string user_agent)
      : config_(config),
        metrics_(metrics),
        user_agent_(std::move(user_agent)),
        interval_ms_(std::max<int64_t>(config.refresh_interval_ms, 1000)) {}

  void start(boost::asio::io_context& ioc, Update update) override {
    ioc_ = &ioc;
    update_ = std::move(update);
    timer_.emplace(ioc);
    net::ClientOptions opts;
    opts.http = config_.http;
    opts.user_agent = user_agent_;
    auto client = net::Client::create(std::move(opts), &ioc);
    if (!client.ok()) {
      log::error("discovery", "Cannot create service discovery",
                 {{"type", "http"}, {"url", config_.url}, {"err", std::string(client.status().message())}});
      return;
    }
    client_ = std::move(*client);
    refresh();
  }

  void stop() override {
    stopped_ = true;
    if (timer_) timer_->cancel();
    request_stop_.request_stop();
  }

 private:
  void refresh() {
    const auto begin = std::chrono::steady_clock::now();
    net::Request req;
    req.url = config_.url;
    req.headers = {{"Accept", "application/json"},
                   {"X-Prometheus-Refresh-Interval-Seconds", refresh_interval_header(config_.refresh_interval_ms)}};
    req.body_limit_bytes = kMaxBodyBytes;
    request_stop_ = std::stop_source();
    // The whole request is bounded by the refresh interval, as Prometheus'
    // client timeout.
    client_->async_send(
        std::move(req), begin + std::chrono::milliseconds(interval_ms_),
        [self = shared_from_this(), begin](absl::StatusOr<net::Response> r) {
          // Handled in a handler of its own, so that the client is never
          // destroyed (with the provider) inside its own callback.
          boost::asio::post(*self->ioc_, [self, begin, r = std::move(r)]() mutable {
            if (self->stopped_) return;
            self->on_response(std::move(r));
            self->arm(begin);
          });
        },
        request_stop_.get_token());
  }

  // The next refresh an interval after this one began (a slow answer does
  // not stretch the period).
  void arm(std::chrono::steady_clock::time_point begin) {
    timer_->expires_at(begin + std::chrono::milliseconds(interval_ms_));
    timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped_) return;
      self->refresh();
    });
  }

  void on_response(absl::StatusOr<net::Response> r) {
    auto groups = r.ok() ? http_sd_groups(*r, config_.url) : absl::StatusOr<std::vector<TargetGroup>>(r.status());
    if (!groups.ok()) {
      metrics_->http_failures->inc();
      log::error("discovery", "Unable to refresh target groups",
                 {{"mechanism", "http"}, {"url", config_.url}, {"err", std::string(groups.status().message())}});
      return;
    }
    if (sent_ && *groups == last_) return;  // unchanged: nothing to tell
    std::vector<TargetGroup> out = *groups;
    for (size_t i = groups->size(); i < last_.size(); ++i)
      out.push_back(TargetGroup{config_.url + ":" + std::to_string(i), {}, {}});
    sent_ = true;
    last_ = std::move(*groups);
    update_(std::move(out));
  }

  const HttpSdConfig config_;
  DiscoveryMetrics* metrics_;
  const std::string user_agent_;
  const int64_t interval_ms_;
  boost::asio::io_context* ioc_ = nullptr;
  Update update_;
  std::unique_ptr<net::Client> client_;
  std::optional<boost::asio::steady_timer> timer_;
  std::stop_source request_stop_;
  std::vector<TargetGroup> last_;  // the groups of the last good answer
  bool sent_ = false;              // update_ was called at least once
  bool stopped_ = false;
};

}  // namespace

std::shared_ptr<Provider> make_http_provider(const HttpSdConfig& config, DiscoveryMetrics* metrics,
                                             std::string user_agent) {
  return std::make_shared<HttpProvider>(config, metrics, std::move(user_agent));
}

}  // namespace strata::scrape
