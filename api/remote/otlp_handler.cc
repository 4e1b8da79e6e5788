#include "api/remote/otlp_handler.h"

#include <algorithm>
#include <exception>
#include <new>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "base/go_quote.h"
#include "base/log.h"
#include "net/gzip.h"
#include "remote/parse_bound.h"

namespace strata::api::remote {

using strata::remote::OtlpEncoding;
using strata::remote::OtlpIngestResult;
using tsdb::kNumRejectReasons;
using tsdb::reject_reason_name;
using tsdb::RejectReason;

namespace {

// At most one warning per this interval; the counters carry the totals.
constexpr int64_t kLogIntervalMs = 10'000;

constexpr int kCodes[] = {200, 400, 405, 413, 415, 500, 503};

// gRPC status codes for google.rpc.Status bodies.
int grpc_code(int http) {
  switch (http) {
    case 400: return 3;   // INVALID_ARGUMENT
    case 413: return 8;   // RESOURCE_EXHAUSTED
    case 415: return 12;  // UNIMPLEMENTED
    case 503: return 14;  // UNAVAILABLE
    default: return 13;   // INTERNAL
  }
}

int http_status_for(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kResourceExhausted: return 413;
    case absl::StatusCode::kUnimplemented: return 415;
    default: return 500;
  }
}

// Messages quote request bytes, which need not be UTF-8; protobuf string
// fields (and JSON) must be, or clients fail to parse the answer.
std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    DecodedRune r = decode_rune(s);
    if (r.rune == kRuneError && r.width == 1) {
      append_utf8(&out, kRuneError);
    } else {
      out.append(s.data(), size_t(r.width));
    }
    s.remove_prefix(size_t(r.width));
  }
  return out;
}

const char* content_type_of(OtlpEncoding enc) {
  return enc == OtlpEncoding::kJson ? "application/json" : "application/x-protobuf";
}

}  // namespace

OtlpHandler::OtlpHandler(tsdb::Appendable& db, metrics::Registry& registry,
                         OtlpHandlerOptions opts)
    : db_(db),
      opts_(std::move(opts)),
      requests_(registry.counter_family("strata_otlp_requests_total",
                                        "OTLP metrics export requests by HTTP status code.",
                                        {"code"})),
      points_received_(registry.counter("strata_otlp_data_points_received_total",
                                        "OTLP metric data points received.")),
      points_rejected_(registry.counter(
          "strata_otlp_data_points_rejected_total",
          "OTLP data points not translated (delta temporality, exponential histograms, "
          "malformed histograms).")),
      samples_written_(registry.counter("strata_otlp_samples_written_total",
                                        "Samples translated from OTLP and committed.")),
      exemplars_written_(registry.counter("strata_otlp_exemplars_written_total",
                                          "Exemplars received through OTLP and stored.")),
      exemplars_rejected_(registry.counter("strata_otlp_exemplars_rejected_total",
                                           "Exemplars received through OTLP that storage "
                                           "refused.")),
      request_bytes_(registry.histogram("strata_otlp_request_bytes",
                                        "Size of OTLP request bodies (as received).",
                                        metrics::exponential_buckets(256, 4, 10))) {
  auto& rejected = registry.counter_family(
      "strata_otlp_samples_rejected_total",
      "Samples translated from OTLP that storage did not write, by reason.", {"reason"});
  for (size_t i = 0; i < kNumRejectReasons; ++i)
    samples_rejected_[i] = &rejected.with({reject_reason_name(RejectReason(i))});
  for (size_t i = 0; i < request_codes_.size(); ++i)
    request_codes_[i] = {kCodes[i], &requests_.with({absl::StrCat(kCodes[i])})};
}

void OtlpHandler::count_request(int code) {
  for (const auto& [c, counter] : request_codes_) {
    if (c == code) return counter->inc();
  }
  requests_.with({absl::StrCat(code)}).inc();
}

