#include "promql/go_time.h"

#include <cmath>
#include <limits>

namespace strata::promql {
namespace {

constexpr uint64_t kSecondsPerDay = 86400;
constexpr uint64_t kSecondsPerWeek = 7 * kSecondsPerDay;
constexpr uint64_t kDaysPer400Years = 365 * 400 + 97;
constexpr uint64_t kDaysPer100Years = 365 * 100 + 24;
constexpr uint64_t kDaysPer4Years = 365 * 4 + 1;
// Go's absoluteZeroYear: the calendar's epoch is January 1 of this year (a
// Monday), 1 mod 400 so that the 400-year cycles line up.
constexpr int64_t kAbsoluteZeroYear = -292277022399;
// Unix seconds to absolute seconds: unixToInternal + internalToAbsolute in
// Go, (1969*365 + 1969/4 - 1969/100 + 1969/400) * 86400 +
// (292277022399 + 1) * 365.2425 * 86400.
constexpr uint64_t kUnixToAbsolute = 9223372028715321600ULL;
// Days before each month in a non-leap year.
constexpr int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

bool is_leap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

}  // namespace

int64_t go_float_to_int64(double f) {
  // CVTTSD2SQ's "integer indefinite" for anything it cannot represent.
  if (std::isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0)
    return std::numeric_limits<int64_t>::min();
  return int64_t(f);
}

GoDate go_unix_date(int64_t sec) {
  // Go adds in int64 and converts to uint64: the same bits as wrapping
  // unsigned addition.
  const uint64_t abs = uint64_t(sec) + kUnixToAbsolute;
  GoDate g;
  g.hour = int((abs % kSecondsPerDay) / 3600);
  g.minute = int((abs % 3600) / 60);
  g.day_of_week = int(((abs + kSecondsPerDay) % kSecondsPerWeek) / kSecondsPerDay);

  uint64_t d = abs / kSecondsPerDay;
  uint64_t n = d / kDaysPer400Years;
  uint64_t y = 400 * n;
  d -= kDaysPer400Years * n;
  // The last 100-year (and 1-year) cycle has an extra leap day: n >> 2
  // pulls the fourth cycle's last day back into the third.
  n = d / kDaysPer100Years;
  n -= n >> 2;
  y += 100 * n;
  d -= kDaysPer100Years * n;
  n = d / kDaysPer4Years;
  y += 4 * n;
  d -= kDaysPer4Years * n;
  n = d / 365;
  n -= n >> 2;
  y += n;
  d -= 365 * n;

  g.year = int64_t(y) + kAbsoluteZeroYear;
  int yday = int(d);
  g.day_of_year = yday + 1;
  bool leap = is_leap(g.year);
  int day = yday;
  if (leap && day == 31 + 29 - 1) {
    g.month = 2;
    g.day = 29;
  } else {
    if (leap && day > 31 + 29 - 1) --day;  // after the leap day: as if it were not there
    int month = day / 31;  // at most one month too low
    int begin;
    if (day >= kDaysBefore[month + 1]) {
      ++month;
      begin = kDaysBefore[month];
    } else {
      begin = kDaysBefore[month];
    }
    g.month = month + 1;
    g.day = day - begin + 1;
  }
  g.days_in_month = kDaysBefore[g.month] - kDaysBefore[g.month - 1] + (g.month == 2 && leap ? 1 : 0);
  return g;
}

}  // namespace strata::promql
