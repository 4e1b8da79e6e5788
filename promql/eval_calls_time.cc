// The time family: time(), timestamp() and the calendar functions
// (day_of_month, hour, year, ...), which read a Unix time in seconds as Go
// does (go_time.h) and default to vector(time()).
#include <cmath>

#include "promql/evaluator.h"
#include "promql/go_time.h"

namespace strata::promql {
namespace {

using F = FunctionId;
using Fam = FunctionFamily;
using C = CalendarField;

constexpr FunctionImpl calendar(FunctionId id, CalendarField field) {
  return {id, Fam::kTime, nullptr, field};
}

constexpr FunctionImpl kTimeFunctions[] = {
    {F::kTime, Fam::kTime},
    {F::kTimestamp, Fam::kTime},
    calendar(F::kDayOfMonth, C::kDayOfMonth),
    calendar(F::kDayOfWeek, C::kDayOfWeek),
    calendar(F::kDayOfYear, C::kDayOfYear),
    calendar(F::kDaysInMonth, C::kDaysInMonth),
    calendar(F::kHour, C::kHour),
    calendar(F::kMinute, C::kMinute),
    calendar(F::kMonth, C::kMonth),
    calendar(F::kYear, C::kYear),
};

double calendar_value(CalendarField field, double secs) {
  GoDate d = go_unix_date(go_float_to_int64(secs));
  switch (field) {
    case C::kDayOfMonth: return d.day;
    case C::kDayOfWeek: return d.day_of_week;
    case C::kDayOfYear: return d.day_of_year;
    case C::kDaysInMonth: return d.days_in_month;
    case C::kHour: return d.hour;
    case C::kMinute: return d.minute;
    case C::kMonth: return d.month;
    case C::kYear: return double(d.year);
  }
  return std::nan("");
}

}  // namespace

std::span<const FunctionImpl> time_functions() { return kTimeFunctions; }

absl::StatusOr<Evaluator::Result> Evaluator::eval_time_call(const PlanNode& n, const Grid& g) {
  const FunctionId id = n.fn->id;
  Result r;
  if (id == F::kTime) {
    r.kind = ValueKind::kScalar;
    r.scalar.resize(g.n);
    for (size_t i = 0; i < g.n; ++i) r.scalar[i] = double(g.at(i)) / 1000;
    return r;
  }
  if (id == F::kTimestamp && n.args[0]->kind == PlanNode::Kind::kVectorSelector) {
    // The sample's own timestamp, not the evaluation time.
    auto v = eval_vector_selector(*n.args[0], g, true);
    if (!v.ok()) return v.status();
    for (StepSeries& s : *v) drop_name(s);
    r.vec = std::move(*v);
    if (auto st = dedupe(r.vec, g); !st.ok()) return st;
    return r;
  }
  auto args = eval_args(n, g);
  if (!args.ok()) return args.status();
  if (id == F::kTimestamp) {
    return map_samples(std::move((*args)[0].vec), g,
                       [&](size_t i, double) { return double(g.at(i)) / 1000; });
  }
  const CalendarField field = n.fn->calendar;
  if (args->empty()) {
    // Default argument: vector(time()).
    StepSeries s;
    s.v.resize(g.n);
    for (size_t i = 0; i < g.n; ++i) s.v[i] = calendar_value(field, double(g.at(i)) / 1000);
    r.vec.push_back(std::move(s));
    return r;
  }
  return map_samples(std::move((*args)[0].vec), g,
                     [field](size_t, double v) { return calendar_value(field, v); });
}

}  // namespace strata::promql
