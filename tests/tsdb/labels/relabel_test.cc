// tsdb::relabel: action names resolved once, regexes compiled anchored, and
// the engine (process()) action by action, with Go's template expansion,
// Prometheus' hashmod and Unicode case mapping.
#include "tsdb/labels/relabel.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <cstdio>

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
  EXPECT_FALSE(RE2::PartialMatch("xa", **re));  // ^(?s:a|b)$, not a|b
  auto bad = compile_regex("(");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "error parsing regexp: missing closing ): `^(?s:()$`");
  auto bad2 = compile_regex("(", RegexOptions{.dot_matches_newline = false});
  ASSERT_FALSE(bad2.ok());
  EXPECT_EQ(bad2.status().message(), "error parsing regexp: missing closing ): `^(?:()$`");
  Config d = default_config();
  EXPECT_EQ(d.regex_text, "(.*)");
  EXPECT_TRUE(RE2::FullMatch("anything", *d.regex));
  // Prometheus 3: `.` matches a newline in relabel regexes too.
  EXPECT_TRUE(RE2::FullMatch("a\nb", *d.regex));
}

// A rule with Prometheus' defaults, then the fields a case sets.
struct R {
  Config c = default_config();
  explicit R(Action a) { c.action = a; }
  R& src(std::vector<std::string> s) { c.source_labels = std::move(s); return *this; }
  R& sep(std::string s) { c.separator = std::move(s); return *this; }
  R& target(std::string s) { c.target_label = std::move(s); return *this; }
  R& repl(std::string s) { c.replacement = std::move(s); return *this; }
  R& mod(uint64_t m) { c.modulus = m; return *this; }
  R& regex(std::string s, bool v3 = true) {
    c.regex_text = std::move(s);
    auto re = compile_regex(c.regex_text, RegexOptions{.dot_matches_newline = v3});
    EXPECT_TRUE(re.ok()) << re.status();
    c.regex = *re;
    return *this;
  }
  operator Config() const { return c; }
};

Labels L(std::initializer_list<std::string_view> kv) { return Labels::from_strings(kv); }

struct Case {
  const char* name;
  Labels in;
  std::vector<Config> rules;
  std::optional<Labels> want;  // nullopt: dropped
  bool legacy = false;
};

std::string show(const std::optional<Labels>& l) { return l ? l->to_string() : "<dropped>"; }

void run_cases(const std::vector<Case>& cases) {
  LabelsBuilder lb;  // one builder for all cases: reuse must not leak state
  for (const Case& c : cases) {
    Options o;
    o.legacy_label_names = c.legacy;
    std::optional<Labels> got = process(c.in, c.rules, o);
    EXPECT_EQ(show(got), show(c.want)) << c.name;
    lb.reset(c.in);
    bool kept = process(lb, c.rules, o);
    EXPECT_EQ(kept, c.want.has_value()) << c.name;
    if (kept) {
      EXPECT_EQ(lb.labels().to_string(), show(c.want)) << c.name << " (builder)";
    }
  }
}

