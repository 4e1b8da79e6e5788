// Alert label and annotation templates, expanded as Prometheus 2.42 expands
// them (rules/alerting.go + template/template.go): the text is prefixed with
//   {{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}
//   {{$externalURL := .ExternalURL}}{{$value := .Value}}
// (without separators, so error columns count the prefix), named
// "__alert_<alertname>", parsed with Go's text/template grammar and run
// with missingkey=zero over AlertTemplateData and Prometheus' functions.
//
// Parse once when the rule is loaded, expand at every evaluation. An
// AlertTemplate is immutable: expand() is const and may run on many threads
// at once. It owns its parse tree; copies share it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rules/template/exec.h"
#include "rules/template/template_data.h"

namespace strata::rules {

using TemplateQueryFn = tmpl::QueryFn;
using TemplateSample = tmpl::Sample;
using TemplateLimits = tmpl::ExecLimits;

// Texts longer than this are rejected at parse time (bounds parse work and
// memory; Prometheus has no such limit, real annotations are far smaller).
inline constexpr size_t kMaxTemplateTextBytes = 1 << 20;

class AlertTemplate {
 public:
  // An empty template: expands to "".
  AlertTemplate() = default;

  // Parses `text` for the alerting rule `alert_name`. The error is
  // InvalidArgument with Go's parse error text, e.g.
  // `template: __alert_X:1: function "foo" not defined`.
  static absl::StatusOr<AlertTemplate> parse(std::string_view alert_name, std::string_view text);

  // Expands the template as Prometheus does for an alert: on an execution
  // error the result is "<error expanding template: error executing
  // template __alert_X: template: __alert_X:1:117: executing ... >".
  // `query` runs `query` calls at `t_ms`; it may be null (then `query`
  // fails). `query` must be callable from the calling thread.
  std::string expand(const AlertTemplateData& data, int64_t t_ms, const TemplateQueryFn* query,
                     const TemplateLimits& limits = {}) const;

  // Like expand(), but an execution error is returned (its message is Go's
  // execution error text), for callers that count or log failures.
  absl::StatusOr<std::string> execute(const AlertTemplateData& data, int64_t t_ms,
                                      const TemplateQueryFn* query,
                                      const TemplateLimits& limits = {}) const;

  const std::string& name() const { return name_; }  // "__alert_<alertname>"
  // The text as written in the rule (without the prefix).
  std::string_view source() const { return std::string_view(text_).substr(prefix_len_); }

 private:
  std::string name_;
  std::string text_;  // prefix + source: what the parser and error positions see
  size_t prefix_len_ = 0;
  bool is_plain_ = true;  // no actions: the expansion is the source itself
  std::shared_ptr<const tmpl::Tree> tree_;
};

// The parse-only check Prometheus' rule file loader (rulefmt) runs on every
// label and annotation of an alerting rule: OK, or InvalidArgument with
// the same text AlertTemplate::parse returns.
absl::Status check_alert_template(std::string_view alert_name, std::string_view text);

}  // namespace strata::rules
