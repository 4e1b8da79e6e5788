// The OTLP/HTTP metrics receiver, `POST /api/v1/otlp/v1/metrics` (Prometheus
// 3's path; registered only with --web.enable-otlp-receiver, so without it
// the path is unknown: 404).
//
// OtlpHandler decodes an ExportMetricsServiceRequest (remote/otlp_codec.h),
// translates and writes it through one Appender transaction
// (remote/otlp_ingest.h) with the `otlp:` configuration in force when the
// request arrived, and answers as the OTLP/HTTP spec says:
//
//   200  committed. Body: ExportMetricsServiceResponse in the request's
//        encoding (Content-Type application/x-protobuf or application/json),
//        empty when everything was written; with partial_success
//        {rejected_data_points, error_message} when some points were not:
//        delta or unspecified temporality sums and histograms (Prometheus 3
//        refuses them too unless converted), exponential histograms (no
//        native histograms yet), malformed histograms, and samples storage
//        refused (out of order, too old, invalid labels, ...; counted per
//        Prometheus sample). error_message names the first one, e.g.
//        `invalid temporality and type combination for metric "x": delta
//        sums are not supported; ...`, followed by `; 3 of 10 data points
//        rejected, 7 samples written`. Exporters log it and do not retry,
//        which is right: a resend would be refused the same way. Everything
//        valid in the request is written.
//   400  the body is not an ExportMetricsServiceRequest in the declared
//        encoding, or not gzip when it says so.
//   405  method other than POST.
//   413  body (after gzip) over the cap, 64 MiB by default, or a request
//        whose series labels would exceed OtlpIngestOptions::max_label_bytes.
//   415  Content-Type other than application/x-protobuf / application/json,
//        or Content-Encoding other than gzip / identity.
//   503  storage failed: nothing was written; OTLP exporters retry 503 (they
//        do not retry 500). Or the memory to decode the body (gzip's
//        output, then the parsed messages' bound from the wire, remote/parse_bound.h)
//        does not fit in the server's budget for request memory in flight
//        (--web.max-inflight-body-size, shared with every request body
//        being read): `too many request bytes in flight (limit N bytes);
//        retry later`, with Retry-After: 1 (413 when it would not fit in the
//        whole budget).
// 4xx/5xx bodies are a google.rpc.Status {code, message} in the request's
// encoding (text/plain for 405/415, when the encoding is unknown).
//
// Self-metrics: strata_otlp_requests_total{code},
// strata_otlp_data_points_received_total, strata_otlp_data_points_rejected_total
// (not translated), strata_otlp_samples_written_total,
// strata_otlp_samples_rejected_total{reason} (refused by storage),
// strata_otlp_exemplars_written_total, strata_otlp_exemplars_rejected_total,
// strata_otlp_request_bytes (body size as received).
//
// Thread-safe: handle() may run on any number of threads at once. The
// Appendable and Registry must outlive the handler.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "api/http.h"
#include "base/metrics.h"
#include "remote/codec.h"
#include "remote/otlp_codec.h"
#include "remote/otlp_config.h"
#include "remote/otlp_ingest.h"
#include "tsdb/storage.h"

namespace strata::api::remote {

struct OtlpHandlerOptions {
  // Cap on the body after gzip (remote write's cap).
  size_t max_decoded_bytes = strata::remote::kDefaultMaxDecodedBytes;
  strata::remote::OtlpIngestOptions ingest;
  // The `otlp:` section in force; null = defaults.
  std::function<std::shared_ptr<const strata::remote::OtlpConfig>()> config;
};

class OtlpHandler {
 public:
  OtlpHandler(tsdb::Appendable& db, metrics::Registry& registry, OtlpHandlerOptions opts);
  OtlpHandler(const OtlpHandler&) = delete;
  OtlpHandler& operator=(const OtlpHandler&) = delete;

  void handle(const HttpRequest& req, HttpResponse& resp);

 private:
  void serve(const HttpRequest& req, HttpResponse& resp);
  // A google.rpc.Status body in `enc`, or text/plain when `enc` is null.
  void respond_error(HttpResponse& resp, int code, const absl::Status& s,
                     const strata::remote::OtlpEncoding* enc);
  // HttpRequest::reserve() failed with `s`: 503 with Retry-After, or 413.
  void respond_memory_refused(HttpResponse& resp, const absl::Status& s,
                              strata::remote::OtlpEncoding enc);
  void respond_ingest(HttpResponse& resp, const strata::remote::OtlpIngestResult& r,
                      strata::remote::OtlpEncoding enc);
  void count_request(int code);
  void log_rejection(int code, std::string_view message);

  tsdb::Appendable& db_;
  OtlpHandlerOptions opts_;
  metrics::Family<metrics::Counter>& requests_;
  // Children of requests_ for the codes this handler answers, resolved once.
  std::array<std::pair<int, metrics::Counter*>, 7> request_codes_{};
  metrics::Counter& points_received_;
  metrics::Counter& points_rejected_;
  metrics::Counter& samples_written_;
  std::array<metrics::Counter*, tsdb::kNumRejectReasons> samples_rejected_{};
  metrics::Counter& exemplars_written_;
  metrics::Counter& exemplars_rejected_;
  metrics::Histogram& request_bytes_;
  std::atomic<int64_t> last_log_ms_{0};
  std::atomic<int64_t> last_storage_log_ms_{0};
};

}  // namespace strata::api::remote
