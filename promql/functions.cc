#include "promql/functions.h"

#include <array>

namespace strata::promql {

const FunctionImpl* function_impl(FunctionId id) {
  // Built once from the family tables; a later entry for the same id would
  // be a bug the unit test reports, so the first one wins here.
  static const auto* table = [] {
    auto* t = new std::array<const FunctionImpl*, parser::kFunctionIdCount>{};
    for (auto part : {math_functions(), time_functions(), label_functions(), range_functions(),
                      histogram_functions(), conversion_functions()}) {
      for (const FunctionImpl& f : part) {
        auto& slot = (*t)[size_t(f.id)];
        if (!slot) slot = &f;
      }
    }
    return t;
  }();
  size_t i = size_t(id);
  return i < table->size() ? (*table)[i] : nullptr;
}

}  // namespace strata::promql
