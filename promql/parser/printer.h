// Printing an AST back to PromQL: Prometheus' Expr.String() (one line, used
// to re-serialise rewritten queries) and Prettify (`/api/v1/format_query`).
//
// Both follow the given dialect: kV2 prints exactly like Prometheus 2.42
// (numbers in %g style, "1e+20"; a group_left without on/ignoring labels is
// dropped, as 2.42 does), kV3 like Prometheus 3 (numbers in %f style, label
// names that are not legacy names quoted, group modifiers always kept,
// durations written as durations). Pure functions; thread-safe.
#pragma once

#include <string>

#include "promql/parser/ast.h"
#include "promql/parser/compat.h"

namespace strata::promql::parser {

std::string to_string(const Expr& e, Compat compat = Compat::kV3);

// Prometheus' Prettify: the String() form while it fits in 100 characters;
// longer expressions are split over lines with two-space indentation.
std::string pretty(const Expr& e, Compat compat = Compat::kV3);

}  // namespace strata::promql::parser
