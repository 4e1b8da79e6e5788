// Calendar dates of Unix day numbers without the C library's time zone
// machinery (thread-safe, any year): Howard Hinnant's civil_from_days, for
// writing RFC 3339 and Go time texts.
#pragma once

#include <cstdint>

namespace strata {

// The proleptic Gregorian date of `days` since 1970-01-01 (negative before).
inline void civil_from_days(int64_t days, int64_t* y, unsigned* m, unsigned* d) {
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

}  // namespace strata
