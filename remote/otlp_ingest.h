// Writes a decoded OTLP ExportMetricsServiceRequest into storage through one
// tsdb::IngestBatch (tsdb/ingest.h), translating it as Prometheus 3 does:
//
//   series     one per data point and suffix, named by remote/otlp_names.h;
//              labels are the point's attributes (escaped; attributes that
//              escape to the same name have their values joined with `;`
//              in key order), the resource attributes listed in
//              promote_resource_attributes (unless the point has the label),
//              then `job` = service.namespace/service.name (or service.name)
//              and `instance` = service.instance.id, which win.
//   gauge, sum one sample; monotonic cumulative sums are counters (`_total`),
//              non-monotonic sums gauges.
//   histogram  `_bucket{le}` cumulative (+Inf = count), `_sum` (when sent),
//              `_count`; exemplars on the bucket their value falls in.
//   summary    `{quantile}`, `_sum`, `_count`.
//   target_info{job, instance, other resource attributes} = 1 at the
//              resource's newest point, when it has attributes besides the
//              identifying ones (kept too with keep_identifying_resource_attributes)
//              and a job or instance to be joined on.
//   values     int or double; NO_RECORDED_VALUE points become Prometheus'
//              stale marker; time_unix_nano in ms.
//   exemplars  filtered attributes plus trace_id and span_id (hex).
//   metadata   type, description as help, unit, per metric family.
// Rejected points (counted, the first named in `first_point_error`): sums
// and histograms whose temporality is not cumulative (delta needs a
// delta-to-cumulative conversion Strata does not do), exponential histograms
// (no native histograms yet), histograms whose bucket counts do not match
// their bounds, points without time_unix_nano (the spec says to), metrics
// with no data or an empty translated name.
//
// No HTTP here: api/remote/otlp_handler.h answers. Pure function of its
// inputs; any thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "remote/otlp_config.h"
#include "remote/otlp_metrics.pb.h"
#include "tsdb/ingest.h"
#include "tsdb/storage.h"

namespace strata::remote {

struct OtlpIngestOptions {
  tsdb::IngestOptions ingest;
  // Bytes of label names and values the request may expand to: a histogram
  // point with large attributes and many buckets copies the attributes into
  // every bucket series. Over it, nothing is written (`too_large`).
  size_t max_label_bytes = size_t(256) << 20;
};

struct OtlpIngestResult {
  tsdb::IngestResult ingest;       // what storage wrote and rejected
  uint64_t points_received = 0;    // OTLP data points
  uint64_t points_rejected = 0;    // not translated (see above)
  absl::Status first_point_error;  // the first of those, naming its metric
  // ResourceExhausted when the labels exceeded max_label_bytes: the batch
  // was rolled back.
  absl::Status too_large;
};

OtlpIngestResult ingest_otlp_request(const strata::otlp::ExportMetricsServiceRequest& req,
                                     const OtlpConfig& config, tsdb::Appendable& db,
                                     const OtlpIngestOptions& opts = {});

}  // namespace strata::remote
