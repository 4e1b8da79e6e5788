// One id per PromQL function the parser knows. The parser's signature table
// (functions.cc) gives every entry its id, and the engine's implementation
// table (promql/functions.h) is indexed by it, so a call is resolved to its
// implementation once, when the plan is built, never by name at run time.
#pragma once

#include <cstdint>

namespace strata::promql::parser {

enum class FunctionId : uint8_t {
  kAbs, kAbsent, kAbsentOverTime, kAcos, kAcosh, kAsin, kAsinh, kAtan, kAtanh, kAvgOverTime,
  kCeil, kChanges, kClamp, kClampMax, kClampMin, kCos, kCosh, kCountOverTime, kDayOfMonth,
  kDayOfWeek, kDayOfYear, kDaysInMonth, kDeg, kDelta, kDeriv, kDoubleExponentialSmoothing, kExp,
  kFirstOverTime, kFloor, kHistogramAvg, kHistogramCount, kHistogramFraction, kHistogramQuantile,
  kHistogramStddev, kHistogramStdvar, kHistogramSum, kHoltWinters, kHour, kIdelta, kIncrease,
  kInfo, kIrate, kLabelJoin, kLabelReplace, kLastOverTime, kLn, kLog10, kLog2, kMadOverTime,
  kMaxOverTime, kMinOverTime, kMinute, kMonth, kPi, kPredictLinear, kPresentOverTime,
  kQuantileOverTime, kRad, kRate, kResets, kRound, kScalar, kSgn, kSin, kSinh, kSort,
  kSortByLabel, kSortByLabelDesc, kSortDesc, kSqrt, kStddevOverTime, kStdvarOverTime,
  kSumOverTime, kTan, kTanh, kTime, kTimestamp, kTsOfFirstOverTime, kTsOfLastOverTime,
  kTsOfMaxOverTime, kTsOfMinOverTime, kVector, kYear,
};

// The number of ids, for tables indexed by FunctionId.
inline constexpr size_t kFunctionIdCount = size_t(FunctionId::kYear) + 1;

}  // namespace strata::promql::parser