TEST(RelabelProcessTest, Replace) {
  using A = Action;
  run_cases({
      {"groups into target", L({"a", "foo"}),
       {R(A::kReplace).src({"a"}).regex("f(.*)").target("d").repl("ch${1}-ch${1}")},
       L({"a", "foo", "d", "choo-choo"})},
      {"joined with separator", L({"a", "foo", "b", "bar"}),
       {R(A::kReplace).src({"a", "b"}).regex("(f).*;(.*)").target("d").repl("$1$2")},
       L({"a", "foo", "b", "bar", "d", "fbar"})},
      {"custom separator and absent source", L({"a", "foo"}),
       {R(A::kReplace).src({"a", "zz", "a"}).sep("--").target("d")},
       L({"a", "foo", "d", "foo----foo"})},
      {"no match leaves the set alone", L({"a", "foo"}),
       {R(A::kReplace).src({"a"}).regex("bar").target("a").repl("x")}, L({"a", "foo"})},
      {"empty replacement deletes", L({"a", "foo", "b", "x"}),
       {R(A::kReplace).src({"a"}).regex("foo").target("b").repl("")}, L({"a", "foo"})},
      {"literal replacement, default regex", L({"a", "foo"}),
       {R(A::kReplace).target("b").repl("static")}, L({"a", "foo", "b", "static"})},
      {"$1x names group 1x: empty, so the target goes", L({"a", "fo", "t", "old"}),
       {R(A::kReplace).src({"a"}).regex("(f)(o)").target("t").repl("$1x")}, L({"a", "fo"})},
      {"${1}x", L({"a", "fo"}), {R(A::kReplace).src({"a"}).regex("(f)(o)").target("t").repl("${1}x")},
       L({"a", "fo", "t", "fx"})},
      {"$$ is a dollar", L({"a", "fo"}), {R(A::kReplace).src({"a"}).regex("(f)(o)").target("t").repl("$$1")},
       L({"a", "fo", "t", "$1"})},
      {"malformed references stay text", L({"a", "fo"}),
       {R(A::kReplace).src({"a"}).regex("(f)(o)").target("t").repl("${1 $- $ ${}")},
       L({"a", "fo", "t", "${1 $- $ ${}"})},
      {"named groups", L({"a", "foo"}),
       {R(A::kReplace).src({"a"}).regex("(?P<first>f)(?P<rest>.*)").target("t").repl("${rest}_$first")},
       L({"a", "foo", "t", "oo_f"})},
      {"leading zero is a name", L({"a", "fo"}),
       {R(A::kReplace).src({"a"}).regex("(f)(o)").target("t").repl("<$01><${01}><$2>")},
       L({"a", "fo", "t", "<><><o>"})},
      {"unknown and out-of-range groups are empty", L({"a", "fo"}),
       {R(A::kReplace).src({"a"}).regex("(f)(o)").target("t").repl("<$9><$nope><${100000000}>")},
       L({"a", "fo", "t", "<><><>"})},
      {"unmatched optional group is empty", L({"a", "o"}),
       {R(A::kReplace).src({"a"}).regex("(f)?(o)").target("t").repl("[$1|$2]")},
       L({"a", "o", "t", "[|o]"})},
      {"a non-ASCII letter continues the name", L({"a", "f"}),
       {R(A::kReplace).src({"a"}).regex("(f)").target("t").repl("$1é|${1}é")},
       L({"a", "f", "t", "|fé"})},
      {"target from a group", L({"a", "team", "b", "x"}),
       {R(A::kReplace).src({"a", "b"}).regex("(.*);(.*)").target("${1}_label").repl("$2")},
       L({"a", "team", "b", "x", "team_label", "x"})},
      {"target expanding to a UTF-8 name is set (Prometheus 3)", L({"a", "x-y"}),
       {R(A::kReplace).src({"a"}).target("$1").repl("v")}, L({"a", "x-y", "x-y", "v"})},
      {"... and skipped with legacy names (Prometheus 2)", L({"a", "x-y"}),
       {R(A::kReplace).src({"a"}).target("$1").repl("v")}, L({"a", "x-y"}), true},
      {"legacy names: leading digit skipped", L({"a", "1x"}),
       {R(A::kReplace).src({"a"}).target("$1").repl("v")}, L({"a", "1x"}), true},
      {"target expanding to empty is skipped", L({"a", "x"}),
       {R(A::kReplace).src({"a"}).regex("(x)").target("$2").repl("v")}, L({"a", "x"})},
      {"empty source with default regex sets the literal", L({"a", "x"}),
       {R(A::kReplace).src({"nope"}).target("b").repl("set")}, L({"a", "x", "b", "set"})},
      {"empty source and $1 removes the target", L({"a", "x", "b", "y"}),
       {R(A::kReplace).src({"nope"}).target("b")}, L({"a", "x"})},
      {"input labels with empty values are absent", L({"a", "", "b", "y"}),
       {R(A::kReplace).src({"a"}).regex("").target("c").repl("empty")}, L({"b", "y", "c", "empty"})},
  });
}

TEST(RelabelProcessTest, DotMatchesNewlineInV3Only) {
  using A = Action;
  run_cases({
      {"v3 default regex captures newlines", L({"a", "x\ny"}), {R(A::kReplace).src({"a"}).target("b")},
       L({"a", "x\ny", "b", "x\ny"})},
      {"v2 default regex does not match a newline", L({"a", "x\ny"}),
       {R(A::kReplace).src({"a"}).target("b").regex("(.*)", false)}, L({"a", "x\ny"})},
      {"v3 keep x.y", L({"a", "x\ny"}), {R(A::kKeep).src({"a"}).regex("x.y")}, L({"a", "x\ny"})},
      {"v2 keep x.y drops", L({"a", "x\ny"}), {R(A::kKeep).src({"a"}).regex("x.y", false)}, std::nullopt},
  });
}

