#include "rules/recording_rule.h"

#include <fmt/format.h>

#include <algorithm>

#include "tsdb/labels/labels.h"

namespace strata::rules {

absl::StatusOr<promql::Vector> RecordingRule::eval(const EvalContext& ctx) {
  auto v = query_vector(ctx);
  if (!v.ok()) return v.status();
  for (auto& s : *v) {
    std::vector<tsdb::Label> items;
    items.reserve(s.metric.size() + labels().size() + 1);
    for (const auto& l : s.metric)
      if (l.name != tsdb::kMetricName) items.push_back(l);
    // Rule labels override the result's; an empty value removes the label.
    for (const auto& [n, val] : labels()) set_label(&items, n, val);
    items.push_back({std::string(tsdb::kMetricName), name()});
    s.metric = tsdb::Labels::from_unsorted(std::move(items));
    s.t = ctx.t_ms;
  }
  // Distinct results may coincide once renamed (e.g. rule labels override
  // the only label that told them apart).
  std::vector<const tsdb::Labels*> sorted;
  sorted.reserve(v->size());
  for (const auto& s : *v) sorted.push_back(&s.metric);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return *a < *b; });
  for (size_t i = 1; i < sorted.size(); ++i)
    if (*sorted[i] == *sorted[i - 1])
      return absl::InvalidArgumentError(
          "vector contains metrics with the same labelset after applying rule labels");
  if (ctx.limit > 0 && int64_t(v->size()) > ctx.limit)
    return absl::ResourceExhaustedError(
        fmt::format("exceeded limit of {} with {} series", ctx.limit, v->size()));
  return v;
}

}  // namespace strata::rules
