// One alertmanagers config at run time (rules/notifier/alertmanager_set.h).
#include "rules/notifier/alertmanager_set.h"

#include <algorithm>

#include "base/log.h"

namespace strata::rules::notifier {

absl::StatusOr<std::shared_ptr<AlertmanagerSet>> AlertmanagerSet::create(
    AlertmanagerConfig config, boost::asio::io_context& ioc, const std::string& user_agent,
    NotifierMetrics* metrics, scrape::DiscoveryMetrics* sd_metrics) {
  // server/'s parser refuses it already; a config built elsewhere too.
  if (config.api_version != "v2")
    return absl::InvalidArgumentError(
        "expected Alertmanager api version to be one of [v2] but got " + config.api_version);
  net::ClientOptions co;
  co.http = config.http;
  co.user_agent = user_agent;
  auto client = net::Client::create(std::move(co), &ioc);
  if (!client.ok()) return client.status();
  return std::shared_ptr<AlertmanagerSet>(
      new AlertmanagerSet(std::move(config), ioc, std::move(*client), metrics, sd_metrics));
}

AlertmanagerSet::AlertmanagerSet(AlertmanagerConfig config, boost::asio::io_context& ioc,
                                 std::unique_ptr<net::Client> client, NotifierMetrics* metrics,
                                 scrape::DiscoveryMetrics* sd_metrics)
    : config_(std::move(config)),
      ioc_(ioc),
      client_(std::move(client)),
      metrics_(metrics),
      sd_metrics_(sd_metrics) {}

void AlertmanagerSet::start() {
  if (!config_.static_configs.empty())
    providers_.push_back(scrape::make_static_provider(config_.static_configs));
  for (const auto& f : config_.file_sd_configs)
    providers_.push_back(scrape::make_file_provider(f, sd_metrics_));
  groups_.assign(providers_.size(), {});
  std::weak_ptr<AlertmanagerSet> weak = weak_from_this();
  for (size_t i = 0; i < providers_.size(); ++i) {
    providers_[i]->start(ioc_, [weak, i](std::vector<scrape::TargetGroup> groups) {
      if (auto self = weak.lock()) self->on_update(i, std::move(groups));
    });
  }
}

void AlertmanagerSet::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& p : providers_) p->stop();
  providers_.clear();
  std::lock_guard lock(mu_);
  metrics_->alertmanagers_discovered->add(-double(active_.size()));
}

void AlertmanagerSet::on_update(size_t provider, std::vector<scrape::TargetGroup> groups) {
  if (stopped_ || provider >= groups_.size()) return;
  auto& mine = groups_[provider];
  // A provider sends every group it knows; an empty one has vanished.
  for (auto& g : groups) {
    auto it = std::find_if(mine.begin(), mine.end(),
                           [&](const scrape::TargetGroup& m) { return m.source == g.source; });
    if (g.targets.empty()) {
      if (it != mine.end()) mine.erase(it);
    } else if (it != mine.end()) {
      *it = std::move(g);
    } else {
      mine.push_back(std::move(g));
    }
  }
  std::vector<scrape::TargetGroup> all;
  for (const auto& per : groups_) all.insert(all.end(), per.begin(), per.end());
  AlertmanagerTargets t = alertmanagers_from_groups(all, config_);
  for (const auto& e : t.errors)
    log::error("notifier", "Error in alertmanager target", {{"err", e}});
  // Every URL of the set; a URL another provider yields too is kept once.
  std::vector<AlertmanagerTarget> active;
  for (auto& am : t.active) {
    metrics_->sent->with({am.url});  // listed at 0 from discovery on
    metrics_->errors->with({am.url});
    active.push_back(std::move(am));
  }
  std::lock_guard lock(mu_);
  metrics_->alertmanagers_discovered->add(double(active.size()) - double(active_.size()));
  active_ = std::move(active);
  dropped_ = std::move(t.dropped);
}

std::vector<AlertmanagerTarget> AlertmanagerSet::active() const {
  std::lock_guard lock(mu_);
  return active_;
}

std::vector<AlertmanagerTarget> AlertmanagerSet::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace strata::rules::notifier
