// The math family: unary per-sample functions (abs, ln, sin, ...), pi(),
// round and the clamps, whose scalar parameters are read per step.
#include <algorithm>
#include <cmath>

#include "promql/evaluator.h"

namespace strata::promql {
namespace {

using F = FunctionId;
using Fam = FunctionFamily;

// Go's math.Max / math.Min: an infinity in the winning direction beats
// NaN, then NaN beats numbers.
double go_max(double a, double b) {
  if (std::isinf(a) && a > 0) return a;
  if (std::isinf(b) && b > 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  return std::max(a, b);
}
double go_min(double a, double b) {
  if (std::isinf(a) && a < 0) return a;
  if (std::isinf(b) && b < 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  return std::min(a, b);
}

double round_half_up(double v, double to_nearest) {
  double inv = 1.0 / to_nearest;
  return std::floor(v * inv + 0.5) / inv;
}

// Go's math.Log2 and Log10 are built on Log (exact powers of two excepted);
// their last bits differ from libm's, which % and count_values labels make
// visible.
double go_log2(double x) {
  int exp;
  double frac = std::frexp(x, &exp);
  if (frac == 0.5) return double(exp - 1);
  return std::log(frac) * (1 / M_LN2) + double(exp);
}
double go_log10(double x) { return std::log(x) * (1 / M_LN10); }

// Go's math.Sinh and Cosh take e^|x| / 2 for |x| > 21, which overflows to
// ±Inf from |x| ≈ 709.78 on, where libm still answers up to |x| ≈ 710.48.
double go_sinh(double x) {
  if (std::fabs(x) > 21) return std::copysign(std::exp(std::fabs(x)) * 0.5, x);
  return std::sinh(x);
}
double go_cosh(double x) {
  if (std::fabs(x) > 21) return std::exp(std::fabs(x)) * 0.5;
  return std::cosh(x);
}

constexpr FunctionImpl unary(FunctionId id, MathFn fn) { return {id, Fam::kMath, fn}; }

constexpr FunctionImpl kMathFunctions[] = {
    unary(F::kAbs, [](double x) { return std::fabs(x); }),
    unary(F::kCeil, [](double x) { return std::ceil(x); }),
    unary(F::kFloor, [](double x) { return std::floor(x); }),
    unary(F::kExp, [](double x) { return std::exp(x); }),
    unary(F::kSqrt, [](double x) { return std::sqrt(x); }),
    unary(F::kLn, [](double x) { return std::log(x); }),
    unary(F::kLog2, go_log2),
    unary(F::kLog10, go_log10),
    unary(F::kAcos, [](double x) { return std::acos(x); }),
    unary(F::kAcosh, [](double x) { return std::acosh(x); }),
    unary(F::kAsin, [](double x) { return std::asin(x); }),
    unary(F::kAsinh, [](double x) { return std::asinh(x); }),
    unary(F::kAtan, [](double x) { return std::atan(x); }),
    unary(F::kAtanh, [](double x) { return std::atanh(x); }),
    unary(F::kCos, [](double x) { return std::cos(x); }),
    unary(F::kCosh, go_cosh),
    unary(F::kSin, [](double x) { return std::sin(x); }),
    unary(F::kSinh, go_sinh),
    unary(F::kTan, [](double x) { return std::tan(x); }),
    unary(F::kTanh, [](double x) { return std::tanh(x); }),
    unary(F::kDeg, [](double x) { return x * 180 / M_PI; }),
    unary(F::kRad, [](double x) { return x * M_PI / 180; }),
    unary(F::kSgn, [](double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }),
    {F::kPi, Fam::kMath},
    {F::kRound, Fam::kMath},
    {F::kClamp, Fam::kMath},
    {F::kClampMin, Fam::kMath},
    {F::kClampMax, Fam::kMath},
};

}  // namespace

std::span<const FunctionImpl> math_functions() { return kMathFunctions; }

absl::StatusOr<Evaluator::Result> Evaluator::eval_math_call(const PlanNode& n, const Grid& g) {
  const FunctionId id = n.fn->id;
  if (id == F::kPi) {
    Result r;
    r.kind = ValueKind::kScalar;
    r.scalar.assign(g.n, M_PI);
    return r;
  }
  auto args = eval_args(n, g);
  if (!args.ok()) return args.status();
  auto& a = *args;
  StepVector in = std::move(a[0].vec);
  switch (id) {
    case F::kRound:
      return map_samples(std::move(in), g, [&](size_t i, double v) {
        return round_half_up(v, a.size() > 1 ? a[1].scalar[i] : 1.0);
      });
    case F::kClamp:
      return map_samples(std::move(in), g, [&](size_t i, double v) {
        double lo = a[1].scalar[i], hi = a[2].scalar[i];
        return hi < lo ? absent_value() : go_max(lo, go_min(hi, v));
      });
    case F::kClampMin:
      return map_samples(std::move(in), g,
                         [&](size_t i, double v) { return go_max(a[1].scalar[i], v); });
    case F::kClampMax:
      return map_samples(std::move(in), g,
                         [&](size_t i, double v) { return go_min(a[1].scalar[i], v); });
    default: {
      const MathFn fn = n.fn->math;
      return map_samples(std::move(in), g, [fn](size_t, double v) { return fn(v); });
    }
  }
}

}  // namespace strata::promql
