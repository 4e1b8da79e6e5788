// Writes a decoded remote-write request into storage in one Appender
// transaction, Prometheus-style: per series, labels with empty values are
// dropped (empty means absent), the rest sorted and validated; every sample
// of a valid series is appended; per-sample rejections (out of order, out of
// bounds, duplicate, too old, too far in the future; storage decides, so
// every ingest path shares the rules) and invalid series are counted by reason and
// skipped while everything valid is still committed. Native histograms are
// not supported yet and are counted as rejected; exemplars go to
// Appender::append_exemplar (refusals are counted, never fail the request,
// as in Prometheus); metadata goes to Appender::update_metadata.
//
// No HTTP here: WriteHandler turns an IngestResult into a status code. Pure
// function of its inputs; call it from any thread (one Appender per call).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "api/remote/remote.pb.h"
#include "tsdb/storage.h"

namespace strata::api::remote {

// Why a sample was not written; also the `reason` label of
// strata_remote_write_samples_rejected_total.
enum class RejectReason {
  kOutOfOrder,
  kOutOfBounds,
  kDuplicate,
  kTooOld,
  kTooFarInFuture,  // beyond DBOptions::too_far_in_future_window_ms of the wall clock
  kInvalidLabels,
  kNativeHistogramUnsupported,
  kOther,  // storage refused the sample with InvalidArgument for another reason
};
inline constexpr size_t kNumRejectReasons = 8;
const char* reject_reason_name(RejectReason r);

struct IngestOptions {
  // Prometheus 3 accepts any UTF-8 metric and label names; 2.x (and the
  // default here) requires the classic [a-zA-Z_:][a-zA-Z0-9_:]* forms.
  bool utf8_names = false;
};

struct IngestResult {
  uint64_t series = 0;
  uint64_t samples_received = 0;     // float samples + native histogram samples
  uint64_t samples_written = 0;      // committed; 0 when `fatal` is set
  // Accepted but not written: a later sample of a series at the same time
  // as, or older than, an earlier one of the same request (Prometheus drops
  // those without an error; the first is kept).
  uint64_t samples_dropped = 0;
  uint64_t histograms_received = 0;  // also counted in samples_received
  uint64_t exemplars_received = 0;
  uint64_t exemplars_written = 0;   // committed (0 when `fatal` is set)
  uint64_t exemplars_rejected = 0;  // refused by storage, or of a rejected series
  uint64_t metadata_received = 0;
  uint64_t metadata_written = 0;
  std::array<uint64_t, kNumRejectReasons> rejected{};
  // The first rejection in request order, with what and where, e.g.
  // `out of order sample for series {__name__="up"} at timestamp 1000`.
  // OK when nothing was rejected.
  absl::Status first_error;
  // A storage failure that aborted the request (append error other than a
  // per-sample rejection, or commit failure). Nothing was written; the sender
  // should retry.
  absl::Status fatal;

  uint64_t total_rejected() const;
  uint64_t rejected_for(RejectReason r) const { return rejected[size_t(r)]; }
};

// `req` is consumed: label strings are moved out of it.
IngestResult ingest_write_request(prometheus::WriteRequest& req, tsdb::Appendable& db,
                                  const IngestOptions& opts = {});

// Lower-case Prometheus name of a metadata type ("counter", "gaugehistogram",
// ...); "unknown" for values this build does not know.
const char* metric_type_name(int type);

}  // namespace strata::api::remote
