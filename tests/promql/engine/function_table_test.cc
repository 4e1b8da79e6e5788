#include <gtest/gtest.h>

#include <set>
#include <string>

#include "promql/functions.h"
#include "promql/parser/functions.h"

namespace strata::promql {
namespace {

TEST(FunctionTableTest, EveryParserFunctionHasAnImplementation) {
  for (const parser::Function& f : parser::all_functions()) {
    SCOPED_TRACE(std::string(f.name));
    const FunctionImpl* impl = function_impl(f.id);
    ASSERT_NE(impl, nullptr);
    EXPECT_EQ(impl->id, f.id);
    if (impl->family == FunctionFamily::kRange) {
      ASSERT_LT(size_t(impl->matrix_arg), f.arg_types.size());
      EXPECT_EQ(f.arg_types[impl->matrix_arg], parser::ValueType::kMatrix);
    }
  }
}

TEST(FunctionTableTest, EveryImplementationIsAParserFunction) {
  std::set<FunctionId> parser_ids;
  for (const parser::Function& f : parser::all_functions()) {
    EXPECT_TRUE(parser_ids.insert(f.id).second) << f.name << " shares its id";
  }
  EXPECT_EQ(parser_ids.size(), parser::kFunctionIdCount);
  std::set<FunctionId> seen;
  for (auto part : {math_functions(), time_functions(), label_functions(), range_functions(),
                    histogram_functions(), conversion_functions()}) {
    for (const FunctionImpl& impl : part) {
      SCOPED_TRACE(int(impl.id));
      EXPECT_TRUE(parser_ids.count(impl.id));
      EXPECT_TRUE(seen.insert(impl.id).second) << "implemented twice";
    }
  }
  EXPECT_EQ(seen, parser_ids);
}

TEST(FunctionTableTest, FamiliesCarryTheirDetail) {
  for (const FunctionImpl& impl : math_functions()) {
    using F = FunctionId;
    bool has_params = impl.id == F::kPi || impl.id == F::kRound || impl.id == F::kClamp ||
                      impl.id == F::kClampMin || impl.id == F::kClampMax;
    EXPECT_EQ(impl.math == nullptr, has_params) << int(impl.id);
  }
  const FunctionImpl* hour = function_impl(FunctionId::kHour);
  ASSERT_NE(hour, nullptr);
  EXPECT_EQ(hour->calendar, CalendarField::kHour);
  const FunctionImpl* q = function_impl(FunctionId::kQuantileOverTime);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->range, RangeFn::kQuantileOverTime);
  EXPECT_EQ(q->matrix_arg, 1);
}

}  // namespace
}  // namespace strata::promql
