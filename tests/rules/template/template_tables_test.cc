// Table tests of alert template expansion: one row per feature, each
// expected value checked against promtool 2.42 when the table was written
// (data: .Labels {a="x y"}, .Value 1234.5, alert "X"), plus parse errors.
#include <string>

#include "gtest/gtest.h"
#include "rules/template/alert_template.h"

namespace strata::rules {
namespace {

struct Row {
  const char* name;
  const char* text;
  const char* want;
};

AlertTemplateData table_data() {
  AlertTemplateData d;
  d.value = 1234.5;
  d.labels = tsdb::Labels::from_strings({"a", "x y"});
  return d;
}

// "vector(N)" answers one sample of value N without labels; else nothing.
TemplateQueryFn fake_query() {
  return [](std::string_view q, int64_t) -> absl::StatusOr<std::vector<TemplateSample>> {
    std::vector<TemplateSample> out;
    if (q.starts_with("vector(") && q.ends_with(")")) {
      out.push_back({tsdb::Labels(), std::stod(std::string(q.substr(7, q.size() - 8)))});
    }
    return out;
  };
}

const Row
    kExpansions
        [] =
            {
                {"Value", R"({{ $value }}|{{ .Value }})", R"(1234.5|1234.5)"},
                {"LabelsMap",
                 R"({{ $labels }}|{{ .Labels.a }}|{{ $labels.a }}|{{ $labels.none }}|)",
                 R"(map[a:x y]|x y|x y||)"},
                {"Root", R"({{ . }})", R"({map[a:x y] map[]  1234.5})"},
                {"Constants",
                 R"({{ 1 }} {{ -2 }} {{ 1.5 }} {{ 1e3 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 'a' }} {{ true }} {{ "s" }} {{ `r\n` }})",
                 R"(1 -2 1.5 1000 31 15 5 97 true s r\n)"},
                {"TrimMarkers", R"(a  {{- 1 -}}  b|a {{- /* c */ -}} b|a{{/* c */}}b)",
                 R"(a1b|ab|ab)"},
                {"IfElseIf",
                 R"({{ if gt $value 2000.0 }}big{{ else if gt $value 1000.0 }}mid{{ else }}small{{ end }})",
                 R"(mid)"},
                {"RangeMap", R"({{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }})",
                 R"(a=x y;)"},
                {"RangeElse", R"({{ range $externalLabels }}x{{ else }}none{{ end }})", R"(none)"},
                {"RangeBreakContinue",
                 R"({{ range $i, $e := args 1 2 3 4 }}{{ if eq $e 2 }}{{ continue }}{{ end }}{{ if eq $e 4 }}{{ break }}{{ end }}{{ $i }}:{{ $e }} {{ end }})",
                 R"(arg0:1 arg2:3 )"},
                {"With",
                 R"({{ with $labels.a }}<{{ . }}>{{ end }}{{ with $labels.none }}x{{ else }}empty{{ end }})",
                 R"(<x y>empty)"},
                {"Assign", R"({{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }})", R"(2)"},
                {"Pipeline", R"({{ $labels.a | toUpper | printf "%s!" }})", R"(X Y!)"},
                {"AndOr", R"({{ and 1 0 2 }}|{{ or 0 "" 3 }}|{{ or 0 "" nil }}|{{ not 0 }})",
                 R"(0|3|<no value>|true)"},
                {"Comparisons",
                 R"({{ eq 1 1 }} {{ eq "a" "b" "a" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }})",
                 R"(true true true true true true false)"},
                {"LenIndexSlice",
                 R"({{ len $labels }} {{ len "abc" }} {{ index $labels "a" }} {{ index "abc" 1 }} {{ slice "abcdef" 1 3 }})",
                 R"(1 3 x y 98 bc)"},
                {"PrintFamily", R"({{ print 1 2 "a" "b" 3 }}|{{ println 1 "a" }}|{{ print nil }})",
                 R"(1 2ab3|1 a
|<nil>)"},
                {"Escapers",
                 R"({{ html "<a href='x'>&" }} {{ js "a<b>'\"=" }} {{ urlquery "a b&c=d/é" }})",
                 R"(&lt;a href=&#39;x&#39;&gt;&amp; a\u003Cb\u003E\'\"\u003D a+b%26c%3Dd%2F%C3%A9)"},
                {"Args", R"({{ args 1 2.5 "s" true }}|{{ (args 1).arg1 }})",
                 R"(map[arg0:1 arg1:2.5 arg2:s arg3:true]|<no value>)"},
                {"PrintfInts",
                 R"({{ printf "%d|%5d|%-5d|%05d|%+d|% d|%x|%X|%o|%b|%c|%q|%U|%#x" 42 42 42 42 42 42 255 255 8 5 65 65 65 255 }})",
                 R"(42|   42|42   |00042|+42| 42|ff|FF|10|101|A|'A'|U+0041|0xff)"},
                {"PrintfFloats",
                 R"({{ printf "%f|%.2f|%8.3f|%-8.2f|%08.3f|%+.1f|%e|%E|%g|%G|%.3g|%v|%#x" 3.14159 3.14159 3.14159 3.14159 -3.14159 2.5 1234.5678 1234.5678 1e21 1e-7 1234.5678 0.000012 1.5 }})",
                 R"(3.141590|3.14|   3.142|3.14    |-003.142|+2.5|1.234568e+03|1.234568E+03|1e+21|1E-07|1.23e+03|1.2e-05|0x1.8000p+00)"},
                {"PrintfSpecials",
                 R"({{ printf "%f|%v|%.2f|%5.1f|%+f|%e" $value (humanize "NaN") (parseDuration "1m") 0.05 1.0 0.0 }})",
                 R"(1234.500000|NaN|60.00|  0.1|+1.000000|0.000000e+00)"},
                {"PrintfStrings",
                 R"({{ printf "%s|%q|%v|%x|%X|%10s|%-10s|%.2s|%5.1s|" "héllo" "a\"b" "v" "hi" "hi" "r" "l" "abc" "xyz" }})",
                 R"(héllo|"a\"b"|v|6869|6869|         r|l         |ab|    x|)"},
                {"PrintfBadVerbs", R"({{ printf "%d|%s|%f|%t|%5d" "a" 1 "x" 1 "b" }})",
                 R"(%!d(string=a)|%!s(int=1)|%!f(string=x)|%!t(int=1)|%!d(string=    b))"},
                {"PrintfArgCount",
                 R"({{ printf "%d %d" 1 }}|{{ printf "%d" 1 2 "x" }}|{{ printf "%!" }}|{{ printf "%" }})",
                 R"(1 %!d(MISSING)|1%!(EXTRA int=2, string=x)|%!!(MISSING)|%!(NOVERB))"},
                {"PrintfIndexes",
                 R"({{ printf "%[2]d %[1]d" 1 2 }}|{{ printf "%[3]d" 1 }}|{{ printf "%*d|%-*d|" 5 1 5 2 }})",
                 R"(2 1|%!d(BADINDEX)|    1|2    |)"},
                {"PrintfMaps",
                 R"({{ printf "%v|%s|%d|%#v|%T" $labels $labels $labels $labels $labels }})",
                 R"(map[a:x y]|map[a:x y]|map[%!d(string=a):%!d(string=x y)]|map[string]string{"a":"x y"}|map[string]string)"},
                {"PrintfTypes",
                 R"({{ printf "%T %T %T %T %T %T" 1 1.5 "s" true nil (safeHtml "x") }})",
                 R"(int float64 string bool <nil> template.HTML)"},
                {"Humanize",
                 R"({{ humanize 0 }} {{ humanize 999.99 }} {{ humanize 1000 }} {{ humanize 1234567 }} {{ humanize 1e26 }} {{ humanize 0.00012 }} {{ humanize 1e-26 }} {{ humanize -0.0005 }} {{ humanize "NaN" }} {{ humanize "-Inf" }})",
                 R"(0 1000 1k 1.235M 100Y 120u 0.01y -500u NaN -Inf)"},
                {"Humanize1024",
                 R"({{ humanize1024 1023 }} {{ humanize1024 1024 }} {{ humanize1024 1e30 }} {{ humanize1024 0.5 }} {{ humanize1024 -2048 }} {{ humanize1024 "+Inf" }})",
                 R"(1023 1ki 8.272e+05Yi 0.5 -2ki +Inf)"},
                {"HumanizeDuration",
                 R"({{ humanizeDuration 0 }} {{ humanizeDuration 0.5 }} {{ humanizeDuration 59.99 }} {{ humanizeDuration 60 }} {{ humanizeDuration 3725 }} {{ humanizeDuration 90061 }} {{ humanizeDuration -90061.5 }} {{ humanizeDuration 1e-12 }} {{ humanizeDuration "NaN" }})",
                 R"(0s 500ms 59.99s 1m 0s 1h 2m 5s 1d 1h 1m 1s -1d 1h 1m 1s 1ps NaN)"},
                {"HumanizePercentage",
                 R"({{ humanizePercentage 0.5 }} {{ humanizePercentage 1.23456 }} {{ humanizePercentage "0.0001" }})",
                 R"(50% 123.5% 0.01%)"},
                {"HumanizeTimestamp",
                 R"({{ humanizeTimestamp 0 }}|{{ humanizeTimestamp 1435065584.128 }}|{{ humanizeTimestamp -1.5 }}|{{ humanizeTimestamp "NaN" }}|{{ toTime 1.5 }})",
                 R"(1970-01-01 00:00:00 +0000 UTC|2015-06-23 13:19:44.128 +0000 UTC|1969-12-31 23:59:58.5 +0000 UTC|NaN|1970-01-01 00:00:01.5 +0000 UTC)"},
                {"Strings",
                 R"({{ title "hello wORLD foo_bar a-b" }}|{{ toUpper "abc é" }}|{{ toLower "ABC É" }})",
                 R"(Hello WORLD Foo_bar A-B|ABC É|abc é)"},
                {"Regexp",
                 "{{ reReplaceAll \"(a)(n)?\" \"[$1$2]\" \"banana\" }} {{ reReplaceAll \"x*\" "
                 "\"-\" \"abc\" }} {{ reReplaceAll \"(?P<w>b)\" \"${w}${w}$$\" \"abc\" }} {{ match "
                 "\"^b.n\" \"banana\" }}",
                 R"(b[an][an][a] -a-b-c- abb$c true)"},
                {"HostPort",
                 R"({{ stripPort "host:80" }} {{ stripPort "host" }} {{ stripPort "[::1]:80" }} {{ stripDomain "a.b.c:80" }} {{ stripDomain "a.b.c" }} {{ stripDomain "10.0.0.1:80" }})",
                 R"(host host ::1 a:80 a 10.0.0.1:80)"},
                {"Links", R"({{ graphLink "up{a=\"b\"}" }} {{ tableLink "rate(x[5m]) > 0" }})",
                 R"(/graph?g0.expr=up%7Ba%3D%22b%22%7D&g0.tab=0 /graph?g0.expr=rate%28x%5B5m%5D%29+%3E+0&g0.tab=1)"},
                {"ParseDuration",
                 R"({{ parseDuration "1h30m" }} {{ parseDuration "1ms" }} {{ parseDuration "90d" }})",
                 R"(5400 0.001 7.776e+06)"},
                {"SafeHtml", R"({{ safeHtml "<b>" }})", R"(<b>)"},
                {"Define",
                 R"({{ define "x" }}[{{ . }}]{{ end }}{{ template "x" $value }}{{ template "x" }}|{{ block "b" $labels }}{{ .a }}{{ end }})",
                 R"([1234.5][<no value>]|x y)"},
                {"ErrHumanize", R"({{ humanize "x" }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <humanize "x">: error calling humanize: strconv.ParseFloat: parsing "x": invalid syntax>)"},
                {"ErrHumanizeRange", R"({{ humanize "1e999" }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <humanize "1e999">: error calling humanize: strconv.ParseFloat: parsing "1e999": value out of range>)"},
                {"ErrHumanizeType", R"({{ humanize true }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <humanize true>: error calling humanize: can't convert bool to float>)"},
                {"ErrField", R"({{ .Foo }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <.Foo>: can't evaluate field Foo in type struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }>)"},
                {"ErrFieldOfString", R"({{ $labels.a.b }})", R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:122: executing "__alert_X" at <$labels.a.b>: can't evaluate field b in type string>)"},
                {"ErrWrongType", R"({{ toUpper $value }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:123: executing "__alert_X" at <$value>: wrong type for value; expected string; got float64>)"},
                {"ErrExpectedString", R"({{ toUpper 1 }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:123: executing "__alert_X" at <1>: expected string; found 1>)"},
                {"ErrArgCount", R"({{ humanize 1 2 }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <humanize>: wrong number of args for humanize: want 1 got 2>)"},
                {"ErrIncompatible", R"({{ eq 1 1.0 }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <eq 1 1.0>: error calling eq: incompatible types for comparison>)"},
                {"ErrNonComparable", R"({{ eq $labels $labels }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <eq $labels $labels>: error calling eq: non-comparable type map[a:x y]: map[string]string>)"},
                {"ErrIndexRange", R"({{ index "abc" 3 }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <index "abc" 3>: error calling index: reflect: string index out of range>)"},
                {"ErrRange", R"({{ range $value }}x{{ end }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:121: executing "__alert_X" at <$value>: range can't iterate over 1234.5>)"},
                {"ErrNonFunction", R"({{ $labels 1 }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <$labels>: can't give argument to non-function $labels>)"},
                {"ErrNilCommand", R"({{ nil }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <nil>: nil is not a command>)"},
                {"ErrFirst", R"({{ first (query "nomatch") }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <first (query "nomatch")>: error calling first: first() called on vector with no elements>)"},
                {"ErrRegexp", R"({{ reReplaceAll "(" "" "x" }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <reReplaceAll "(" "" "x">: error calling reReplaceAll: regexp: Compile(`(`): error parsing regexp: missing closing ): `(`>)"},
                {"ErrMatch", R"({{ match "a[" "x" }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <match "a[" "x">: error calling match: error parsing regexp: missing closing ]: `[`>)"},
                {"ErrSecondLine", R"(line1
line2 {{ humanize "x" }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:2:9: executing "__alert_X" at <humanize "x">: error calling humanize: strconv.ParseFloat: parsing "x": invalid syntax>)"},
                {"ErrTemplateUndefined", R"({{ template "nope" }})", R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:124: executing "__alert_X" at <{{template "nope"}}>: template "nope" not defined>)"},
                {"ErrToTime", R"({{ toTime "NaN" }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <toTime "NaN">: error calling toTime: value is NaN or Inf>)"},
                {"ErrTimestampOverflow", R"({{ humanizeTimestamp 1e20 }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <humanizeTimestamp 1e20>: error calling humanizeTimestamp: 1e+20 cannot be represented as a nanoseconds timestamp since it overflows int64>)"},
                {"ErrParseDuration", R"({{ parseDuration "1.5m" }})",
                 R"(<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at <parseDuration "1.5m">: error calling parseDuration: not a valid duration string: "1.5m">)"},
};

TEST(AlertTemplateTableTest, ExpandsLikePrometheus) {
  const AlertTemplateData data = table_data();
  const TemplateQueryFn query = fake_query();
  for (const Row& row : kExpansions) {
    SCOPED_TRACE(row.name);
    absl::StatusOr<AlertTemplate> t = AlertTemplate::parse("X", row.text);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->expand(data, 0, &query), row.want);
  }
}

const Row kParseErrors[] = {
    {"FunctionNotDefined", R"({{ foo }})", R"(template: __alert_X:1: function "foo" not defined)"},
    {"MissingValueForIf", R"({{ if }})", R"(template: __alert_X:1: missing value for if)"},
    {"UnexpectedEnd", R"({{ end }})", R"(template: __alert_X:1: unexpected {{end}})"},
    {"UnexpectedElse", R"({{ else }})", R"(template: __alert_X:1: unexpected {{else}})"},
    {"UnexpectedEOF", R"({{ if 1 }})", R"(template: __alert_X:1: unexpected EOF)"},
    {"TooManyDecls", R"({{ range $i, $e, $f := . }}{{ end }})",
     R"(template: __alert_X:1: too many declarations in range)"},
    {"UndefinedVariable", R"({{ $undefined }})",
     R"(template: __alert_X:1: undefined variable "$undefined")"},
    {"NonExecutable", R"({{ 1 | 2 }})",
     R"(template: __alert_X:1: non executable command in pipeline stage 2)"},
    {"UnterminatedString", R"({{ "abc }})", R"(template: __alert_X:1: unterminated quoted string)"},
    {"UnterminatedRaw", R"({{ `abc }})",
     R"(template: __alert_X:1: unterminated raw quoted string)"},
    {"UnclosedParen", R"({{ (1 }})", R"(template: __alert_X:1: unclosed left paren)"},
    {"UnexpectedRightParen", R"({{ 1) }})", "template: __alert_X:1: unexpected \")\" in command"},
    {"BadNumber", R"({{ 0x }})", R"(template: __alert_X:1: illegal number syntax: "0x")"},
    {"BreakOutsideRange", R"({{ break }})",
     R"(template: __alert_X:1: {{break}} outside {{range}})"},
    {"UnrecognizedChar", R"({{ # }})", R"(template: __alert_X:1: unexpected "#" in command)"},
    {"MissingValueForCommand", R"({{ $x := }})",
     R"(template: __alert_X:1: missing value for command)"},
    {"UnclosedComment", R"({{ /* abc }})", R"(template: __alert_X:1: unexpected "/" in command)"},
    {"CommentBeforeDelim", R"({{/* x */ 1 }})",
     R"(template: __alert_X:1: comment ends before closing delimiter)"},
    {"UnclosedAction", R"({{)", R"(template: __alert_X:1: unclosed action)"},
    {"UnclosedActionMultiLine", R"(a
{{ if 1 }}
b)",
     R"(template: __alert_X:3: unexpected EOF)"},
    {"BadEscape", R"({{ print "\q" }})", R"(template: __alert_X:1: invalid syntax)"},
    {"DotAfterTerm", R"({{ 1.a }})", R"(template: __alert_X:1: bad number syntax: "1.a")"},
    {"CharConstant", R"({{ 'ab' }})",
     R"(template: __alert_X:1: malformed character constant: 'ab')"},
    {"ElseAfterElse", R"({{ if 1 }}{{ else }}{{ else }}{{ end }})",
     R"(template: __alert_X:1: expected end; found {{else}})"},
    {"EmptyAction", R"({{ }})", R"(template: __alert_X:1: missing value for command)"},
    {"NilDot", R"({{ nil.x }})", R"(template: __alert_X:1: unexpected . after term "nil")"},
    {"BadCharInField", R"({{ .a.b. }})", R"(template: __alert_X:1: unexpected <.> in operand)"},
};

TEST(AlertTemplateTableTest, ParseErrorsLikePrometheus) {
  for (const Row& row : kParseErrors) {
    SCOPED_TRACE(row.name);
    absl::Status s = check_alert_template("X", row.text);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(s.message()), row.want);
  }
}

}  // namespace
}  // namespace strata::rules
