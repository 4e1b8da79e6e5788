// The engine's implementation table: for every PromQL function id, which
// family of evaluation code runs it and the family's detail (the per-sample
// math function, the range kernel, the calendar field). A plan's call node
// points at its entry (plan_compile.cc), so evaluation dispatches on enums and
// never looks a name up. Each family keeps its part of the table beside its
// code (eval_calls_<family>.cc). Static, immutable, thread-safe.
#pragma once

#include <span>

#include "promql/functions_range.h"
#include "promql/parser/function_id.h"

namespace strata::promql {

using parser::FunctionId;

enum class FunctionFamily : uint8_t {
  kMath,        // per-sample arithmetic: abs, ln, round, clamp, ...
  kTime,        // time(), timestamp() and the calendar functions
  kLabel,       // label_replace, label_join, info
  kRange,       // range-vector kernels: rate, *_over_time, deriv, ...
  kHistogram,   // histogram_quantile and the native-histogram functions
  kConversion,  // vector, scalar, absent, absent_over_time, sort*
};

// Calendar fields of a Unix time (go_time.h).
enum class CalendarField : uint8_t {
  kDayOfMonth, kDayOfWeek, kDayOfYear, kDaysInMonth, kHour, kMinute, kMonth, kYear,
};

using MathFn = double (*)(double);

struct FunctionImpl {
  FunctionId id;
  FunctionFamily family;
  MathFn math = nullptr;                          // kMath: the unary functions
  CalendarField calendar = CalendarField::kYear;  // kTime: the calendar functions
  RangeFn range = RangeFn::kRate;                 // kRange
  int matrix_arg = 0;                             // kRange: index of the range-vector argument
  bool keeps_name = false;                        // kRange: the result keeps __name__
};

// The implementation of `id`, or nullptr if the engine has none (a unit test
// checks that every function the parser knows has one).
const FunctionImpl* function_impl(FunctionId id);

// The parts of the table, one per family file.
std::span<const FunctionImpl> math_functions();
std::span<const FunctionImpl> time_functions();
std::span<const FunctionImpl> label_functions();
std::span<const FunctionImpl> range_functions();
std::span<const FunctionImpl> histogram_functions();
std::span<const FunctionImpl> conversion_functions();

}  // namespace strata::promql