TEST(RelabelProcessTest, KeepDropAndEqual) {
  using A = Action;
  run_cases({
      {"keep match", L({"a", "foo"}), {R(A::kKeep).src({"a"}).regex("f.*")}, L({"a", "foo"})},
      {"keep no match", L({"a", "bar"}), {R(A::kKeep).src({"a"}).regex("f.*")}, std::nullopt},
      {"keep is anchored", L({"a", "xfoo"}), {R(A::kKeep).src({"a"}).regex("f.*")}, std::nullopt},
      {"keep empty regex keeps absent", L({"b", "x"}), {R(A::kKeep).src({"a"}).regex("")}, L({"b", "x"})},
      {"drop match", L({"a", "foo"}), {R(A::kDrop).src({"a"}).regex("f.*")}, std::nullopt},
      {"drop no match", L({"a", "bar"}), {R(A::kDrop).src({"a"}).regex("f.*")}, L({"a", "bar"})},
      {"drop default regex drops everything", L({"a", "bar"}), {R(A::kDrop).src({"a"})}, std::nullopt},
      {"keepequal equal", L({"a", "1", "b", "1"}), {R(A::kKeepEqual).src({"a"}).target("b")},
       L({"a", "1", "b", "1"})},
      {"keepequal differs", L({"a", "1", "b", "2"}), {R(A::kKeepEqual).src({"a"}).target("b")}, std::nullopt},
      {"keepequal both absent", L({"c", "1"}), {R(A::kKeepEqual).src({"a"}).target("b")}, L({"c", "1"})},
      {"keepequal joined", L({"a", "1", "b", "1;1"}), {R(A::kKeepEqual).src({"a", "a"}).target("b")},
       L({"a", "1", "b", "1;1"})},
      {"dropequal equal", L({"a", "1", "b", "1"}), {R(A::kDropEqual).src({"a"}).target("b")}, std::nullopt},
      {"dropequal differs", L({"a", "1", "b", "2"}), {R(A::kDropEqual).src({"a"}).target("b")},
       L({"a", "1", "b", "2"})},
  });
}

TEST(RelabelProcessTest, HashModLabelMapDropKeep) {
  using A = Action;
  run_cases({
      {"hashmod", L({"a", "foo"}), {R(A::kHashMod).src({"a"}).target("h").mod(1000)}, L({"a", "foo", "h", "696"})},
      {"hashmod of the joined value", L({"a", "a", "b", "b"}),
       {R(A::kHashMod).src({"a", "b"}).target("h").mod(uint64_t(1) << 63)},
       L({"a", "a", "b", "b", "h", "2420134994223480074"})},
      {"hashmod of empty", L({"x", "1"}), {R(A::kHashMod).src({"a"}).target("h").mod(7)}, L({"x", "1", "h", "1"})},
      {"labelmap", L({"__meta_x_a", "1", "__meta_x_b", "2", "c", "3"}),
       {R(A::kLabelMap).regex("__meta_x_(.*)")},
       L({"__meta_x_a", "1", "__meta_x_b", "2", "c", "3", "a", "1", "b", "2"})},
      {"labelmap with a template", L({"a_1", "x", "b_2", "y"}),
       {R(A::kLabelMap).regex("(.)_(.)").repl("${2}_is_$1")},
       L({"a_1", "x", "b_2", "y", "1_is_a", "x", "2_is_b", "y"})},
      {"labelmap reads the set before the rule", L({"a", "1"}), {R(A::kLabelMap).regex("(.*)").repl("p_$1")},
       L({"a", "1", "p_a", "1"})},
      {"labelmap collision: later name wins", L({"a_1", "x", "a_2", "y"}), {R(A::kLabelMap).regex("a_.").repl("a")},
       L({"a_1", "x", "a_2", "y", "a", "y"})},
      {"labelmap overwrites", L({"a", "old", "n_a", "new"}), {R(A::kLabelMap).regex("n_(.*)")},
       L({"a", "new", "n_a", "new"})},
      {"labeldrop", L({"__meta_a", "1", "b", "2", "c", "3"}), {R(A::kLabelDrop).regex("__meta.*|b")},
       L({"c", "3"})},
      {"labelkeep", L({"a", "1", "b", "2", "c", "3"}), {R(A::kLabelKeep).regex("a|c")}, L({"a", "1", "c", "3"})},
      {"labelkeep is anchored", L({"ab", "1", "b", "2"}), {R(A::kLabelKeep).regex("b")}, L({"b", "2"})},
  });
}

