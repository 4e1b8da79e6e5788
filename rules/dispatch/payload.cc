#include "rules/dispatch/payload.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace strata::rules::dispatch {
namespace {

using nlohmann::json;

json labels_json(const tsdb::Labels& l) {
  json o = json::object();
  for (const auto& x : l) o[x.name] = x.value;
  return o;
}

// The labels (or annotations) every alert carries with the same value.
tsdb::Labels common(const std::vector<Alert>& alerts, tsdb::Labels Alert::*field) {
  if (alerts.empty()) return {};
  std::vector<tsdb::Label> out;
  for (const auto& l : alerts[0].*field) {
    bool all = std::all_of(alerts.begin() + 1, alerts.end(), [&](const Alert& a) {
      return (a.*field).has(l.name) && (a.*field).get(l.name) == l.value;
    });
    if (all) out.push_back(l);
  }
  return tsdb::Labels(std::move(out));
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void truncate_utf8(std::string* s, size_t max) {
  if (s->size() <= max) return;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>((*s)[n]) & 0xC0) == 0x80) --n;
  s->resize(n);
  s->append("…");
}

std::string slack_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out.push_back(c);
  }
  return out;
}

std::string values_joined(const tsdb::Labels& l) {
  std::string out;
  for (const auto& x : l) {
    if (!out.empty()) out += " ";
    out += x.value;
  }
  return out;
}

}  // namespace

uint64_t fingerprint(const tsdb::Labels& labels) {
  uint64_t h = 14695981039346656037ULL;
  auto add = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  for (const auto& l : labels) {
    add(l.name);
    add("\xff");
    add(l.value);
    add("\xff");
  }
  return h;
}

std::string fingerprint_hex(uint64_t fp) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, fp);
  return buf;
}

std::string rfc3339(int64_t ms) {
  if (ms <= 0) return "0001-01-01T00:00:00Z";
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(ms)));
  const year_month_day ymd(day);
  const int64_t in_day = ms - duration_cast<milliseconds>(day.time_since_epoch()).count();
  const int64_t secs = in_day / 1000, frac = in_day % 1000;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(secs / 3600),
                        int(secs / 60 % 60), int(secs % 60));
  std::string out(buf, n);
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", int(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();  // RFC3339Nano trims trailing zeros
    out += f;
  }
  return out + "Z";
}

bool NotificationData::firing() const { return num_firing() > 0; }

size_t NotificationData::num_firing() const {
  return std::count_if(alerts.begin(), alerts.end(),
                       [&](const Alert& a) { return !a.resolved_at(now_ms); });
}

tsdb::Labels NotificationData::common_labels() const { return common(alerts, &Alert::labels); }
tsdb::Labels NotificationData::common_annotations() const {
  return common(alerts, &Alert::annotations);
}

NotificationData make_data(std::string receiver, std::string group_key, std::string external_url,
                           tsdb::Labels group_labels, std::vector<Alert> alerts, int64_t now_ms) {
  for (auto& a : alerts) {
    // As Alertmanager: a firing alert's "valid until" is not an end.
    if (!a.resolved_at(now_ms)) a.ends_at_ms = 0;
  }
  std::stable_sort(alerts.begin(), alerts.end(), [](const Alert& a, const Alert& b) {
    bool ra = a.ends_at_ms != 0, rb = b.ends_at_ms != 0;
    if (ra != rb) return !ra;
    return a.labels < b.labels;
  });
  NotificationData d{std::move(receiver),     std::move(group_key), std::move(external_url),
                     std::move(group_labels), std::move(alerts),    now_ms};
  return d;
}

