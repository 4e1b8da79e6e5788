#include "promql/value.h"

namespace strata::promql {

const char* result_type_name(const Value& v) {
  switch (v.index()) {
    case 0: return "scalar";
    case 1: return "string";
    case 2: return "vector";
    default: return "matrix";
  }
}

}  // namespace strata::promql
