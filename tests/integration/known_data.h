// The known samples the end-to-end and bad-input tests remote-write to the
// strata binary and read back through the HTTP API, with helpers to write the
// exact JSON answers they expect.
//
// Everything is relative to a base time `t0_ms` (a whole minute about ten
// minutes before now, so that the head accepts the samples and queries
// without `time` see recent data). Series (labels sorted as Prometheus sorts
// them):
//
//   e2e_requests_total{code="200",instance="a:9100",job="api"}  t0+15s*i, 10*i   (i = 0..20)
//   e2e_requests_total{code="500",instance="a:9100",job="api"}  t0+15s*i, i      (i = 0..20)
//   e2e_temperature_celsius{job="sensor",room="kitchen"}        t0+30s*i, kTemperatureStrings[i] (i
//   = 0..11) e2e_gone{job="api"}                 t0, t0+15s, t0+30s: 1, 2, 3; stale marker at
//   t0+45s e2e_ms{job="ms"}                    t0+50ms: 1, t0+1.5s: 2, t0+2.001s: 3
//   e2e_escape{job="esc",path="a\"b\\c\nd<&>",unicode="ü€😀"}   t0: 1
//
// plus metadata for e2e_requests_total (counter) and e2e_temperature_celsius
// (gauge, unit celsius). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/testutil/remote_write.h"

namespace strata::integration {

// Temperature values, chosen to exercise Prometheus' float formatting (Go's
// strconv 'f' with the shortest digits: 2^63 is "9223372036854776000").
inline const std::vector<std::string> kTemperatureStrings = {
    "20.5", "21",    "21.25", "-3.5",
    "0.1",  "1e-07", "1e+21", "123456789.125",
    "NaN",  "+Inf",  "-Inf",  "9223372036854776000"};

// A whole minute about ten minutes before now.
int64_t default_t0_ms();

std::vector<testutil::RwSeries> known_series(int64_t t0_ms);
std::vector<testutil::RwMetadata> known_metadata();
size_t known_sample_count(int64_t t0_ms);  // including the stale marker

// The body of one remote-write request with all of the above.
std::string known_write_body(int64_t t0_ms);

// Prometheus' JSON timestamp: seconds, and the millisecond remainder with
// exactly three digits when it is not zero ("1700000000", "1700000000.050").
std::string json_ts(int64_t t_ms);
// The same as a request parameter.
std::string param_ts(int64_t t_ms);
// RFC 3339 in UTC, with three fraction digits when the milliseconds are not
// zero ("2023-11-14T22:13:20Z", "2023-11-14T22:13:20.050Z").
std::string rfc3339(int64_t t_ms);

// `[<ts>,"<value>"]`.
std::string pair(int64_t t_ms, const std::string& value);

}  // namespace strata::integration
