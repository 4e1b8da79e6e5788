#include "promql/parser/functions.h"

#include <algorithm>

namespace strata::promql::parser {
namespace {

constexpr ValueType S = ValueType::kScalar;
constexpr ValueType V = ValueType::kVector;
constexpr ValueType M = ValueType::kMatrix;
constexpr ValueType Str = ValueType::kString;

struct Flags {
  bool experimental = false;
  bool in_v2 = true;
  bool in_v3 = true;
};
constexpr Flags kStable{};
constexpr Flags kOnlyV2{false, true, false};
constexpr Flags kNewStable{false, false, true};  // stable, added after 2.42
// Experimental (added after 2.42). In v2 mode they are a Strata extension,
// available only when experimental functions are enabled.
constexpr Flags kExperimental{true, true, true};
constexpr Flags kExperimentalV3{true, false, true};

using F = FunctionId;

Function fn(std::string_view name, FunctionId id, std::vector<ValueType> args, ValueType ret = V,
            int variadic = 0, Flags f = kStable) {
  return Function{name, id, std::move(args), variadic, ret, f.experimental, f.in_v2, f.in_v3};
}

// Sorted by name for binary search.
const std::vector<Function>& table() {
  static const std::vector<Function>* t = [] {
    auto* v = new std::vector<Function>{
        fn("abs", F::kAbs, {V}),
        fn("absent", F::kAbsent, {V}),
        fn("absent_over_time", F::kAbsentOverTime, {M}),
        fn("acos", F::kAcos, {V}),
        fn("acosh", F::kAcosh, {V}),
        fn("asin", F::kAsin, {V}),
        fn("asinh", F::kAsinh, {V}),
        fn("atan", F::kAtan, {V}),
        fn("atanh", F::kAtanh, {V}),
        fn("avg_over_time", F::kAvgOverTime, {M}),
        fn("ceil", F::kCeil, {V}),
        fn("changes", F::kChanges, {M}),
        fn("clamp", F::kClamp, {V, S, S}),
        fn("clamp_max", F::kClampMax, {V, S}),
        fn("clamp_min", F::kClampMin, {V, S}),
        fn("cos", F::kCos, {V}),
        fn("cosh", F::kCosh, {V}),
        fn("count_over_time", F::kCountOverTime, {M}),
        fn("day_of_month", F::kDayOfMonth, {V}, V, 1),
        fn("day_of_week", F::kDayOfWeek, {V}, V, 1),
        fn("day_of_year", F::kDayOfYear, {V}, V, 1),
        fn("days_in_month", F::kDaysInMonth, {V}, V, 1),
        fn("deg", F::kDeg, {V}),
        fn("delta", F::kDelta, {M}),
        fn("deriv", F::kDeriv, {M}),
        fn("double_exponential_smoothing", F::kDoubleExponentialSmoothing, {M, S, S}, V, 0,
           kExperimentalV3),
        fn("exp", F::kExp, {V}),
        fn("first_over_time", F::kFirstOverTime, {M}, V, 0, kExperimental),
        fn("floor", F::kFloor, {V}),
        fn("histogram_avg", F::kHistogramAvg, {V}, V, 0, kNewStable),
        fn("histogram_count", F::kHistogramCount, {V}),
        fn("histogram_fraction", F::kHistogramFraction, {S, S, V}),
        fn("histogram_quantile", F::kHistogramQuantile, {S, V}),
        fn("histogram_stddev", F::kHistogramStddev, {V}, V, 0, kNewStable),
        fn("histogram_stdvar", F::kHistogramStdvar, {V}, V, 0, kNewStable),
        fn("histogram_sum", F::kHistogramSum, {V}),
        fn("holt_winters", F::kHoltWinters, {M, S, S}, V, 0, kOnlyV2),
        fn("hour", F::kHour, {V}, V, 1),
        fn("idelta", F::kIdelta, {M}),
        fn("increase", F::kIncrease, {M}),
        fn("info", F::kInfo, {V, V}, V, 1, kExperimentalV3),
        fn("irate", F::kIrate, {M}),
        fn("label_join", F::kLabelJoin, {V, Str, Str, Str}, V, -1),
        fn("label_replace", F::kLabelReplace, {V, Str, Str, Str, Str}),
        fn("last_over_time", F::kLastOverTime, {M}),
        fn("ln", F::kLn, {V}),
        fn("log10", F::kLog10, {V}),
        fn("log2", F::kLog2, {V}),
        fn("mad_over_time", F::kMadOverTime, {M}, V, 0, kExperimental),
        fn("max_over_time", F::kMaxOverTime, {M}),
        fn("min_over_time", F::kMinOverTime, {M}),
        fn("minute", F::kMinute, {V}, V, 1),
        fn("month", F::kMonth, {V}, V, 1),
        fn("pi", F::kPi, {}, S),
        fn("predict_linear", F::kPredictLinear, {M, S}),
        fn("present_over_time", F::kPresentOverTime, {M}),
        fn("quantile_over_time", F::kQuantileOverTime, {S, M}),
        fn("rad", F::kRad, {V}),
        fn("rate", F::kRate, {M}),
        fn("resets", F::kResets, {M}),
        fn("round", F::kRound, {V, S}, V, 1),
        fn("scalar", F::kScalar, {V}, S),
        fn("sgn", F::kSgn, {V}),
        fn("sin", F::kSin, {V}),
        fn("sinh", F::kSinh, {V}),
        fn("sort", F::kSort, {V}),
        fn("sort_by_label", F::kSortByLabel, {V, Str}, V, -1, kExperimental),
        fn("sort_by_label_desc", F::kSortByLabelDesc, {V, Str}, V, -1, kExperimental),
        fn("sort_desc", F::kSortDesc, {V}),
        fn("sqrt", F::kSqrt, {V}),
        fn("stddev_over_time", F::kStddevOverTime, {M}),
        fn("stdvar_over_time", F::kStdvarOverTime, {M}),
        fn("sum_over_time", F::kSumOverTime, {M}),
        fn("tan", F::kTan, {V}),
        fn("tanh", F::kTanh, {V}),
        fn("time", F::kTime, {}, S),
        fn("timestamp", F::kTimestamp, {V}),
        fn("ts_of_first_over_time", F::kTsOfFirstOverTime, {M}, V, 0, kExperimental),
        fn("ts_of_last_over_time", F::kTsOfLastOverTime, {M}, V, 0, kExperimental),
        fn("ts_of_max_over_time", F::kTsOfMaxOverTime, {M}, V, 0, kExperimental),
        fn("ts_of_min_over_time", F::kTsOfMinOverTime, {M}, V, 0, kExperimental),
        fn("vector", F::kVector, {S}),
        fn("year", F::kYear, {V}, V, 1),
    };
    std::sort(v->begin(), v->end(),
              [](const Function& a, const Function& b) { return a.name < b.name; });
    return v;
  }();
  return *t;
}

}  // namespace

const Function* find_function(std::string_view name, Compat compat) {
  const auto& t = table();
  auto it = std::lower_bound(t.begin(), t.end(), name,
                             [](const Function& f, std::string_view n) { return f.name < n; });
  if (it == t.end() || it->name != name) return nullptr;
  if (!(compat == Compat::kV2 ? it->in_v2 : it->in_v3)) return nullptr;
  return &*it;
}

std::span<const Function> all_functions() { return table(); }

}  // namespace strata::promql::parser
