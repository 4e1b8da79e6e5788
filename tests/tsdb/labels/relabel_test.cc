// tsdb::relabel: action names resolved once, regexes compiled anchored.
#include "tsdb/labels/relabel.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

namespace strata::tsdb::relabel {
namespace {

TEST(RelabelTest, ActionsRoundTripAndParseCaseInsensitively) {
  for (Action a : {Action::kReplace, Action::kKeep, Action::kDrop, Action::kKeepEqual, Action::kDropEqual,
                   Action::kHashMod, Action::kLabelMap, Action::kLabelDrop, Action::kLabelKeep,
                   Action::kLowercase, Action::kUppercase}) {
    EXPECT_EQ(parse_action(action_name(a)), a) << action_name(a);
  }
  EXPECT_EQ(parse_action("LabelMap"), Action::kLabelMap);
  EXPECT_EQ(parse_action("frobnicate"), std::nullopt);
  EXPECT_EQ(parse_action(""), std::nullopt);
}

TEST(RelabelTest, RegexIsAnchoredAndErrorsNameTheProblem) {
  auto re = compile_regex("a|b");
  ASSERT_TRUE(re.ok());
  EXPECT_TRUE(RE2::FullMatch("a", **re));
  EXPECT_FALSE(RE2::PartialMatch("xa", **re));  // ^(?:a|b)$, not a|b
  auto bad = compile_regex("(");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().substr(0, 22), "error parsing regexp: ");
  Config d = default_config();
  EXPECT_EQ(d.regex_text, "(.*)");
  EXPECT_TRUE(RE2::FullMatch("anything", *d.regex));
}

}  // namespace
}  // namespace strata::tsdb::relabel
