// OTLP values as Prometheus label values, the way Prometheus 3 writes them:
// attribute values (strings as they are, booleans and integers as text,
// doubles as Go's shortest 'f' form, bytes in base64, arrays and maps as
// JSON), `le`/`quantile` bounds, and trace/span ids in lower-case hex.
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include "remote/otlp_metrics.pb.h"

namespace strata::remote {

// Go's strconv.FormatFloat(v, 'f', -1, 64): "0.005", "1000000", "+Inf", "NaN".
std::string otlp_format_float(double v);

// An attribute value as a label value (the collector's pcommon AsString).
std::string otlp_value_string(const strata::otlp::AnyValue& v);

// Lower-case hex of raw bytes (trace and span ids).
std::string otlp_hex(std::string_view bytes);

}  // namespace strata::remote
