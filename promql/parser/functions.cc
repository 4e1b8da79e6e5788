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

Function fn(std::string_view name, std::vector<ValueType> args, ValueType ret = V, int variadic = 0,
            Flags f = kStable) {
  return Function{name, std::move(args), variadic, ret, f.experimental, f.in_v2, f.in_v3};
}

// Sorted by name for binary search.
const std::vector<Function>& table() {
  static const std::vector<Function>* t = [] {
    auto* v = new std::vector<Function>{
        fn("abs", {V}),
        fn("absent", {V}),
        fn("absent_over_time", {M}),
        fn("acos", {V}),
        fn("acosh", {V}),
        fn("asin", {V}),
        fn("asinh", {V}),
        fn("atan", {V}),
        fn("atanh", {V}),
        fn("avg_over_time", {M}),
        fn("ceil", {V}),
        fn("changes", {M}),
        fn("clamp", {V, S, S}),
        fn("clamp_max", {V, S}),
        fn("clamp_min", {V, S}),
        fn("cos", {V}),
        fn("cosh", {V}),
        fn("count_over_time", {M}),
        fn("day_of_month", {V}, V, 1),
        fn("day_of_week", {V}, V, 1),
        fn("day_of_year", {V}, V, 1),
        fn("days_in_month", {V}, V, 1),
        fn("deg", {V}),
        fn("delta", {M}),
        fn("deriv", {M}),
        fn("double_exponential_smoothing", {M, S, S}, V, 0, kExperimentalV3),
        fn("exp", {V}),
        fn("first_over_time", {M}, V, 0, kExperimental),
        fn("floor", {V}),
        fn("histogram_avg", {V}, V, 0, kNewStable),
        fn("histogram_count", {V}),
        fn("histogram_fraction", {S, S, V}),
        fn("histogram_quantile", {S, V}),
        fn("histogram_stddev", {V}, V, 0, kNewStable),
        fn("histogram_stdvar", {V}, V, 0, kNewStable),
        fn("histogram_sum", {V}),
        fn("holt_winters", {M, S, S}, V, 0, kOnlyV2),
        fn("hour", {V}, V, 1),
        fn("idelta", {M}),
        fn("increase", {M}),
        fn("info", {V, V}, V, 1, kExperimentalV3),
        fn("irate", {M}),
        fn("label_join", {V, Str, Str, Str}, V, -1),
        fn("label_replace", {V, Str, Str, Str, Str}),
        fn("last_over_time", {M}),
        fn("ln", {V}),
        fn("log10", {V}),
        fn("log2", {V}),
        fn("mad_over_time", {M}, V, 0, kExperimental),
        fn("max_over_time", {M}),
        fn("min_over_time", {M}),
        fn("minute", {V}, V, 1),
        fn("month", {V}, V, 1),
        fn("pi", {}, S),
        fn("predict_linear", {M, S}),
        fn("present_over_time", {M}),
        fn("quantile_over_time", {S, M}),
        fn("rad", {V}),
        fn("rate", {M}),
        fn("resets", {M}),
        fn("round", {V, S}, V, 1),
        fn("scalar", {V}, S),
        fn("sgn", {V}),
        fn("sin", {V}),
        fn("sinh", {V}),
        fn("sort", {V}),
        fn("sort_by_label", {V, Str}, V, -1, kExperimental),
        fn("sort_by_label_desc", {V, Str}, V, -1, kExperimental),
        fn("sort_desc", {V}),
        fn("sqrt", {V}),
        fn("stddev_over_time", {M}),
        fn("stdvar_over_time", {M}),
        fn("sum_over_time", {M}),
        fn("tan", {V}),
        fn("tanh", {V}),
        fn("time", {}, S),
        fn("timestamp", {V}),
        fn("ts_of_first_over_time", {M}, V, 0, kExperimental),
        fn("ts_of_last_over_time", {M}, V, 0, kExperimental),
        fn("ts_of_max_over_time", {M}, V, 0, kExperimental),
        fn("ts_of_min_over_time", {M}, V, 0, kExperimental),
        fn("vector", {S}),
        fn("year", {V}, V, 1),
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
