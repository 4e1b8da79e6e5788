#include "base/duration.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(DurationTest, ParsesCompoundDurations) {
  EXPECT_EQ(*parse_duration("5m"), 300000);
  EXPECT_EQ(*parse_duration("1h30m"), 5400000);
  EXPECT_EQ(*parse_duration("1m0s"), 60000);
  EXPECT_EQ(*parse_duration("4m15s"), 255000);
  EXPECT_EQ(*parse_duration("1500ms"), 1500);
  EXPECT_EQ(*parse_duration("1y2w3d"), (365 + 14 + 3) * 86400000LL);
  EXPECT_EQ(*parse_duration("0"), 0);
  EXPECT_EQ(*parse_duration("0s"), 0);
}

TEST(DurationTest, RejectsLikePrometheus) {
  EXPECT_EQ(parse_duration("1.5m").status().message(), "not a valid duration string: \"1.5m\"");
  EXPECT_EQ(parse_duration("1hs").status().message(), "not a valid duration string: \"1hs\"");
  EXPECT_EQ(parse_duration("1m1h").status().message(), "not a valid duration string: \"1m1h\"");
  EXPECT_EQ(parse_duration("5").status().message(), "not a valid duration string: \"5\"");
  EXPECT_EQ(parse_duration("").status().message(), "empty duration string");
  EXPECT_EQ(parse_duration("12345678901234567m").status().message(), "duration out of range");
  EXPECT_EQ(parse_duration("99999999999999999999999s").status().message(),
            "duration out of range");
}

TEST(DurationTest, FormatsLikeModelDuration) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(5400000), "1h30m");
  EXPECT_EQ(format_duration(1500), "1s500ms");
  EXPECT_EQ(format_duration(90 * 86400000LL), "90d");
  EXPECT_EQ(format_duration(14 * 86400000LL), "2w");
  EXPECT_EQ(format_duration(365 * 86400000LL), "1y");
  EXPECT_EQ(format_duration(86400001), "1d1ms");
}

}  // namespace
}  // namespace strata
