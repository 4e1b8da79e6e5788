#include "api/remote/write_handler.h"

#include <exception>
#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/memory_meter.h"
#include "fmt/format.h"
#include "remote/parse_bound.h"
#include "remote/write_v2_view.h"

namespace strata::api::remote {

using strata::remote::check_content_encoding;
using strata::remote::decode_write_v2_request;
using strata::remote::write_protocol;
using strata::remote::WriteProtocol;
using strata::remote::decode_write_request_view;
using strata::remote::DecodeResult;
using strata::remote::WriteRequestView;
using strata::remote::ingest_write_request;
using strata::remote::parse_write_request_into;
using strata::remote::snappy_decode;
using strata::remote::snappy_decoded_length;
using tsdb::IngestResult;
using tsdb::kNumRejectReasons;
using tsdb::reject_reason_name;
using tsdb::RejectReason;

namespace {

// At most one warning per this interval: a misbehaving sender retries fast
// and must not flood the log; the counters carry the totals.
constexpr int64_t kLogIntervalMs = 10'000;

int http_status_for(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kResourceExhausted: return 413;
    case absl::StatusCode::kUnimplemented: return 415;
    default: return 500;
  }
}

std::string msg(const absl::Status& s) { return std::string(s.message()); }

}  // namespace

WriteHandler::WriteHandler(tsdb::Appendable& db, metrics::Registry& registry,
                           WriteHandlerOptions opts)
    : db_(db),
      opts_(opts),
      requests_(registry.counter_family("strata_remote_write_requests_total",
                                        "Remote-write requests by HTTP status code.", {"code"})),
      samples_received_(registry.counter("strata_remote_write_samples_received_total",
                                         "Samples (floats and native histograms) received "
                                         "through remote write.")),
      samples_written_(registry.counter("strata_remote_write_samples_written_total",
                                        "Samples received through remote write and committed.")),
      exemplars_received_(registry.counter("strata_remote_write_exemplars_received_total",
                                           "Exemplars received through remote write.")),
      exemplars_written_(registry.counter("strata_remote_write_exemplars_written_total",
                                          "Exemplars received through remote write and stored "
                                          "(resends of a series' newest exemplar included).")),
      exemplars_rejected_(registry.counter("strata_remote_write_exemplars_rejected_total",
                                           "Exemplars received through remote write that storage "
                                           "refused (out of order, labels too long, ...).")),
      metadata_received_(registry.counter("strata_remote_write_metadata_received_total",
                                          "Metric metadata entries received through remote "
                                          "write.")),
      request_bytes_(registry.histogram("strata_remote_write_request_bytes",
                                        "Size of remote-write request bodies (compressed).",
                                        metrics::exponential_buckets(256, 4, 10))),
      series_cache_entries_(registry.gauge("strata_remote_write_series_cache_entries",
                                           "Series the remote-write receiver finds by their raw "
                                           "label bytes (each ~40 bytes of memory).")) {
  auto& rejected = registry.counter_family(
      "strata_remote_write_samples_rejected_total",
      "Remote-write samples not written, by reason.", {"reason"});
  for (size_t i = 0; i < kNumRejectReasons; ++i)
    rejected_[i] = &rejected.with({reject_reason_name(RejectReason(i))});
  const int codes[] = {204, 400, 405, 413, 415, 500, 503};
  for (size_t i = 0; i < request_codes_.size(); ++i)
    request_codes_[i] = {codes[i], &requests_.with({absl::StrCat(codes[i])})};
}

metrics::Counter& WriteHandler::requests_for(int code) {
  for (const auto& [c, counter] : request_codes_) {
    if (c == code) return *counter;
  }
  return requests_.with({absl::StrCat(code)});
}

namespace {
// Decoded requests up to this size keep their parsed storage for the next one.
constexpr size_t kKeepParsedBytes = size_t(4) << 20;
}  // namespace

