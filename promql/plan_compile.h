// Compiles a query string into the engine's evaluation plan: parse (with the
// dialect and feature flags of the engine options), then translate the AST.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "promql/engine.h"
#include "promql/parser/ast.h"
#include "promql/plan.h"

namespace strata::promql {

// Parse errors come back as InvalidArgument with Prometheus' text
// ("1:13: parse error: ...").
absl::StatusOr<std::unique_ptr<PlanNode>> compile_query(std::string_view query,
                                                        const EngineOptions& opts);
// Translates a type-checked AST, resolving each call to its implementation.
// A function without one (a test keeps that from happening) is Unimplemented.
absl::StatusOr<std::unique_ptr<PlanNode>> compile_plan(const parser::Expr& e);

}  // namespace strata::promql
