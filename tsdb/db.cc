#include "tsdb/db.h"

#include <algorithm>
#include <map>

#include "base/status.h"
#include "tsdb/head/head.h"

namespace strata::tsdb {

DB::DB(DBOptions opts, std::unique_ptr<Head> head) : opts_(std::move(opts)), head_(std::move(head)) {}
DB::~DB() = default;

absl::StatusOr<std::unique_ptr<DB>> DB::open(const DBOptions& opts, metrics::Registry* registry) {
  HeadOptions ho;
  ho.dir = opts.dir;
  ho.wal.sync = opts.wal_sync == "always"  ? WalSyncPolicy::kAlways
                : opts.wal_sync == "never" ? WalSyncPolicy::kNever
                                           : WalSyncPolicy::kInterval;
  auto head = Head::open(ho, registry);
  if (!head.ok()) return annotate(head.status(), "opening head in " + opts.dir);
  return std::unique_ptr<DB>(new DB(opts, std::move(*head)));
}

std::unique_ptr<Appender> DB::appender() { return head_->appender(); }

absl::StatusOr<std::unique_ptr<Querier>> DB::querier(int64_t mint_ms, int64_t maxt_ms) {
  return head_->querier(mint_ms, maxt_ms);
}

std::vector<std::pair<std::string, std::vector<MetricMetadata>>> DB::metadata(
    const std::string& metric, size_t limit, size_t limit_per_metric) const {
  return head_->metadata().get(metric, limit, limit_per_metric);
}

HeadStats DB::head_stats() const { return head_->stats(); }

namespace {

std::vector<CardinalityStats::Entry> top(const std::map<std::string, uint64_t>& m, size_t limit) {
  std::vector<CardinalityStats::Entry> v;
  v.reserve(m.size());
  for (const auto& [k, c] : m) v.push_back({k, c});
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.value != b.value ? a.value > b.value : a.name < b.name;
  });
  if (v.size() > limit) v.resize(limit);
  return v;
}

}  // namespace

CardinalityStats DB::cardinality_stats(size_t limit) const {
  const SymbolTable& syms = head_->symbols();
  std::map<std::string, uint64_t> by_metric, values_by_name, bytes_by_name, by_pair;
  CardinalityStats st;
  head_->postings().for_each([&](uint32_t n, uint32_t v, size_t count) {
    std::string name(syms.get(n)), value(syms.get(v));
    ++st.num_label_pairs;
    if (name == kMetricName) by_metric[value] = count;
    values_by_name[name] += 1;
    bytes_by_name[name] += value.size() * count;
    by_pair[name + "=" + value] = count;
  });
  st.head = head_->stats();
  st.series_by_metric_name = top(by_metric, limit);
  st.label_value_count_by_label_name = top(values_by_name, limit);
  st.memory_in_bytes_by_label_name = top(bytes_by_name, limit);
  st.series_by_label_value_pair = top(by_pair, limit);
  return st;
}

absl::Status DB::close() { return head_->close(); }

}  // namespace strata::tsdb
