// Writes a decoded remote-write 1.0 request (parsed by libprotobuf, or decoded
// in place by remote/write_view.h) into storage through one
// tsdb::IngestBatch (tsdb/ingest.h: empty labels dropped, labels sorted and
// validated, per-sample rejections counted by reason, everything valid
// committed). What is specific to the wire format lives here: walking the
// protobuf, moving label strings out of it, exemplars, native histograms
// (not supported yet: counted as rejected), metadata types.
//
// No HTTP here: api/remote/write_handler.h turns the IngestResult into a
// status code. Pure function of its inputs; call it from any thread.
#pragma once

#include "remote/remote.pb.h"
#include "remote/series_ref_cache.h"
#include "remote/write_view.h"
#include "tsdb/ingest.h"
#include "tsdb/storage.h"

namespace strata::remote {

// `req` is consumed: label strings are moved out of it. Messages name input
// series as `timeseries[i]`.
tsdb::IngestResult ingest_write_request(prometheus::WriteRequest& req, tsdb::Appendable& db,
                                        const tsdb::IngestOptions& opts = {});

// The same for a request decoded in place (remote/write_view.h): label
// strings are copied only for series storage does not have yet.
// With `cache`, series are found by their raw label bytes first
// (remote/series_ref_cache.h) and the cache learns the refs of the others.
tsdb::IngestResult ingest_write_request(const WriteRequestView& req, tsdb::Appendable& db,
                                        const tsdb::IngestOptions& opts = {},
                                        SeriesRefCache* cache = nullptr);

// Lower-case Prometheus name of a metadata type ("counter", "gaugehistogram",
// ...); "unknown" for values this build does not know.
const char* metric_type_name(int type);
// The inverse: the MetricMetadata.MetricType value of a name; 0 (unknown)
// for names it does not know.
int metric_type_value(std::string_view name);

}  // namespace strata::remote
