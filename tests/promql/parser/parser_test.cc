// The AST the parser builds: structure, operator precedence, modifiers,
// positions, and the Prometheus 3 dialect.
#include "promql/parser/parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/sanitizers.h"
#include "promql/parser/functions.h"
#include "promql/parser/printer.h"

namespace strata::promql::parser {
namespace {

const ParseOptions kV2{Compat::kV2, false};
const ParseOptions kV3{Compat::kV3, false};

ExprPtr must_parse(std::string_view q, const ParseOptions& opts = kV3) {
  auto e = parse_expr(q, opts);
  EXPECT_TRUE(e.ok()) << q << ": " << e.status();
  return e.ok() ? std::move(*e) : nullptr;
}

// Fully parenthesised operator structure: "((a + b) * c)", "(-x)".
std::string tree(const Expr& e) {
  switch (e.kind) {
    case Kind::kBinary: {
      const auto& b = e.as<Binary>();
      return std::string("(") + tree(*b.lhs) + " " + std::string(op_string(b.op)) + " " + tree(*b.rhs) + ")";
    }
    case Kind::kUnary: {
      const auto& u = e.as<Unary>();
      return std::string("(") + (u.op == UnaryOp::kMinus ? "-" : "+") + tree(*u.expr) + ")";
    }
    case Kind::kParen: return std::string("[") + tree(*e.as<Paren>().expr) + "]";
    default: return to_string(e);
  }
}

TEST(ParserTest, BinaryPrecedenceAndAssociativity) {
  struct Case {
    const char* query;
    const char* tree;
  } cases[] = {
      {"a + b * c", "(a + (b * c))"},
      {"a * b + c", "((a * b) + c)"},
      {"a - b - c", "((a - b) - c)"},
      {"a / b * c % d", "(((a / b) * c) % d)"},
      {"a ^ b ^ c", "(a ^ (b ^ c))"},
      {"a * b ^ c", "(a * (b ^ c))"},
      {"a atan2 b * c", "((a atan2 b) * c)"},
      {"a + b atan2 c", "(a + (b atan2 c))"},
      {"a > b + c", "(a > (b + c))"},
      {"a == b != c", "((a == b) != c)"},
      {"a and b > c", "(a and (b > c))"},
      {"a or b and c", "(a or (b and c))"},
      {"a and b or c unless d", "((a and b) or (c unless d))"},
      {"a unless b and c", "((a unless b) and c)"},
      {"-a ^ b", "(-(a ^ b))"},
      {"-a * b", "((-a) * b)"},
      {"-a + b", "((-a) + b)"},
      {"2 ^ -1 ^ 3", "(2 ^ (-(1 ^ 3)))"},
      {"2 ^ -1 * 3", "((2 ^ -1) * 3)"},
      {"a + -b * c", "(a + ((-b) * c))"},
      {"- -a", "(-(-a))"},
      {"(a + b) * c", "([(a + b)] * c)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.query);
    auto e = must_parse(c.query);
    ASSERT_TRUE(e);
    EXPECT_EQ(tree(*e), c.tree);
  }
}

TEST(ParserTest, SignsFoldIntoNumberLiterals) {
  auto e = must_parse("-1");
  ASSERT_EQ(e->kind, Kind::kNumberLiteral);
  EXPECT_EQ(e->as<NumberLiteral>().value, -1);
  EXPECT_EQ(e->pos.start, 0);
  EXPECT_EQ(must_parse("--1")->as<NumberLiteral>().value, 1);
  EXPECT_EQ(must_parse("+5")->as<NumberLiteral>().value, 5);
  EXPECT_EQ(must_parse("-(1)")->kind, Kind::kUnary);
  EXPECT_EQ(must_parse("-2 ^ 2")->kind, Kind::kUnary);
}

TEST(ParserTest, NumberLiterals) {
  struct Case {
    const char* q;
    double v;
  } cases[] = {{"1", 1},       {".5", 0.5},   {"5.", 5},       {"1e3", 1000},
               {"1.5e-3", 0.0015}, {"0x1f", 31}, {"0X1F", 31},  {"017", 15},
               {"08", 8},      {"Inf", INFINITY}, {"-inf", -INFINITY}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.q);
    EXPECT_EQ(must_parse(c.q, kV2)->as<NumberLiteral>().value, c.v);
  }
  EXPECT_TRUE(std::isnan(must_parse("NaN")->as<NumberLiteral>().value));
  // Prometheus 3: durations are numbers of seconds, `_` separates digits.
  auto d = must_parse("1h30m", kV3);
  EXPECT_EQ(d->as<NumberLiteral>().value, 5400);
  EXPECT_TRUE(d->as<NumberLiteral>().is_duration);
  EXPECT_EQ(must_parse("1_000", kV3)->as<NumberLiteral>().value, 1000);
}

TEST(ParserTest, VectorSelectorMatchers) {
  auto e = must_parse(R"(http_requests{job="api", code=~"5..", path!="/", env!~"dev|test"})");
  const auto& vs = e->as<VectorSelector>();
  EXPECT_EQ(vs.name, "http_requests");
  ASSERT_EQ(vs.matchers.size(), 5u);
  EXPECT_EQ(vs.matchers[0].to_string(), R"(job="api")");
  EXPECT_EQ(vs.matchers[1].type(), tsdb::MatchType::kRegexMatch);
  EXPECT_EQ(vs.matchers[2].type(), tsdb::MatchType::kNotEqual);
  EXPECT_EQ(vs.matchers[3].type(), tsdb::MatchType::kRegexNoMatch);
  // The name written outside the braces comes last, as in Prometheus.
  EXPECT_EQ(vs.matchers[4].to_string(), R"(__name__="http_requests")");
  EXPECT_EQ(vs.pos.start, 0);
  EXPECT_EQ(vs.pos.end, 65);

  auto only = must_parse(R"({__name__=~"job:.*"})");
  EXPECT_EQ(only->as<VectorSelector>().name, "");
  EXPECT_EQ(only->as<VectorSelector>().matchers.size(), 1u);
}

TEST(ParserTest, KeywordsAsNames) {
  // Prometheus lets these keywords name metrics and labels.
  for (const char* q : {"by", "offset", "sum", "start", "end + 1", "without{a=\"b\"}", "and"}) {
    SCOPED_TRACE(q);
    auto e = must_parse(q);
  }
  auto agg = must_parse("sum by (on, by, bool, offset) (x{by=\"1\", offset=\"2\"})");
  EXPECT_EQ(agg->as<Aggregate>().grouping,
            (std::vector<std::string>{"on", "by", "bool", "offset"}));
  EXPECT_EQ(must_parse("offset offset 5m")->as<VectorSelector>().offset_ms, 300000);
}

TEST(ParserTest, OffsetAndAtModifiers) {
  auto e = must_parse("x offset -1h30m @ 1609746000.123");
  const auto& vs = e->as<VectorSelector>();
  EXPECT_EQ(vs.offset_ms, -5400000);
  EXPECT_EQ(vs.at.kind, AtKind::kTimestamp);
  EXPECT_EQ(vs.at.timestamp_ms, 1609746000123);
  EXPECT_EQ(vs.pos.end, 32);  // the node now ends after the timestamp

  EXPECT_EQ(must_parse("x @ start()")->as<VectorSelector>().at.kind, AtKind::kStart);
  EXPECT_EQ(must_parse("x @ end()")->as<VectorSelector>().at.kind, AtKind::kEnd);
  EXPECT_EQ(must_parse("x @ -5")->as<VectorSelector>().at.timestamp_ms, -5000);

  // A range selector keeps offset and @ on its inner selector.
  auto m = must_parse("rate(x[5m] offset 1m @ 100)");
  const auto& ms = m->as<Call>().args[0]->as<MatrixSelector>();
  EXPECT_EQ(ms.range_ms, 300000);
  EXPECT_EQ(ms.selector->offset_ms, 60000);
  EXPECT_EQ(ms.selector->at.timestamp_ms, 100000);
  EXPECT_EQ(ms.pos.start, 5);
  EXPECT_EQ(ms.pos.end, 26);
}

TEST(ParserTest, Subqueries) {
  auto e = must_parse("max_over_time(rate(x[1m])[1h:5m] offset 2h @ end())");
  const auto& sq = e->as<Call>().args[0]->as<Subquery>();
  EXPECT_EQ(sq.range_ms, 3600000);
  EXPECT_EQ(sq.step_ms, 300000);
  EXPECT_EQ(sq.offset_ms, 7200000);
  EXPECT_EQ(sq.at.kind, AtKind::kEnd);
  EXPECT_EQ(sq.expr->kind, Kind::kCall);
  EXPECT_EQ(must_parse("x[5m:]")->as<Subquery>().step_ms, 0);
  EXPECT_EQ(type_of(*must_parse("x[5m:]")), ValueType::kMatrix);
}

TEST(ParserTest, Aggregations) {
  auto e = must_parse("topk without (a, b) (5, rate(x[5m]))");
  const auto& a = e->as<Aggregate>();
  EXPECT_EQ(a.op, AggregateOp::kTopk);
  EXPECT_TRUE(a.without);
  EXPECT_EQ(a.grouping, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(a.param->as<NumberLiteral>().value, 5);
  EXPECT_EQ(a.expr->kind, Kind::kCall);

  // The grouping may follow the arguments.
  auto after = must_parse("count_values(\"v\", x) by (job)");
  EXPECT_EQ(after->as<Aggregate>().grouping, std::vector<std::string>{"job"});
  EXPECT_EQ(after->as<Aggregate>().param->as<StringLiteral>().value, "v");
  EXPECT_EQ(after->pos.end, 29);
  EXPECT_TRUE(must_parse("sum without () (x)")->as<Aggregate>().without);
  EXPECT_EQ(must_parse("SUM(x)")->as<Aggregate>().op, AggregateOp::kSum);
}

TEST(ParserTest, VectorMatching) {
  auto e = must_parse("a * on (x, y) group_left (z) b");
  const auto& b = e->as<Binary>();
  ASSERT_TRUE(b.matching);
  EXPECT_TRUE(b.matching->on);
  EXPECT_EQ(b.matching->card, Cardinality::kManyToOne);
  EXPECT_EQ(b.matching->matching_labels, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(b.matching->include, std::vector<std::string>{"z"});

  auto r = must_parse("a / ignoring (x) group_right b");
  EXPECT_FALSE(r->as<Binary>().matching->on);
  EXPECT_EQ(r->as<Binary>().matching->card, Cardinality::kOneToMany);

  // Set operators are many-to-many; a scalar side drops the matching.
  EXPECT_EQ(must_parse("a and b")->as<Binary>().matching->card, Cardinality::kManyToMany);
  EXPECT_FALSE(must_parse("a + 1")->as<Binary>().matching);
  auto cmp = must_parse("a > bool 1");
  EXPECT_TRUE(cmp->as<Binary>().return_bool);
  EXPECT_EQ(type_of(*must_parse("1 + 2")), ValueType::kScalar);
  EXPECT_EQ(type_of(*must_parse("1 + x")), ValueType::kVector);
}

TEST(ParserTest, CallsAndStrings) {
  auto e = must_parse(R"(label_replace(up, "dst", "$1", 'src', `(.*)\d`))");
  const auto& c = e->as<Call>();
  EXPECT_EQ(c.func->name, "label_replace");
  ASSERT_EQ(c.args.size(), 5u);
  EXPECT_EQ(c.args[3]->as<StringLiteral>().value, "src");
  EXPECT_EQ(c.args[4]->as<StringLiteral>().value, "(.*)\\d");
  EXPECT_EQ(must_parse(R"("\u00e9\x41\101\n")")->as<StringLiteral>().value, "\xc3\xa9" "AA\n");
  EXPECT_EQ(type_of(*must_parse("time()")), ValueType::kScalar);
  EXPECT_EQ(type_of(*must_parse("\"s\"")), ValueType::kString);
}

TEST(ParserTest, CommentsAndWhitespace) {
  auto e = must_parse("sum(\n  rate(x[5m]) # per second\n) # total");
  EXPECT_EQ(to_string(*e), "sum(rate(x[5m]))");
}

TEST(ParserTest, QuotedUtf8NamesInV3) {
  auto e = must_parse(R"({"my.metric", "a.b"="c", d="e"})", kV3);
  const auto& vs = e->as<VectorSelector>();
  ASSERT_EQ(vs.matchers.size(), 3u);
  EXPECT_EQ(vs.matchers[0].to_string(), R"(__name__="my.metric")");
  EXPECT_EQ(vs.matchers[1].name(), "a.b");
  EXPECT_EQ(to_string(*e), R"({"a.b"="c",__name__="my.metric",d="e"})");
  auto g = must_parse(R"(sum by ("k8s.pod") (x))", kV3);
  EXPECT_EQ(g->as<Aggregate>().grouping, std::vector<std::string>{"k8s.pod"});
  EXPECT_EQ(to_string(*g), R"(sum by ("k8s.pod") (x))");
  EXPECT_FALSE(parse_expr(R"({"my.metric"})", kV2).ok());
}

TEST(ParserTest, NumbersAsDurationsInV3) {
  auto e = must_parse("rate(x[90])", kV3);
  EXPECT_EQ(e->as<Call>().args[0]->as<MatrixSelector>().range_ms, 90000);
  EXPECT_EQ(must_parse("x offset 1.5", kV3)->as<VectorSelector>().offset_ms, 1500);
  EXPECT_EQ(must_parse("x @ 1m", kV3)->as<VectorSelector>().at.timestamp_ms, 60000);
  EXPECT_EQ(to_string(*must_parse("x[90]", kV3)), "x[1m30s]");
  EXPECT_EQ(to_string(*must_parse("5m * 2", kV3)), "5m * 2");
}

TEST(ParserTest, ExperimentalFunctionsNeedTheFlag) {
  ParseOptions on = kV3;
  on.experimental_functions = true;
  for (const char* q : {"double_exponential_smoothing(x[5m], 0.5, 0.5)", "sort_by_label(x, \"a\", \"b\")",
                        "mad_over_time(x[5m])", "limitk(2, x)", "limit_ratio(0.5, x)",
                        "ts_of_max_over_time(x[5m])", "info(up, {k8s_cluster=~\".+\"})"}) {
    SCOPED_TRACE(q);
    EXPECT_TRUE(parse_expr(q, on).ok()) << parse_expr(q, on).status();
    EXPECT_FALSE(parse_expr(q, kV3).ok());
  }
  EXPECT_EQ(parse_expr("mad_over_time(x[5m])", kV3).status().message(),
            "1:1: parse error: function \"mad_over_time\" is not enabled");
  // holt_winters exists only in Prometheus 2; its successor only in 3.
  EXPECT_TRUE(parse_expr("holt_winters(x[5m], 0.1, 0.1)", kV2).ok());
  EXPECT_FALSE(parse_expr("holt_winters(x[5m], 0.1, 0.1)", on).ok());
  ParseOptions v2_on = kV2;
  v2_on.experimental_functions = true;
  EXPECT_FALSE(parse_expr("double_exponential_smoothing(x[5m], 0.1, 0.1)", v2_on).ok());
}

TEST(ParserTest, FunctionTable) {
  const Function* f = find_function("label_join", Compat::kV3);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->variadic, -1);
  EXPECT_EQ(f->arg_types.size(), 4u);
  EXPECT_EQ(find_function("round", Compat::kV2)->variadic, 1);
  EXPECT_EQ(find_function("histogram_avg", Compat::kV2), nullptr);
  EXPECT_NE(find_function("histogram_avg", Compat::kV3), nullptr);
  EXPECT_EQ(find_function("Rate", Compat::kV3), nullptr);
  EXPECT_GT(all_functions().size(), 80u);
}

TEST(ParserTest, CloneIsDeep) {
  auto e = must_parse("sum by (a) (rate(x{b=\"c\"}[5m] offset 1m)) / on(a) group_left(d) y @ 5");
  auto c = clone(*e);
  EXPECT_EQ(to_string(*c), to_string(*e));
  EXPECT_EQ(c->pos.end, e->pos.end);
  auto& lhs = c->as<Binary>().lhs->as<Aggregate>();
  lhs.grouping.push_back("z");
  EXPECT_NE(to_string(*c), to_string(*e));
  EXPECT_NE(c->as<Binary>().rhs.get(), e->as<Binary>().rhs.get());
}

TEST(ParserTest, WalkVisitsEveryNode) {
  auto e = must_parse("topk(3, sum(rate(x[5m])) + -y)");
  int selectors = 0, nodes = 0;
  walk(*e, [&](const Expr& n) {
    ++nodes;
    if (n.kind == Kind::kVectorSelector) ++selectors;
  });
  EXPECT_EQ(selectors, 2);  // the one inside x[5m] and y
  EXPECT_EQ(nodes, 9);
}

TEST(ParserTest, MetricSelectorsForMatch) {
  auto m = parse_metric_selector(R"(up{job=~"a|b"})");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[1].to_string(), R"(__name__="up")");
  EXPECT_TRUE(parse_metric_selector("{}").ok());  // the API rejects it, not the parser
  EXPECT_EQ(parse_metric_selector("up + 1").status().message(),
            "1:4: parse error: unexpected <op:+>");
}

TEST(ParserTest, HugeAndHostileInputsFailCleanly) {
  // 900 levels fit this (main) thread's 8 MiB stack; under ASan's larger
  // frames the budget is an eighth.
  const int fits = kAddressSanitizer ? 400 : 900;
  std::string ok = std::string(fits, '(') + "1" + std::string(fits, ')');
  EXPECT_TRUE(parse_expr(ok).ok());
  // Nesting is refused only where it would not fit this thread's stack.
  std::string deep = std::string(100000, '(') + "1" + std::string(100000, ')');
  EXPECT_THAT(std::string(parse_expr(deep).status().message()),
              ::testing::HasSubstr("parse error: expression nesting is deeper than "));
  std::string minus(100000, '-');
  EXPECT_FALSE(parse_expr(minus + "x").ok());
  std::string pow = "x";
  for (int i = 0; i < 100000; ++i) pow += " ^ x";
  EXPECT_FALSE(parse_expr(pow).ok());
  std::string sum = "x";
  for (int i = 0; i < fits; ++i) sum += " + x";
  EXPECT_TRUE(parse_expr(sum).ok());
  for (int i = 0; i < 100000; ++i) sum += " + x";  // a left-deep tree is nesting too
  EXPECT_FALSE(parse_expr(sum).ok());
  std::string sub = "x";
  for (int i = 0; i < 100000; ++i) sub += "[1m:]";
  EXPECT_FALSE(parse_expr(sub).ok());
  EXPECT_EQ(parse_expr("").status().message(), "1:1: parse error: no expression found in input");
  EXPECT_TRUE(parse_expr(std::string("x{a=\"\0\"}", 8)).ok());
}

}  // namespace
}  // namespace strata::promql::parser
