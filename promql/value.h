// PromQL result values: scalar, string, instant vector, range vector (matrix).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "tsdb/labels/labels.h"

namespace strata::promql {

using tsdb::Labels;

struct Point {
  int64_t t;
  double v;
};

struct Scalar {
  int64_t t = 0;
  double v = 0;
};

struct String {
  int64_t t = 0;
  std::string v;
};

struct VectorSample {
  Labels metric;
  int64_t t = 0;
  double v = 0;
};
using Vector = std::vector<VectorSample>;

struct MatrixSeries {
  Labels metric;
  std::vector<Point> points;
};
using Matrix = std::vector<MatrixSeries>;

using Value = std::variant<Scalar, String, Vector, Matrix>;

// "scalar", "string", "vector", "matrix" as the API's resultType.
const char* result_type_name(const Value& v);

}  // namespace strata::promql
