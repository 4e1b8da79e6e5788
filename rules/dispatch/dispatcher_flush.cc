// Dispatcher::flush(): Alertmanager's notification pipeline for one group
// (dispatcher.h): for each integration, compare with the notification log,
// notify, record, retry with backoff; then drop the resolved alerts every
// integration has heard of.
#include <algorithm>

#include "base/clock.h"
#include "base/log.h"
#include "rules/dispatch/dispatcher_internal.h"
#include "rules/dispatch/payload.h"

namespace strata::rules::dispatch {
namespace {

// Whether every element of `sub` is in `super` (both sorted).
bool subset(const std::vector<uint64_t>& sub, const std::vector<uint64_t>& super) {
  return std::includes(super.begin(), super.end(), sub.begin(), sub.end());
}

bool needs_update(const LogEntry* e, const std::vector<uint64_t>& firing,
                  const std::vector<uint64_t>& resolved, bool send_resolved, int64_t repeat_ms,
                  int64_t now_ms) {
  // Never notified: only firing alerts are news.
  if (!e) return !firing.empty();
  if (!subset(firing, e->firing)) return true;
  // All resolved: notify (even without send_resolved, which then sends
  // nothing) so that the log forgets the firing set; if nothing was
  // notified firing, the receiver never heard of them.
  if (firing.empty()) return !e->firing.empty();
  if (send_resolved && !subset(resolved, e->resolved)) return true;
  return e->at_ms + repeat_ms <= now_ms;
}

std::string log_key(const std::string& group_key, const std::string& receiver,
                    const Integration& in) {
  return group_key + "|" + receiver + "|" + integration_name(in.kind()) + "/" +
         std::to_string(in.index());
}

}  // namespace

void Dispatcher::flush(Group& g, int64_t t, bool retries_only, const Inhibitor* inhibitor) {
  const std::string& receiver = g.route->config->receiver;
  auto rit = state_->receivers.find(receiver);
  if (rit == state_->receivers.end()) return;  // validated by the config: cannot happen
  if (!retries_only) g.retries.clear();

  // The group's state at this instant; alerts may change while we send.
  std::vector<Alert> all, firing_only;
  std::vector<uint64_t> firing, resolved, resolved_muted;
  for (const auto& [fp, a] : g.alerts) {
    if (inhibitor && inhibitor->muted(a.labels)) {
      if (a.resolved_at(t)) resolved_muted.push_back(fp);
      continue;
    }
    all.push_back(a);
    if (a.resolved_at(t)) {
      resolved.push_back(fp);
    } else {
      firing.push_back(fp);
      firing_only.push_back(a);
    }
  }

  if (all.empty()) {
    // Everything muted: nobody hears of it; resolved alerts may go.
    for (uint64_t fp : resolved_muted) g.alerts.erase(fp);
    g.retries.clear();
    return;
  }
  bool failed = false;
  const auto& integrations = rit->second.integrations;
  for (size_t i = 0; i < integrations.size(); ++i) {
    Integration& in = *integrations[i];
    auto retry = g.retries.find(i);
    if (retries_only && (retry == g.retries.end() || retry->second.at_ms > t)) {
      if (retry != g.retries.end()) failed = true;  // still pending
      continue;
    }
    const std::string key = log_key(g.key, receiver, in);
    if (!needs_update(log_->find(key), firing, resolved, in.send_resolved(),
                      g.route->config->repeat_interval_ms, t)) {
      if (retry != g.retries.end()) g.retries.erase(retry);
      continue;
    }
    absl::Status s;
    const std::vector<Alert>& to_send = in.send_resolved() ? all : firing_only;
    if (!to_send.empty()) {
      const char* name = integration_name(in.kind());
      NotificationData d = make_data(receiver, g.key, opts_.external_url, g.labels, to_send, t);
      const double start = monotonic_seconds();
      s = in.notify(d);
      m_->latency->with({name}).observe(monotonic_seconds() - start);
      m_->notifications->with({name}).inc();
      if (!s.ok()) m_->failed->with({name}).inc();
    }
    if (s.ok()) {
      g.retries.erase(i);
      if (!log_->record(key, firing, resolved, t).ok()) m_->log_write_failures->inc();
      continue;
    }
    failed = true;
    int attempts = (retry == g.retries.end() ? 0 : retry->second.attempts) + 1;
    if (retryable(s) && attempts < kMaxAttempts) {
      int64_t backoff = opts_.initial_backoff_ms;
      for (int k = 1; k < attempts && backoff < opts_.max_backoff_ms; ++k) backoff *= 2;
      g.retries[i] = Group::Retry{attempts, t + std::min(backoff, opts_.max_backoff_ms)};
      log::warn("notify", "Notify attempt failed, will retry",
                {{"receiver", receiver},
                 {"integration", integration_name(in.kind())},
                 {"index", in.index()},
                 {"attempts", attempts},
                 {"err", s.message()}});
    } else {
      // Given up until the next flush, which tries again (nothing logged).
      g.retries.erase(i);
      log::error("notify", "Notify for alerts failed",
                 {{"receiver", receiver},
                  {"integration", integration_name(in.kind())},
                  {"index", in.index()},
                  {"attempts", attempts},
                  {"err", s.message()}});
    }
  }
  if (failed || !g.retries.empty()) return;
  // Every integration heard of this state: resolved alerts that did not
  // change meanwhile leave the group.
  for (uint64_t fp : resolved) {
    auto it = g.alerts.find(fp);
    if (it == g.alerts.end()) continue;
    const Alert& a = it->second;
    auto same = std::find_if(all.begin(), all.end(), [&](const Alert& b) {
      return b.labels == a.labels && b.ends_at_ms == a.ends_at_ms;
    });
    if (same != all.end()) g.alerts.erase(it);
  }
}

}  // namespace strata::rules::dispatch
