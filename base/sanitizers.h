// Whether this build runs under AddressSanitizer (make test-sanitize, make
// fuzz). Its redzones make stack frames several times larger, and its
// quarantine keeps freed memory resident, so stack-depth budgets scale with
// it and memory (RSS) bounds cannot be checked in such a build.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define STRATA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRATA_ASAN 1
#endif
#endif

namespace strata {
#ifdef STRATA_ASAN
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
}  // namespace strata
