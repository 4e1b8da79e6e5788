// The Go YAML scalar resolver shared by the config (yaml.v2) and rule file
// (yaml.v3) parsers. The end-to-end tables, with what Prometheus 2.42 loaded
// or printed for each value, are in tests/server/config_test.cc and
// tests/rules/rules_test.cc; these pin the parts in between.
#include "base/go_yaml.h"

#include <gtest/gtest.h>

#include <limits>

namespace strata {
namespace {

YamlScalar plain(std::string_view s, GoYaml d = GoYaml::kV2) { return resolve_yaml_scalar(s, "?", d); }

TEST(GoYamlTest, TagsOfPlainScalars) {
  const std::pair<const char*, const char*> cases[] = {
      {"~", "!!null"},          {"null", "!!null"},       {"true", "!!bool"},
      {"off", "!!bool"},        {"5", "!!int"},           {"-0x10", "!!int"},
      {"18446744073709551615", "!!int"}, {"1e3", "!!float"}, {".5", "!!float"},
      {"-.inf", "!!float"},     {".nan", "!!float"},      {"1e400", "!!str"},
      {".e3", "!!str"},         {"_1", "!!str"},          {"0b2", "!!str"},
      {"2001-12-14", "!!timestamp"}, {"2001-2-29", "!!str"}, {"2000-2-29", "!!timestamp"},
      {"2001-12-14T01:02:03Z", "!!timestamp"}, {"2001-12-14t1:2:3.5+01:00", "!!timestamp"},
      {"2001-12-14 01:02:03", "!!timestamp"}, {"2001-12-14 01:02:03Z", "!!str"},
      {"2001-12-14T01:02:03", "!!str"}, {"2001-12-14 1:2:3,5", "!!timestamp"},
      {"2001-12-14T25:00:00Z", "!!str"}, {"20011-12-14", "!!str"}, {"-", "!!str"},
  };
  for (const auto& [text, tag] : cases) EXPECT_EQ(plain(text).tag, tag) << text;
}

TEST(GoYamlTest, BooleansDifferBetweenV2AndV3) {
  for (const char* s : {"yes", "Y", "on", "ON"}) {
    EXPECT_EQ(plain(s, GoYaml::kV2).kind, YamlScalar::kBool) << s;
    EXPECT_TRUE(plain(s, GoYaml::kV2).b) << s;
    EXPECT_EQ(plain(s, GoYaml::kV3).tag, "!!str") << s;
  }
  for (const char* s : {"no", "n", "Off"}) EXPECT_FALSE(plain(s, GoYaml::kV2).b) << s;
  EXPECT_TRUE(plain("TRUE", GoYaml::kV3).b);
}

TEST(GoYamlTest, QuotedAndExplicitlyTaggedScalars) {
  EXPECT_EQ(resolve_yaml_scalar("5", "!", GoYaml::kV2).tag, "!!str");
  EXPECT_EQ(resolve_yaml_scalar("5", "tag:yaml.org,2002:str", GoYaml::kV2).tag, "!!str");
  EXPECT_EQ(yaml_decode_int(resolve_yaml_scalar("5", "tag:yaml.org,2002:int", GoYaml::kV2)), 5);
  EXPECT_EQ(yaml_decode_int(resolve_yaml_scalar("5", "tag:yaml.org,2002:float", GoYaml::kV2)), 5);
  EXPECT_EQ(resolve_yaml_scalar("AQ==", "tag:yaml.org,2002:binary", GoYaml::kV2).tag, "!!binary");
  EXPECT_EQ(resolve_yaml_scalar("5", "tag:yaml.org,2002:float", GoYaml::kV2).tag, "!!float");
  EXPECT_EQ(resolve_yaml_scalar("1.5", "tag:yaml.org,2002:int", GoYaml::kV2).decode_error,
            "cannot decode !!float `1.5` as a !!int");
  EXPECT_EQ(resolve_yaml_scalar("1", "tag:yaml.org,2002:bool", GoYaml::kV3).decode_error,
            "cannot decode !!int `1` as a !!bool");
  EXPECT_EQ(resolve_yaml_scalar("5", "!foo", GoYaml::kV2).tag, "!foo");
  EXPECT_FALSE(yaml_decode_uint(resolve_yaml_scalar("5", "!foo", GoYaml::kV2)));
}

TEST(GoYamlTest, FloatsConvertAsGoOnAmd64) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(yaml_decode_int(plain("-1.9")), -1);
  EXPECT_EQ(yaml_decode_int(plain("-1e19")), kMin);
  EXPECT_EQ(yaml_decode_int(plain("9.2233720368547758e18")), kMin);  // == 2^63 passes the <= check
  EXPECT_FALSE(yaml_decode_int(plain("9.3e18")));
  EXPECT_FALSE(yaml_decode_int(plain(".nan")));
  EXPECT_FALSE(yaml_decode_int(plain("18446744073709551615")));  // a uint64, not an int
  EXPECT_EQ(yaml_decode_uint(plain("18446744073709551615")), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(yaml_decode_uint(plain("-1.5")), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(yaml_decode_uint(plain("1e19")), 10000000000000000000u);
  EXPECT_EQ(yaml_decode_uint(plain("18446744073709551616")), uint64_t(1) << 63);
  EXPECT_EQ(yaml_decode_uint(plain("-.inf")), uint64_t(1) << 63);
  EXPECT_FALSE(yaml_decode_uint(plain(".inf")));
  EXPECT_FALSE(yaml_decode_uint(plain("-1")));
}

TEST(GoYamlTest, TypeErrorsCutLongValues) {
  EXPECT_EQ(yaml_type_error("!!int", "-1", "uint"), "cannot unmarshal !!int `-1` into uint");
  EXPECT_EQ(yaml_type_error("!!int", "9223372036854775808", "int"),
            "cannot unmarshal !!int `9223372...` into int");
  EXPECT_EQ(yaml_type_error("!!str", "0123456789", "int"), "cannot unmarshal !!str `0123456789` into int");
  EXPECT_EQ(yaml_type_error("!!seq", "", "int"), "cannot unmarshal !!seq into int");
}

}  // namespace
}  // namespace strata