TEST(RelabelProcessTest, CaseMapping) {
  using A = Action;
  run_cases({
      {"lowercase ASCII", L({"a", "FoO"}), {R(A::kLowercase).src({"a"}).target("l")}, L({"a", "FoO", "l", "foo"})},
      {"uppercase ASCII", L({"a", "FoO"}), {R(A::kUppercase).src({"a"}).target("u")}, L({"a", "FoO", "u", "FOO"})},
      {"lowercase Unicode", L({"a", "ÄbÇ ΣΑΣ"}), {R(A::kLowercase).src({"a"}).target("l")},
       L({"a", "ÄbÇ ΣΑΣ", "l", "äbç σασ"})},
      {"uppercase Unicode, ß has no simple upper case", L({"a", "straße ǆ"}),
       {R(A::kUppercase).src({"a"}).target("u")}, L({"a", "straße ǆ", "u", "STRAßE Ǆ"})},
      {"lowercase of nothing removes the target", L({"a", "x", "l", "old"}),
       {R(A::kLowercase).src({"b"}).target("l")}, L({"a", "x"})},
      {"joined with separator", L({"a", "X", "b", "Y"}), {R(A::kLowercase).src({"a", "b"}).sep("-").target("l")},
       L({"a", "X", "b", "Y", "l", "x-y"})},
  });
  std::string out;
  to_lower(std::string_view("A\xffZ"), &out);  // invalid UTF-8 becomes U+FFFD, as strings.Map
  EXPECT_EQ(out, "a\xEF\xBF\xBDz");
}

TEST(RelabelProcessTest, RulesRunInSequence) {
  using A = Action;
  run_cases({
      {"replace, keep on the new label, labeldrop",
       L({"__meta_env", "prod", "__address__", "h:1"}),
       {R(A::kReplace).src({"__meta_env"}).target("env"), R(A::kKeep).src({"env"}).regex("prod|stage"),
        R(A::kLabelDrop).regex("__meta_.*")},
       L({"__address__", "h:1", "env", "prod"})},
      {"drop stops the list", L({"a", "1"}),
       {R(A::kDrop).src({"a"}).regex("1"), R(A::kReplace).target("b").repl("never")}, std::nullopt},
      {"later rules see earlier results", L({"a", "Foo"}),
       {R(A::kLowercase).src({"a"}).target("a"), R(A::kReplace).src({"a"}).regex("f(.*)").target("b"),
        R(A::kHashMod).src({"b"}).target("h").mod(10), R(A::kKeepEqual).src({"b"}).target("c")},
       std::nullopt},
      {"no rules", L({"a", "1"}), {}, L({"a", "1"})},
  });
}

TEST(RelabelBuilderTest, SetGetDelete) {
  LabelsBuilder lb(L({"b", "2", "a", "1", "e", ""}));
  EXPECT_EQ(lb.labels().to_string(), R"({a="1", b="2"})");
  lb.set("c", "3");
  lb.set("a", "");
  lb.set("b", lb.get("c"));  // a view into the builder itself
  lb.set("d", lb.get("b"));
  EXPECT_EQ(lb.get("a"), "");
  EXPECT_FALSE(lb.has("a"));
  lb.del("zz");
  EXPECT_EQ(lb.labels().to_string(), R"({b="3", c="3", d="3"})");
  Labels out = lb.release();
  EXPECT_EQ(out.size(), 3u);
  EXPECT_TRUE(lb.empty());
}

TEST(RelabelBuildingBlocksTest, Md5MatchesRfcVectors) {
  auto hex = [](std::string_view s) {
    std::string out;
    char buf[3];
    for (uint8_t b : md5(s)) {
      std::snprintf(buf, sizeof buf, "%02x", b);
      out += buf;
    }
    return out;
  };
  EXPECT_EQ(hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
  EXPECT_EQ(hash_mod("127.0.0.1:9090", 10), 8u);
  EXPECT_EQ(hash_mod("foo", 0), 0u);
}

TEST(RelabelBuildingBlocksTest, LegacyNames) {
  EXPECT_TRUE(is_legacy_label_name("_a1"));
  EXPECT_TRUE(is_legacy_label_name("A"));
  EXPECT_FALSE(is_legacy_label_name(""));
  EXPECT_FALSE(is_legacy_label_name("1a"));
  EXPECT_FALSE(is_legacy_label_name("a-b"));
  EXPECT_FALSE(is_legacy_label_name("é"));
}

}  // namespace
}  // namespace strata::tsdb::relabel