void WriteHandler::handle(const HttpRequest& req, HttpResponse& resp) {
  try {
    if (req.method != "POST") {
      resp.set_header("Allow", "POST");
      return respond_error(resp, 405, "remote write expects POST");
    }
    request_bytes_.observe(double(req.body.size()));
    absl::StatusOr<WriteProtocol> protocol = write_protocol(req.header("content-type"));
    if (!protocol.ok()) return respond_error(resp, http_status_for(protocol.status()), msg(protocol.status()));
    if (absl::Status s = check_content_encoding(req.header("content-encoding")); !s.ok())
      return respond_error(resp, http_status_for(s), msg(s));
    if (req.body.empty()) {
      return respond_error(resp, 400,
                           "empty request body; expected a snappy-compressed WriteRequest");
    }
    absl::StatusOr<size_t> decoded = snappy_decoded_length(req.body, opts_.max_decoded_bytes);
    if (!decoded.ok())
      return respond_error(resp, http_status_for(decoded.status()), msg(decoded.status()));
    // The decoded body, the view parsed over it and libprotobuf's parse
    // count against the server's budget for request memory, each before it
    // is allocated: the body by its declared size, the view's vectors as
    // they grow (the meter), a parse by its bound from the wire.
    if (absl::Status s = req.reserve(uint64_t(*decoded)); !s.ok())
      return respond_memory_refused(resp, s);
    MemoryMeter meter([&req](uint64_t bytes) { return req.reserve(bytes); });
    absl::StatusOr<std::string> raw = snappy_decode(req.body, opts_.max_decoded_bytes);
    if (!raw.ok()) return respond_error(resp, http_status_for(raw.status()), msg(raw.status()));

    // The fast path: decoded in place, views into `raw`, the view's vectors
    // reused by the next request on this worker thread.
    thread_local WriteRequestView view;
    struct ReleaseView {  // do not keep the vectors of an unusually large request
      ~ReleaseView() {
        if (view.capacity_bytes() > kKeepParsedBytes) view = WriteRequestView();
      }
    } release_view;
    if (*protocol == WriteProtocol::kV2) {
      // 2.0 has no libprotobuf fallback: its decoder gives the precise error.
      if (absl::Status st = decode_write_v2_request(*raw, &view, &meter); !st.ok()) {
        if (!meter.status().ok()) return respond_memory_refused(resp, meter.status());
        return respond_error(resp, 400, msg(st));
      }
      // Symbol refs differ from request to request: no raw-label cache.
      return respond_ingest(resp, ingest_write_request(view, db_, opts_.ingest));
    }
    const DecodeResult decoded_view = decode_write_request_view(*raw, &view, &meter);
    if (decoded_view == DecodeResult::kRefused) return respond_memory_refused(resp, meter.status());
    if (decoded_view == DecodeResult::kOk) {
      IngestResult r = ingest_write_request(view, db_, opts_.ingest, &series_cache_);
      series_cache_entries_.set(double(series_cache_.size()));
      return respond_ingest(resp, r);
    }

    // Native histograms, groups and malformed bodies: libprotobuf, which
    // either accepts the body or says precisely what is wrong with it. One
    // message per worker thread, reused: parsing into it recycles the
    // strings and repeated fields of earlier requests.
    thread_local prometheus::WriteRequest wr;
    struct Release {  // do not keep the storage of an unusually large request
      size_t bytes;
      ~Release() {
        if (bytes > kKeepParsedBytes) prometheus::WriteRequest().Swap(&wr);
      }
    } release{raw->size()};
    if (absl::Status s = req.reserve(strata::remote::protobuf_parse_bound(*raw, prometheus::WriteRequest::descriptor()));
        !s.ok())
      return respond_memory_refused(resp, s);
    if (absl::Status s = parse_write_request_into(*raw, &wr); !s.ok())
      return respond_error(resp, http_status_for(s), msg(s));

    IngestResult r = ingest_write_request(wr, db_, opts_.ingest);
    respond_ingest(resp, r);
  } catch (const std::exception& e) {
    // E.g. std::bad_alloc under memory pressure: retryable.
    respond_error(resp, 500, absl::StrCat("internal error: ", e.what()));
  }
}

