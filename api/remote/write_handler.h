// The Prometheus remote-write receiver, `POST /api/v1/write`: 1.0
// (WriteRequest) and 2.0 (io.prometheus.write.v2.Request, decoded by
// remote/write_v2_view.h into the same view, so both ingest alike).
//
// WriteHandler decodes the body (remote/codec.h), writes it through one
// Appender transaction (remote/write_ingest.h, tsdb/ingest.h) and answers like Prometheus:
//
//   204  everything written and committed (empty body). Only after commit()
//        returned OK, so a 2xx always means "durable as far as storage goes".
//   400  bad input; never retried by senders. Bodies start with what was
//        wrong: `snappy: corrupt input`, `cannot parse WriteRequest: ...`,
//        `empty request body ...`, or the first rejected sample/series in
//        request order, e.g. `out of order sample for series {...} at
//        timestamp 1000` / `sample timestamp too far in the future for series
//        {...} at timestamp 1e15` (storage's too-far-in-future window,
//        reason too_far_in_future) / `series limit reached: ... for series {...}`
//        (a new series beyond --storage.tsdb.max-series, reason series_limit;
//        series already stored keep being written) / `invalid labels in timeseries[3] {...}: invalid
//        label name "1a"` / `native histograms are not supported yet: ...`,
//        followed by `; 3 of 10 samples rejected (out_of_order: 2,
//        invalid_labels: 1), 7 samples written`.
//        Partial writes: every valid sample of the request IS committed
//        (Prometheus 3's rule: "the receiver may still have ingested the valid
//        ones"), so nothing valid is lost by a sender that does not retry 4xx.
//        Native histograms (unsupported yet) make the request a partial write
//        too, hence 400 with reason native_histogram_unsupported even when
//        all floats were written; the spec forbids 2xx for partial writes.
//        Exemplars are stored (tsdb/head/exemplar_storage.h); one that storage
//        refuses (out of order, labels over 128 characters) is counted and
//        skipped without failing the request, as Prometheus does.
//   405  method other than POST (normally the router answers this first).
//   413  declared decompressed size over the cap (64 MiB by default).
//   415  Content-Type other than application/x-protobuf (bare or with
//        proto=prometheus.WriteRequest, a missing one meaning 1.0; or
//        proto=io.prometheus.write.v2.Request), or a Content-Encoding other
//        than snappy (a missing one means snappy).
//   500  storage failure (append error other than a per-sample rejection, or
//        commit failure): nothing was written, the sender retries.
//   503  the memory to decode the body (its decoded size, the view's vectors
//        as they grow, libprotobuf's parse by its bound from the wire:
//        remote/parse_bound.h) does not fit in the server's budget
//        for request memory in flight (--web.max-inflight-body-size, shared
//        with every request body being read): `too many request bytes in
//        flight (limit N bytes); retry later`, with Retry-After: 1 (413
//        `decoding this request needs more memory than ...` when it would
//        not fit in the whole budget).
//        Or storage cannot write now (a full disk, an I/O error; commit()
//        returned kUnavailable, see tsdb/wal/writer.h): nothing was written
//        and nothing becomes visible; the body says why, e.g. `storage
//        unavailable: no space left on device (...)`. Senders retry 5xx with
//        backoff, and writing resumes by itself once space returns. Logged
//        at ERROR at most once per 10 s.
//
// 204 and post-ingest 400 answers carry X-Prometheus-Remote-Write-Samples-
// Written, -Exemplars-Written and -Histograms-Written (always 0 for now).
// Error bodies are text/plain, one line, like Go's http.Error.
//
// Self-metrics (registered at construction): strata_remote_write_requests_total{code},
// strata_remote_write_samples_received_total, strata_remote_write_samples_written_total,
// strata_remote_write_samples_rejected_total{reason},
// strata_remote_write_exemplars_received_total, strata_remote_write_exemplars_written_total,
// strata_remote_write_exemplars_rejected_total, strata_remote_write_metadata_received_total,
// strata_remote_write_request_bytes (compressed body size histogram).
//
// Decoding: in place (remote/write_view.h), with libprotobuf only for native
// histograms and bodies that need its exact error message. Series are found
// by their raw label bytes through a SeriesRefCache shared by all requests
// (remote/series_ref_cache.h; ~40 bytes per series sent, bounded), reported
// as strata_remote_write_series_cache_entries.
//
// Thread-safe: handle() may run concurrently on any number of threads. The
// Appendable and Registry must outlive the handler.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "api/http.h"
#include "base/metrics.h"
#include "remote/codec.h"
#include "remote/series_ref_cache.h"
#include "remote/write_ingest.h"
#include "tsdb/ingest.h"
#include "tsdb/storage.h"

namespace strata::api::remote {

struct WriteHandlerOptions {
  size_t max_decoded_bytes = strata::remote::kDefaultMaxDecodedBytes;
  tsdb::IngestOptions ingest;
};

class WriteHandler {
 public:
  WriteHandler(tsdb::Appendable& db, metrics::Registry& registry, WriteHandlerOptions opts = {});
  WriteHandler(const WriteHandler&) = delete;
  WriteHandler& operator=(const WriteHandler&) = delete;

  void handle(const HttpRequest& req, HttpResponse& resp);

 private:
  // HttpRequest::reserve() failed with `s`: 503 with Retry-After, or 413.
  void respond_memory_refused(HttpResponse& resp, const absl::Status& s);
  void respond_error(HttpResponse& resp, int code, const std::string& message);
  void respond_ingest(HttpResponse& resp, const tsdb::IngestResult& r);
  metrics::Counter& requests_for(int code);
  void count_request(int code) { requests_for(code).inc(); }
  void log_rejection(int code, const std::string& message);

  tsdb::Appendable& db_;
  WriteHandlerOptions opts_;
  metrics::Family<metrics::Counter>& requests_;
  // Children of requests_ for the codes this handler answers, resolved once
  // (Family::with takes a lock and builds a key).
  std::array<std::pair<int, metrics::Counter*>, 7> request_codes_{};
  metrics::Counter& samples_received_;
  metrics::Counter& samples_written_;
  metrics::Counter& exemplars_received_;
  metrics::Counter& exemplars_written_;
  metrics::Counter& exemplars_rejected_;
  metrics::Counter& metadata_received_;
  std::array<metrics::Counter*, tsdb::kNumRejectReasons> rejected_{};
  metrics::Histogram& request_bytes_;
  metrics::Gauge& series_cache_entries_;
  std::atomic<int64_t> last_log_ms_{0};
  std::atomic<int64_t> last_storage_log_ms_{0};
  ::strata::remote::SeriesRefCache series_cache_;
};

}  // namespace strata::api::remote
