#include "rules/template/alert_template.h"

#include "gtest/gtest.h"

namespace strata::rules {
namespace {

TEST(AlertTemplateTest, Smoke) {
  auto t = AlertTemplate::parse("X", "{{ $value }} {{ $labels.a }}");
  ASSERT_TRUE(t.ok()) << t.status();
  AlertTemplateData d;
  d.value = 1234.5;
  d.labels = tsdb::Labels::from_strings({"a", "x y"});
  EXPECT_EQ(t->expand(d, 0, nullptr), "1234.5 x y");
}

}  // namespace
}  // namespace strata::rules