void WriteHandler::respond_ingest(HttpResponse& resp, const IngestResult& r) {
  samples_received_.inc(double(r.samples_received));
  exemplars_received_.inc(double(r.exemplars_received));
  metadata_received_.inc(double(r.metadata_received));
  if (!r.fatal.ok()) {
    // Nothing was committed; the sender retries (5xx). Storage that cannot
    // write now (a full disk) is 503; logged at most once per interval, as
    // it fails every request (the WAL logs the cause itself).
    int code = r.fatal.code() == absl::StatusCode::kUnavailable ? 503 : 500;
    int64_t now = now_ms();
    int64_t last = last_storage_log_ms_.load(std::memory_order_relaxed);
    if (now - last >= kLogIntervalMs &&
        last_storage_log_ms_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
      log::error("remote_write",
                 "storage failed, request not written (sender will retry; further failures are "
                 "only counted for 10s)",
                 {{"code", code}, {"err", msg(r.fatal)}});
    }
    return respond_error(resp, code, msg(r.fatal));
  }
  samples_written_.inc(double(r.samples_written));
  exemplars_written_.inc(double(r.exemplars_written));
  exemplars_rejected_.inc(double(r.exemplars_rejected));
  for (size_t i = 0; i < kNumRejectReasons; ++i) {
    if (r.rejected[i] > 0) rejected_[i]->inc(double(r.rejected[i]));
  }
  resp.set_header("X-Prometheus-Remote-Write-Samples-Written", absl::StrCat(r.samples_written));
  resp.set_header("X-Prometheus-Remote-Write-Histograms-Written", "0");
  resp.set_header("X-Prometheus-Remote-Write-Exemplars-Written",
                  absl::StrCat(r.exemplars_written));
  if (r.first_error.ok() && r.total_rejected() == 0) {
    count_request(204);
    resp.status = 204;
    resp.content_type.clear();
    resp.body.clear();
    return;
  }
  std::string m = msg(r.first_error);
  fmt::format_to(std::back_inserter(m), "; {} of {} samples rejected", r.total_rejected(),
                 r.samples_received);
  std::string reasons;
  for (size_t i = 0; i < kNumRejectReasons; ++i) {
    if (r.rejected[i] == 0) continue;
    fmt::format_to(std::back_inserter(reasons), "{}{}: {}", reasons.empty() ? "" : ", ",
                   reject_reason_name(RejectReason(i)), r.rejected[i]);
  }
  if (!reasons.empty()) fmt::format_to(std::back_inserter(m), " ({})", reasons);
  fmt::format_to(std::back_inserter(m), ", {} samples written", r.samples_written);
  if (r.samples_dropped > 0)
    fmt::format_to(std::back_inserter(m), ", {} dropped as duplicate or out of order within the request",
                   r.samples_dropped);
  respond_error(resp, 400, m);
}

void WriteHandler::respond_memory_refused(HttpResponse& resp, const absl::Status& s) {
  const int code = status_for_refused_memory(s);
  respond_error(resp, code, msg(s));
  if (code == 503) resp.set_header("Retry-After", "1");
}

void WriteHandler::respond_error(HttpResponse& resp, int code, const std::string& message) {
  count_request(code);
  if (code < 500) log_rejection(code, message);
  resp.status = code;
  resp.content_type = "text/plain; charset=utf-8";
  resp.body = message + "\n";
}

void WriteHandler::log_rejection(int code, const std::string& message) {
  int64_t now = now_ms();
  int64_t last = last_log_ms_.load(std::memory_order_relaxed);
  if (now - last < kLogIntervalMs) return;
  if (!last_log_ms_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
  log::warn("remote_write", "rejected remote-write data (further rejections are only counted "
            "for 10s)", {{"code", code}, {"err", message}});
}

}  // namespace strata::api::remote
