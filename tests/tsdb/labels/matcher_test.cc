#include "tsdb/labels/matcher.h"

#include <gtest/gtest.h>

namespace strata::tsdb {
namespace {

Matcher m(MatchType t, const std::string& v, RegexOptions o = {}) {
  auto r = Matcher::make(t, "x", v, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return *r;
}

TEST(MatcherTest, RegexIsFullyAnchored) {
  EXPECT_TRUE(m(MatchType::kRegexMatch, "foo").matches("foo"));
  EXPECT_FALSE(m(MatchType::kRegexMatch, "foo").matches("foobar"));
  EXPECT_TRUE(m(MatchType::kRegexMatch, "fo+").matches("foo"));
  EXPECT_FALSE(m(MatchType::kRegexMatch, "fo+").matches("xfoo"));
  EXPECT_TRUE(m(MatchType::kRegexMatch, "a|b").matches("b"));
  EXPECT_FALSE(m(MatchType::kRegexMatch, "a|b").matches("ab"));
  EXPECT_TRUE(m(MatchType::kRegexNoMatch, "a|b").matches("ab"));
  EXPECT_TRUE(m(MatchType::kRegexMatch, "api.*").matches("api-gw"));
  EXPECT_TRUE(m(MatchType::kRegexMatch, ".*gw").matches("api-gw"));
  EXPECT_TRUE(m(MatchType::kRegexMatch, "(?i)API").matches("api"));
}

TEST(MatcherTest, DotMatchesNewlineOnlyInV3) {
  EXPECT_TRUE(m(MatchType::kRegexMatch, "a.b").matches("a\nb"));
  EXPECT_FALSE(m(MatchType::kRegexMatch, "a.b", {false}).matches("a\nb"));
  EXPECT_TRUE(m(MatchType::kRegexMatch, ".*").matches("a\nb"));
  EXPECT_FALSE(m(MatchType::kRegexMatch, ".*", {false}).matches("a\nb"));
  EXPECT_TRUE(m(MatchType::kRegexMatch, "a.*").matches("a\nb"));
  EXPECT_FALSE(m(MatchType::kRegexMatch, "a.*", {false}).matches("a\nb"));
}

TEST(MatcherTest, EmptyMatching) {
  EXPECT_TRUE(m(MatchType::kRegexMatch, ".*").matches_empty());
  EXPECT_FALSE(m(MatchType::kRegexMatch, ".+").matches_empty());
  EXPECT_TRUE(m(MatchType::kEqual, "").matches_empty());
  EXPECT_TRUE(m(MatchType::kNotEqual, "a").matches_empty());
  EXPECT_TRUE(m(MatchType::kRegexMatch, "a|").matches_empty());
}

TEST(MatcherTest, LiteralSets) {
  auto x = m(MatchType::kRegexMatch, "b|a|c");
  EXPECT_EQ(x.literal_set(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(m(MatchType::kRegexMatch, "a+").literal_set().empty());
}

TEST(MatcherTest, InvalidRegexUsesGoWording) {
  auto r = Matcher::make(MatchType::kRegexMatch, "x", "(foo");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(std::string(r.status().message()), "error parsing regexp: missing closing ): `^(?s:(foo)$`");
  r = Matcher::make(MatchType::kRegexMatch, "x", "*a");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(std::string(r.status().message()), "error parsing regexp: missing argument to repetition operator: `*`");
}

TEST(MatcherTest, ToStringQuotes) {
  EXPECT_EQ(m(MatchType::kRegexNoMatch, "a\"b").to_string(), "x!~\"a\\\"b\"");
}

}  // namespace
}  // namespace strata::tsdb
