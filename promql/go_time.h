// The calendar functions' view of a Unix time, computed exactly as Go's time
// package computes it for Prometheus (Go 1.20's absolute-date arithmetic,
// wrapping on overflow), so that day_of_month() and friends agree with
// Prometheus for every input: NaN, ±Inf and values beyond ±2^63 seconds
// included (Go's float-to-int64 conversion on amd64 turns those into
// INT64_MIN, a date in year 292277026596).
#pragma once

#include <cstdint>

namespace strata::promql {

// Go's int64(f) on amd64: truncation; NaN and out-of-range give INT64_MIN.
int64_t go_float_to_int64(double f);

struct GoDate {
  int64_t year = 0;
  int month = 1;         // 1..12
  int day = 1;           // 1..31
  int day_of_year = 1;   // 1..366
  int day_of_week = 0;   // 0 = Sunday
  int hour = 0, minute = 0;
  int days_in_month = 31;
};

// time.Unix(sec, 0).UTC(), broken down.
GoDate go_unix_date(int64_t sec);

}  // namespace strata::promql