void OtlpHandler::handle(const HttpRequest& req, HttpResponse& resp) {
  try {
    serve(req, resp);
  } catch (const std::exception& e) {
    // E.g. std::bad_alloc under memory pressure: retryable, nothing committed.
    resp.headers.clear();
    respond_error(resp, 503, absl::UnavailableError(absl::StrCat("internal error: ", e.what())),
                  nullptr);
  }
}

void OtlpHandler::serve(const HttpRequest& req, HttpResponse& resp) {
  if (req.method != "POST") {
    resp.set_header("Allow", "POST");
    return respond_error(resp, 405, absl::InvalidArgumentError("OTLP metrics expects POST"),
                         nullptr);
  }
  request_bytes_.observe(double(req.body.size()));
  auto enc = strata::remote::otlp_encoding_for(req.header("content-type"));
  if (!enc.ok()) return respond_error(resp, 415, enc.status(), nullptr);
  std::string encoding(req.header("content-encoding"));
  absl::AsciiStrToLower(&encoding);
  std::string inflated;
  std::string_view body = req.body;
  if (encoding == "gzip") {
    bool refused = false;  // the reservation's error, not gzip's
    auto raw = net::gunzip(req.body, int64_t(opts_.max_decoded_bytes), [&](uint64_t bytes) {
      absl::Status s = req.reserve(bytes);
      refused = !s.ok();
      return s;
    });
    if (refused) return respond_memory_refused(resp, raw.status(), *enc);
    if (!raw.ok()) {
      absl::Status st =
          raw.status().code() == absl::StatusCode::kResourceExhausted
              ? absl::ResourceExhaustedError(absl::StrCat("gzip: decompressed body exceeds the limit of ",
                                                          opts_.max_decoded_bytes, " bytes"))
              : absl::InvalidArgumentError(raw.status().message());
      return respond_error(resp, http_status_for(st), st, &*enc);
    }
    inflated = std::move(*raw);
    body = inflated;
  } else if (!encoding.empty() && encoding != "identity") {
    return respond_error(resp, 415,
                         absl::UnimplementedError(absl::StrCat(
                             "unsupported Content-Encoding \"", encoding,
                             "\" for OTLP metrics; expected gzip or none")),
                         &*enc);
  } else if (body.size() > opts_.max_decoded_bytes) {
    return respond_error(resp, 413,
                         absl::ResourceExhaustedError(absl::StrCat(
                             "request body exceeds the limit of ", opts_.max_decoded_bytes,
                             " bytes")),
                         &*enc);
  }
  // On an arena sized for the body: an OTLP request is mostly small
  // messages (a KeyValue and an AnyValue per attribute per point), which
  // the heap allocates one by one. The parse counts against the server's
  // budget for request memory before it is built: its bound from the wire
  // (remote/parse_bound.h), and for the arena the first block, which may go
  // unused, and the last, which may be mostly empty.
  const google::protobuf::ArenaOptions arena_options = strata::remote::arena_options_for(body.size());
  const uint64_t parse_bound =
      *enc == OtlpEncoding::kJson
          ? strata::remote::json_parse_bound(body)
          : strata::remote::protobuf_parse_bound(body, strata::otlp::ExportMetricsServiceRequest::descriptor());
  if (absl::Status s = req.reserve(uint64_t(arena_options.start_block_size) + parse_bound +
                                   std::min<uint64_t>(parse_bound, arena_options.max_block_size));
      !s.ok())
    return respond_memory_refused(resp, s, *enc);
  google::protobuf::Arena arena(arena_options);
  auto* request =
      google::protobuf::Arena::CreateMessage<strata::otlp::ExportMetricsServiceRequest>(&arena);
  if (absl::Status s = strata::remote::decode_otlp_request(body, *enc, request); !s.ok())
    return respond_error(resp, 400, s, &*enc);
  std::shared_ptr<const strata::remote::OtlpConfig> config =
      opts_.config ? opts_.config() : nullptr;
  if (config == nullptr) config = std::make_shared<const strata::remote::OtlpConfig>();
  OtlpIngestResult r = strata::remote::ingest_otlp_request(*request, *config, db_, opts_.ingest);
  respond_ingest(resp, r, *enc);
}

