// Integration: one notifier of a receiver (one entry of its webhook_configs,
// slack_configs or email_configs), which delivers a NotificationData.
//
// notify() blocks the calling thread (the dispatcher's) for at most the
// integration's timeout; it must not run on the io_context thread of the
// HTTP client. Errors carry their retryability in the status code: a 4xx
// answer is FailedPrecondition (net::status_error) and config problems are
// InvalidArgument — both not retried; everything else (5xx, 429, network,
// deadline) is. Thread-compatible: one caller at a time.
//
// Lifetime: the io_context given to make_integrations() must outlive the
// integrations (their net::Clients run on it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rules/dispatch/config.h"
#include "rules/dispatch/payload.h"

namespace boost::asio {
class io_context;
}

namespace strata::rules::dispatch {

// The integration names of metrics and log keys.
enum class IntegrationKind { kWebhook, kSlack, kEmail };
const char* integration_name(IntegrationKind k);

class Integration {
 public:
  virtual ~Integration() = default;
  virtual absl::Status notify(const NotificationData& d) = 0;

  IntegrationKind kind() const { return kind_; }
  int index() const { return index_; }  // position in its *_configs list
  bool send_resolved() const { return send_resolved_; }

 protected:
  Integration(IntegrationKind kind, int index, bool send_resolved)
      : kind_(kind), index_(index), send_resolved_(send_resolved) {}

 private:
  IntegrationKind kind_;
  int index_;
  bool send_resolved_;
};

struct IntegrationOptions {
  boost::asio::io_context* ioc = nullptr;  // run by one thread of the caller
  int64_t timeout_ms = 10'000;             // per notification attempt
  std::string user_agent = "Strata";
};

// Whether a failed notify() is worth retrying (see above).
bool retryable(const absl::Status& s);

// Builds the receiver's integrations (webhooks, then Slack, then e-mail).
absl::StatusOr<std::vector<std::unique_ptr<Integration>>> make_integrations(
    const ReceiverConfig& r, const IntegrationOptions& opts);

}  // namespace strata::rules::dispatch