std::string webhook_json(const NotificationData& d, uint64_t max_alerts) {
  uint64_t limit =
      max_alerts == 0 ? kMaxAlertsPerPayload : std::min<uint64_t>(max_alerts, kMaxAlertsPerPayload);
  json alerts = json::array();
  for (size_t i = 0; i < d.alerts.size() && i < limit; ++i) {
    const Alert& a = d.alerts[i];
    alerts.push_back({{"status", a.resolved_at(d.now_ms) ? "resolved" : "firing"},
                      {"labels", labels_json(a.labels)},
                      {"annotations", labels_json(a.annotations)},
                      {"startsAt", rfc3339(a.starts_at_ms)},
                      {"endsAt", rfc3339(a.ends_at_ms)},
                      {"generatorURL", a.generator_url},
                      {"fingerprint", fingerprint_hex(fingerprint(a.labels))}});
  }
  uint64_t truncated = d.alerts.size() > limit ? d.alerts.size() - limit : 0;
  json j = {{"version", "4"},
            {"groupKey", d.group_key},
            {"truncatedAlerts", truncated},
            {"status", d.firing() ? "firing" : "resolved"},
            {"receiver", d.receiver},
            {"groupLabels", labels_json(d.group_labels)},
            {"commonLabels", labels_json(d.common_labels())},
            {"commonAnnotations", labels_json(d.common_annotations())},
            {"externalURL", d.external_url},
            {"alerts", std::move(alerts)}};
  return dump(j);
}

std::string subject(const NotificationData& d) {
  std::string s = d.firing() ? "[FIRING:" + std::to_string(d.num_firing()) + "]" : "[RESOLVED]";
  s += " " + values_joined(d.group_labels);
  tsdb::Labels common = d.common_labels();
  if (common.size() > d.group_labels.size()) {
    std::vector<std::string> names;
    for (const auto& l : d.group_labels) names.push_back(l.name);
    s += " (" + values_joined(common.without(names)) + ")";
  }
  return s;
}

std::string slack_json(const NotificationData& d, const SlackConfig& c) {
  std::string title = c.title.empty() ? subject(d) : c.title;
  std::string text = c.text;
  if (text.empty()) {
    for (const auto& a : d.alerts) {
      std::string_view what = a.annotations.get("summary");
      if (what.empty()) what = a.annotations.get("description");
      std::string line = "*" + slack_escape(a.labels.get("alertname")) + "*";
      if (a.resolved_at(d.now_ms)) line += " (resolved)";
      if (!what.empty()) line += " " + slack_escape(what);
      line += " " + slack_escape(a.labels.without({"alertname"}).to_string()) + "\n";
      if (text.size() + line.size() > kMaxSlackTextBytes) break;
      text += line;
    }
  }
  truncate_utf8(&title, 1024);
  truncate_utf8(&text, kMaxSlackTextBytes);
  json att = {{"title", title},
              {"text", text},
              {"fallback", title},
              {"color", d.firing() ? "danger" : "good"},
              {"mrkdwn_in", json::array({"fallback", "pretext", "text"})}};
  if (!d.external_url.empty()) att["title_link"] = d.external_url + "/alerts";
  json j = {{"username", c.username}, {"attachments", json::array({att})}};
  if (!c.channel.empty()) j["channel"] = c.channel;
  return dump(j);
}

std::string email_body(const NotificationData& d) {
  std::string out = subject(d) + "\n\n";
  size_t firing = d.num_firing();
  for (size_t i = 0; i < d.alerts.size(); ++i) {
    const Alert& a = d.alerts[i];
    if (i == 0 && firing > 0) out += "Firing alerts:\n\n";
    if (i == firing) out += "Resolved alerts:\n\n";
    std::string block = "Labels:\n";
    for (const auto& l : a.labels) block += "  " + l.name + " = " + l.value + "\n";
    if (!a.annotations.empty()) {
      block += "Annotations:\n";
      for (const auto& l : a.annotations) block += "  " + l.name + " = " + l.value + "\n";
    }
    block += "Started: " + rfc3339(a.starts_at_ms) + "\n";
    if (a.resolved_at(d.now_ms)) block += "Ended: " + rfc3339(a.ends_at_ms) + "\n";
    if (!a.generator_url.empty()) block += "Source: " + a.generator_url + "\n";
    block += "\n";
    if (out.size() + block.size() > kMaxEmailBodyBytes) {
      out += "(" + std::to_string(d.alerts.size() - i) + " more alerts not shown)\n";
      break;
    }
    out += block;
  }
  if (!d.external_url.empty()) out += "Sent by Strata " + d.external_url + "\n";
  return out;
}

}  // namespace strata::rules::dispatch
