#include "base/metrics.h"

#include <gtest/gtest.h>

namespace strata::metrics {
namespace {

TEST(MetricsTest, WritesTextFormat) {
  Registry r;
  r.counter_family("strata_x_total", "X things.", {"code"}).with({"200"}).inc(3);
  r.gauge("strata_g", "A \"gauge\"\nline.").set(1.5);
  auto& h = r.histogram("strata_h_seconds", "H.", {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  std::string out;
  r.write_text(&out);
  EXPECT_EQ(out,
            "# HELP strata_g A \"gauge\"\\nline.\n# TYPE strata_g gauge\nstrata_g 1.5\n"
            "# HELP strata_h_seconds H.\n# TYPE strata_h_seconds histogram\n"
            "strata_h_seconds_bucket{le=\"0.1\"} 1\nstrata_h_seconds_bucket{le=\"1\"} 2\n"
            "strata_h_seconds_bucket{le=\"+Inf\"} 3\nstrata_h_seconds_sum 5.55\n"
            "strata_h_seconds_count 3\n"
            "# HELP strata_x_total X things.\n# TYPE strata_x_total counter\n"
            "strata_x_total{code=\"200\"} 3\n");
}

TEST(MetricsTest, SameNameReturnsSameMetric) {
  Registry r;
  r.counter("c_total", "c").inc();
  r.counter("c_total", "c").inc();
  EXPECT_EQ(r.counter("c_total", "c").value(), 2);
}

}  // namespace
}  // namespace strata::metrics
