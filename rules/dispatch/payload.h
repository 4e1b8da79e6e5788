// What a notification says, and how each integration writes it.
//
// NotificationData is Alertmanager's template data for one flush of one
// aggregation group to one integration: receiver, status ("firing" when any
// alert fires, else "resolved"), group/common labels, common annotations,
// the alerts (firing ones with endsAt zeroed, as Alertmanager sends them).
//
// Formats (each bounded: see the k* limits):
//  * webhook: Alertmanager's webhook JSON, version "4", with groupKey,
//    truncatedAlerts (alerts beyond max_alerts), and per alert status,
//    labels, annotations, startsAt, endsAt, generatorURL, fingerprint.
//  * subject (Slack title, e-mail Subject): Alertmanager's default
//    `[FIRING:<n firing>] <group label values> (<other common label
//    values>)`, or `[RESOLVED] ...`; label values in label-name order.
//  * Slack: an incoming-webhook message {"channel","username","attachments":
//    [{"title","title_link","text","fallback","color","mrkdwn_in"}]}; color
//    "danger" while firing, "good" when resolved; fallback = title. Strata's
//    default text (Alertmanager's is empty) lists the alerts, one line
//    each: `*<alertname>* <summary or description annotation> (<labels>)`,
//    firing first, then resolved ones.
//  * e-mail: a plain-text body: the subject line, then per alert its
//    status, labels, annotations, start (and end when resolved) and source.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rules/alert.h"
#include "rules/dispatch/config.h"
#include "tsdb/labels/labels.h"

namespace strata::rules::dispatch {

// Size bounds of what is sent: Slack refuses texts over 40k characters;
// e-mail bodies and webhook payloads stay well below what servers accept.
inline constexpr size_t kMaxSlackTextBytes = 32 * 1024;
inline constexpr size_t kMaxEmailBodyBytes = 256 * 1024;
inline constexpr size_t kMaxAlertsPerPayload = 1000;  // when max_alerts is 0

// Alertmanager's alert fingerprint: FNV-1a 64 over the labels sorted by
// name, each name and value followed by the byte 0xff.
uint64_t fingerprint(const tsdb::Labels& labels);
// "%016x".
std::string fingerprint_hex(uint64_t fp);
// Go's time.Time JSON/RFC3339Nano in UTC: "2024-01-02T03:04:05.123Z";
// `ms` == 0 (or below) gives the zero time "0001-01-01T00:00:00Z".
std::string rfc3339(int64_t ms);

struct NotificationData {
  std::string receiver;
  std::string group_key;
  std::string external_url;
  tsdb::Labels group_labels;
  std::vector<Alert> alerts;  // firing first, then resolved; see make_data()
  int64_t now_ms = 0;

  bool firing() const;
  size_t num_firing() const;
  tsdb::Labels common_labels() const;
  tsdb::Labels common_annotations() const;
};

// Builds the data: sorts alerts (firing first, each part by labels) and
// zeroes the endsAt of firing ones.
NotificationData make_data(std::string receiver, std::string group_key, std::string external_url,
                           tsdb::Labels group_labels, std::vector<Alert> alerts, int64_t now_ms);

std::string webhook_json(const NotificationData& d, uint64_t max_alerts);
std::string subject(const NotificationData& d);
std::string slack_json(const NotificationData& d, const SlackConfig& c);
std::string email_body(const NotificationData& d);

}  // namespace strata::rules::dispatch
