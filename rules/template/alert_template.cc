#include "rules/template/alert_template.h"

#include "rules/template/parser.h"
#include "rules/template/str_cat.h"

namespace strata::rules {

using tmpl::cat;

namespace {
constexpr std::string_view kPrefix =
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
    "{{$externalURL := .ExternalURL}}{{$value := .Value}}";
}  // namespace

absl::StatusOr<AlertTemplate> AlertTemplate::parse(std::string_view alert_name,
                                                   std::string_view text) {
  if (text.size() > kMaxTemplateTextBytes) {
    return absl::InvalidArgumentError(
        cat("template: __alert_", alert_name, ": text exceeds ", kMaxTemplateTextBytes, " bytes"));
  }
  AlertTemplate t;
  t.name_ = cat("__alert_", alert_name);
  t.text_ = cat(kPrefix, text);
  t.prefix_len_ = kPrefix.size();
  t.is_plain_ = text.find("{{") == std::string_view::npos;
  absl::StatusOr<tmpl::Tree> tree = tmpl::parse_template(t.name_, t.text_);
  if (!tree.ok()) return tree.status();
  t.tree_ = std::make_shared<const tmpl::Tree>(*std::move(tree));
  return t;
}

absl::StatusOr<std::string> AlertTemplate::execute(const AlertTemplateData& data, int64_t t_ms,
                                                   const TemplateQueryFn* query,
                                                   const TemplateLimits& limits) const {
  if (is_plain_) {
    if (source().size() > limits.max_output_bytes) {
      return absl::InvalidArgumentError(cat("template: ", name_, ": template output exceeds ",
                                            limits.max_output_bytes, " bytes"));
    }
    return std::string(source());
  }
  tmpl::ExecEnv env;
  env.name = name_;
  env.text = text_;
  env.data = &data;
  env.t_ms = t_ms;
  env.query = query;
  env.limits = limits;
  return tmpl::execute_template(*tree_, env);
}

std::string AlertTemplate::expand(const AlertTemplateData& data, int64_t t_ms,
                                  const TemplateQueryFn* query,
                                  const TemplateLimits& limits) const {
  absl::StatusOr<std::string> r = execute(data, t_ms, query, limits);
  if (r.ok()) return *std::move(r);
  return cat("<error expanding template: error executing template ", name_, ": ",
             r.status().message(), ">");
}

absl::Status check_alert_template(std::string_view alert_name, std::string_view text) {
  return AlertTemplate::parse(alert_name, text).status();
}

}  // namespace strata::rules