void OtlpHandler::respond_ingest(HttpResponse& resp, const OtlpIngestResult& r,
                                 OtlpEncoding enc) {
  points_received_.inc(double(r.points_received));
  if (!r.too_large.ok()) return respond_error(resp, 413, r.too_large, &enc);
  if (!r.ingest.fatal.ok()) {
    // A full disk fails every request: one line per interval.
    int64_t now = now_ms();
    int64_t last = last_storage_log_ms_.load(std::memory_order_relaxed);
    if (now - last >= kLogIntervalMs &&
        last_storage_log_ms_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
      log::error("otlp",
                 "storage failed, request not written (exporter will retry; further failures are "
                 "only counted for 10s)",
                 {{"err", std::string(r.ingest.fatal.message())}});
    }
    return respond_error(resp, 503, r.ingest.fatal, &enc);
  }
  points_rejected_.inc(double(r.points_rejected));
  samples_written_.inc(double(r.ingest.samples_written));
  exemplars_written_.inc(double(r.ingest.exemplars_written));
  exemplars_rejected_.inc(double(r.ingest.exemplars_rejected));
  for (size_t i = 0; i < kNumRejectReasons; ++i) {
    if (r.ingest.rejected[i] > 0) samples_rejected_[i]->inc(double(r.ingest.rejected[i]));
  }
  strata::otlp::ExportMetricsServiceResponse out;
  uint64_t rejected = r.points_rejected + r.ingest.total_rejected();
  if (rejected > 0) {
    const absl::Status& first = !r.first_point_error.ok() ? r.first_point_error : r.ingest.first_error;
    std::string m = absl::StrCat(first.message(), "; ", rejected, " of ",
                                 r.points_received, " data points rejected");
    if (r.ingest.total_rejected() > 0) {
      std::string reasons;
      for (size_t i = 0; i < kNumRejectReasons; ++i) {
        if (r.ingest.rejected[i] == 0) continue;
        absl::StrAppend(&reasons, reasons.empty() ? "" : ", ",
                        reject_reason_name(RejectReason(i)), ": ", r.ingest.rejected[i]);
      }
      absl::StrAppend(&m, " (samples refused by storage: ", reasons, ")");
    }
    absl::StrAppend(&m, ", ", r.ingest.samples_written, " samples written");
    auto* ps = out.mutable_partial_success();
    ps->set_rejected_data_points(int64_t(rejected));
    ps->set_error_message(valid_utf8(m));
    log_rejection(200, m);
  }
  count_request(200);
  resp.status = 200;
  resp.content_type = content_type_of(enc);
  resp.body = strata::remote::encode_otlp_message(out, enc);
}

void OtlpHandler::respond_error(HttpResponse& resp, int code, const absl::Status& s,
                                const OtlpEncoding* enc) {
  count_request(code);
  std::string message(s.message());
  if (code < 500) log_rejection(code, message);
  resp.status = code;
  if (enc == nullptr) {
    resp.content_type = "text/plain; charset=utf-8";
    resp.body = message + "\n";
    return;
  }
  strata::otlp::RpcStatus st;
  st.set_code(grpc_code(code));
  st.set_message(valid_utf8(message));
  resp.content_type = content_type_of(*enc);
  resp.body = strata::remote::encode_otlp_message(st, *enc);
}

void OtlpHandler::respond_memory_refused(HttpResponse& resp, const absl::Status& s,
                                         OtlpEncoding enc) {
  const int code = status_for_refused_memory(s);
  respond_error(resp, code, s, &enc);
  if (code == 503) resp.set_header("Retry-After", "1");
}

void OtlpHandler::log_rejection(int code, std::string_view message) {
  int64_t now = now_ms();
  int64_t last = last_log_ms_.load(std::memory_order_relaxed);
  if (now - last < kLogIntervalMs) return;
  if (!last_log_ms_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
  log::warn("otlp", "rejected OTLP metrics data (further rejections are only counted for 10s)",
            {{"code", code}, {"err", std::string(message)}});
}

}  // namespace strata::api::remote
