// Status helpers shared by every module. Bookworm's abseil has absl::Status and
// absl::StatusOr but no propagation macros, so they are defined once here.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define STRATA_CONCAT_INNER_(a, b) a##b
#define STRATA_CONCAT_(a, b) STRATA_CONCAT_INNER_(a, b)

// Returns from the current function when `expr` yields a non-OK status.
#define STRATA_RETURN_IF_ERROR(expr)              \
  do {                                            \
    ::absl::Status strata_status_ = (expr);       \
    if (!strata_status_.ok()) return strata_status_; \
  } while (0)

// `lhs` = value of the StatusOr `rexpr`, or returns its error.
#define STRATA_ASSIGN_OR_RETURN(lhs, rexpr) \
  STRATA_ASSIGN_OR_RETURN_IMPL_(STRATA_CONCAT_(strata_statusor_, __LINE__), lhs, rexpr)
#define STRATA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();       \
  lhs = std::move(tmp).value()

namespace strata {

// Prefixes `context: ` to a non-OK status' message, keeping its code.
inline absl::Status annotate(const absl::Status& s, std::string_view context) {
  if (s.ok()) return s;
  return absl::Status(s.code(), std::string(context) + ": " + std::string(s.message().data(), s.message().size()));
}

}  // namespace strata
