// Series descriptions of the promqltest / promtool notation, e.g.
//   http_requests{job="api", instance="0"}  0+10x10 _ 5 stale -1-2x3 _x2
// (Prometheus' promqltest format, "load" lines). Used by the test runner for
// `load` blocks and expected results.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tsdb/labels/labels.h"

namespace strata::promql::parser {

struct SequenceValue {
  double value = 0;        // the stale marker is Prometheus' StaleNaN bit pattern
  bool omitted = false;    // `_`: no sample at this position
  bool histogram = false;  // a `{{...}}` native histogram (contents not parsed)
  // A float sample is present at this position.
  bool has_value() const { return !omitted && !histogram; }
};

struct SeriesDesc {
  tsdb::Labels labels;  // __name__ included when a name is given
  std::vector<SequenceValue> values;  // one per position, after expansion
  bool has_histograms = false;
};

// Prometheus' StaleNaN (0x7ff0000000000002).
double stale_nan();
bool is_stale_nan(double v);

// Parses `<metric> <values...>` (values optional). Label names that are not
// legacy identifiers are quoted, and a quoted string alone in the braces is
// the metric name (Prometheus 3: `{"http.requests", "service.name"="api"}`). Expands `a+bxN` and `a-bxN`
// to N+1 values, `vxN` to N+1 copies, `_xN` to N omitted positions, `stale`,
// decimal numbers with optional sign, Inf/NaN in any case, and durations
// (`1m` = 60). Native histograms `{{...}}` (also `{{...}}xN`,
// `{{A}}+{{B}}xN`) are recognised and counted but their contents are not
// interpreted: such values have `histogram` set. Errors are InvalidArgument
// "1:<col>: parse error: <msg>".
absl::StatusOr<SeriesDesc> parse_series_desc(std::string_view line);

}  // namespace strata::promql::parser
