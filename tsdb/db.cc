#include "tsdb/db.h"

#include "tsdb/head/head.h"

namespace strata::tsdb {

DB::DB(DBOptions opts, std::unique_ptr<Head> head) : opts_(std::move(opts)), head_(std::move(head)) {}
DB::~DB() = default;

absl::StatusOr<std::unique_ptr<DB>> DB::open(const DBOptions& opts, metrics::Registry* registry) {
  auto head = std::make_unique<Head>(HeadOptions{}, registry);
  return std::unique_ptr<DB>(new DB(opts, std::move(head)));
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

absl::Status DB::close() { return absl::OkStatus(); }

}  // namespace strata::tsdb
