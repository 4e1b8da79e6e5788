// The Prometheus remote-read endpoint, `POST /api/v1/read`, so a Prometheus
// with `remote_read` pointed at Strata (or a Thanos-sidecar style reader)
// queries Strata's data.
//
// The body is a Snappy-compressed ReadRequest (remote/read_codec.h): queries,
// each a time range [start, end] (ms, inclusive) and label matchers, and the
// response types the client accepts, the first supported one winning
// (none listed = SAMPLES). Every series in the answer carries the external
// labels it lacks (its own win), and an equality matcher on an external
// label with the configured value matches series without that label, so a
// reader selecting `{zone="eu"}` finds Strata's series, as in Prometheus.
//
//   200  SAMPLES: `application/x-protobuf`, `Content-Encoding: snappy`, one
//        ReadResponse with a QueryResult per query in request order, series
//        sorted by labels, every raw sample in range (staleness markers
//        included).
//        STREAMED_XOR_CHUNKS: `application/x-streamed-protobuf;
//        proto=prometheus.ChunkedReadResponse`, uncompressed frames of
//        ChunkedReadResponse (query_index, one series per frame, its samples
//        re-encoded as XOR chunks of at most 120 samples); a series whose
//        chunks exceed --storage.remote.read-max-bytes-in-frame continues in
//        the next frame.
//   400  body not Snappy or not a ReadRequest, no acceptable response type,
//        a matcher with an unknown type or a regex that does not compile
//        (Prometheus answers 500 for the last two: they are the client's
//        fault), or more than --storage.remote.read-sample-limit samples in
//        the answer: `exceeded sample limit (50000000)`.
//   413  decoded request over 32 MiB.
//   500  storage failed; 503 the client went away while the answer was built.
// Error bodies are one line of text/plain, like Go's http.Error.
//
// Bounds: at most --storage.remote.read-concurrent-limit requests are
// answered at once (others wait for a slot, as in Prometheus); the answer is
// built in memory (the HTTP layer sends whole bodies), so the sample limit
// applies to both response types, ~1.5-16 bytes per sample.
//
// Self-metrics: strata_api_remote_read_queries (requests being answered),
// strata_remote_read_requests_total{code}.
//
// Thread-safe: handle() may run on any number of threads at once. The
// Queryable and Registry must outlive the handler.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "api/http.h"
#include "base/metrics.h"
#include "tsdb/labels/labels.h"
#include "tsdb/labels/matcher.h"
#include "tsdb/storage.h"

namespace strata::api::remote {

struct ReadHandlerOptions {
  int64_t sample_limit = 50'000'000;   // 0 = none
  int concurrent_limit = 10;           // 0 = none
  size_t max_bytes_in_frame = 1 << 20;
  tsdb::RegexOptions regex;
  // The current external labels (sorted); null = none.
  std::function<std::shared_ptr<const tsdb::Labels>()> external_labels;
};

class ReadHandler {
 public:
  ReadHandler(tsdb::Queryable& db, metrics::Registry& registry, ReadHandlerOptions opts);
  void handle(const HttpRequest& req, HttpResponse& resp);

 private:
  // Waits for a slot among concurrent_limit; false if the client left.
  bool acquire(const HttpRequest& req);
  void release();

  tsdb::Queryable& db_;
  ReadHandlerOptions opts_;
  metrics::Gauge& in_flight_;
  metrics::Family<metrics::Counter>& requests_;
  std::mutex mu_;
  std::condition_variable cv_;
  int running_ = 0;
};

}  // namespace strata::api::remote
