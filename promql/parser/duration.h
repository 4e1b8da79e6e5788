// Prometheus durations are parsed and formatted by base/duration.h, the one
// copy shared by the parser, the HTTP API, flags and the configuration file.
// This header only keeps the older spelling promql::parser::parse_duration /
// format_duration compiling for callers outside promql/ (server/) until they
// include base/duration.h; new code should include that instead.
#pragma once

#include "base/duration.h"

namespace strata::promql::parser {

using strata::format_duration;
using strata::parse_duration;

}  // namespace strata::promql::parser
