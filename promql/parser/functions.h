// The PromQL function signatures known to the parser: name, argument types,
// how many optional trailing arguments, return type, and whether the function
// is experimental (needs ParseOptions::experimental_functions), and the
// function's id. The engine's implementations live elsewhere, in a table
// indexed by that id (promql/functions.h); this table only drives parsing and
// type checking. Static, immutable, thread-safe.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "promql/parser/ast.h"
#include "promql/parser/compat.h"
#include "promql/parser/function_id.h"

namespace strata::promql::parser {

struct Function {
  std::string_view name;
  FunctionId id;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types.size() arguments. n > 0: the last argument is
  // optional and may repeat, up to arg_types.size() - 1 + n arguments.
  // -1: the last argument may repeat without limit (label_join).
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
  bool experimental = false;
  bool in_v2 = true;  // known to Prometheus 2.42
  bool in_v3 = true;  // known to Prometheus 3.x
};

// The function called `name` (case-sensitive) in the given dialect, or nullptr.
// Experimental functions are returned too; the caller checks `experimental`.
const Function* find_function(std::string_view name, Compat compat);

// Every entry of the table, both dialects.
std::span<const Function> all_functions();

}  // namespace strata::promql::parser
