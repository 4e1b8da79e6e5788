// Tests of the fuzzers' query generator: the same (seed, index) gives the
// same query, a batch covers every node kind the generator knows, its
// function table agrees with the parser's, and what it calls well-typed
// parses (what it calls ill-typed mostly does not) — so the fuzzers cannot
// pass by generating nothing but errors.
#include "tests/promql/fuzz/query_generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "promql/parser/functions.h"
#include "promql/parser/parser.h"

namespace strata::promql::fuzz {
namespace {

GenOptions options(bool v3, bool only_242 = false) {
  GenOptions o;
  o.v3 = v3;
  o.prometheus_242 = only_242;
  o.data_end_ms = kFuzzFixedEndMs;
  o.data_start_ms = kFuzzFixedEndMs - (kFuzzPoints - 1) * kFuzzStepMs;
  return o;
}

FuzzSchema schema() { return fuzz_schema(build_fuzz_dataset(kFuzzFixedEndMs)); }

TEST(QueryGeneratorTest, SameSeedAndIndexGiveTheSameQuery) {
  QueryGenerator a(schema(), options(false)), b(schema(), options(false));
  std::vector<GeneratedQuery> first;
  for (uint64_t i = 0; i < 200; ++i) first.push_back(a.generate(42, i));
  // In reverse order on another generator: a query does not depend on the ones before it.
  for (uint64_t i = 200; i-- > 0;) {
    const GeneratedQuery y = b.generate(42, i);
    EXPECT_EQ(first[i].text, y.text);
    EXPECT_EQ(first[i].eval.describe(), y.eval.describe());
    EXPECT_EQ(first[i].ill_typed, y.ill_typed);
  }
  // Regenerating one query alone gives it again.
  EXPECT_EQ(a.generate(42, 77).text, QueryGenerator(schema(), options(false)).generate(42, 77).text);
  int same = 0;
  for (uint64_t i = 0; i < 100; ++i) same += a.generate(1, i).text == a.generate(2, i).text;
  EXPECT_LT(same, 20) << "different seeds should give different queries";
}

TEST(QueryGeneratorTest, CoversEveryNodeKind) {
  QueryGenerator g(schema(), options(true));
  for (uint64_t i = 0; i < 20000; ++i) g.generate(3, i);
  const auto& cov = g.coverage();
  std::vector<std::string> want = {"selector", "matrix_selector", "subquery", "subquery:default_step", "offset",
                                   "at", "unary", "paren", "number", "bool", "on", "ignoring", "group_left",
                                   "group_right", "agg:by", "agg:without", "match:=", "match:!=", "match:=~",
                                   "match:!~", "match:__name__", "ill_typed", "eval:range", "eval:instant",
                                   "top:string", "agg:limitk", "agg:limit_ratio"};
  for (const char* op : {"+", "-", "*", "/", "%", "^", "atan2", "==", "!=", ">", "<", ">=", "<=", "and", "or", "unless"})
    want.push_back(std::string("bin:") + op);
  for (const char* a : {"sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk",
                        "quantile", "count_values"})
    want.push_back(std::string("agg:") + a);
  for (const FuncSpec& f : func_specs())
    if (f.in_v3) want.push_back(std::string("call:") + f.name);
  for (const std::string& k : want) EXPECT_GT(cov.count(k) ? cov.at(k) : 0, 0) << k << " never generated";
  int ill_kinds = 0;
  for (const auto& [k, n] : cov) ill_kinds += k.rfind("ill:", 0) == 0;
  EXPECT_GE(ill_kinds, 20);
}

TEST(QueryGeneratorTest, Prometheus242ModeUsesOnlyWhat242Knows) {
  QueryGenerator g(schema(), options(false, true));
  for (uint64_t i = 0; i < 5000; ++i) g.generate(5, i);
  std::set<std::string> known;
  for (const FuncSpec& f : func_specs())
    if (f.in_242) known.insert(std::string("call:") + f.name);
  for (const auto& [k, n] : g.coverage()) {
    if (k.rfind("call:", 0) == 0) {
      EXPECT_TRUE(known.count(k)) << k;
    }
    EXPECT_NE(k, "agg:limitk");
    EXPECT_NE(k, "agg:limit_ratio");
  }
}

TEST(QueryGeneratorTest, FunctionTableAgreesWithTheParser) {
  auto letter = [](parser::ValueType t) {
    switch (t) {
      case parser::ValueType::kVector: return 'v';
      case parser::ValueType::kMatrix: return 'm';
      case parser::ValueType::kScalar: return 's';
      case parser::ValueType::kString: return 't';
      default: return '?';
    }
  };
  std::set<std::string> parser_names;
  for (const parser::Function& pf : parser::all_functions()) {
    parser_names.insert(std::string(pf.name));
    const FuncSpec* mine = nullptr;
    for (const FuncSpec& f : func_specs())
      if (pf.name == f.name) mine = &f;
    ASSERT_NE(mine, nullptr) << pf.name << " is missing from func_specs()";
    std::string args;
    for (parser::ValueType t : pf.arg_types) args += letter(t);
    EXPECT_EQ(args, mine->args) << pf.name;
    EXPECT_EQ(pf.variadic, mine->variadic) << pf.name;
    EXPECT_EQ(letter(pf.return_type), mine->ret) << pf.name;
    EXPECT_EQ(pf.experimental, mine->experimental) << pf.name;
    EXPECT_EQ(pf.in_v2, mine->in_v2) << pf.name;
    EXPECT_EQ(pf.in_v3, mine->in_v3) << pf.name;
  }
  EXPECT_EQ(parser_names.size(), func_specs().size());
}

// Well-typed queries parse; ill-typed ones are mostly refused.
void check_parse_rates(bool v3) {
  QueryGenerator g(schema(), options(v3));
  parser::ParseOptions po{v3 ? Compat::kV3 : Compat::kV2, true};
  int well = 0, well_ok = 0, ill = 0, ill_refused = 0;
  std::vector<std::string> examples;
  for (uint64_t i = 0; i < 4000; ++i) {
    const GeneratedQuery q = g.generate(11, i);
    const bool ok = parser::parse_expr(q.text, po).ok();
    if (q.ill_typed) {
      ++ill;
      ill_refused += !ok;
    } else {
      ++well;
      well_ok += ok;
      if (!ok && examples.size() < 10)
        examples.push_back(q.text + "  ->  " + std::string(parser::parse_expr(q.text, po).status().message()));
    }
  }
  std::string ex;
  for (const std::string& e : examples) ex += "\n  " + e;
  EXPECT_GE(well_ok * 100, well * 97) << well_ok << " of " << well << " well-typed queries parse:" << ex;
  EXPECT_GE(ill_refused * 100, ill * 80) << ill_refused << " of " << ill << " ill-typed queries refused";
  EXPECT_GT(ill, 100);
}

TEST(QueryGeneratorTest, WellTypedQueriesParseInV2) { check_parse_rates(false); }
TEST(QueryGeneratorTest, WellTypedQueriesParseInV3) { check_parse_rates(true); }

TEST(QueryGeneratorTest, DatasetHasTheEdgeCases) {
  const FuzzDataset d = build_fuzz_dataset(kFuzzFixedEndMs);
  EXPECT_EQ(d.end_ms, kFuzzFixedEndMs);
  int stale = 0, nan = 0, inf = 0;
  for (const FuzzSeries& s : d.series)
    for (const FuzzSample& p : s.samples) {
      stale += is_stale_marker(p.value);
      nan += std::isnan(p.value) && !is_stale_marker(p.value);
      inf += std::isinf(p.value);
      ASSERT_GE(p.t_ms, d.start_ms);
      ASSERT_LE(p.t_ms, d.end_ms);
    }
  EXPECT_GT(stale, 2);
  EXPECT_GT(nan, 100);
  EXPECT_GT(inf, 100);
  const FuzzSchema sc = fuzz_schema(d);
  EXPECT_FALSE(sc.buckets.empty());
  EXPECT_FALSE(sc.counters.empty());
  EXPECT_TRUE(sc.label_values.count("le"));
}

}  // namespace
}  // namespace strata::promql::fuzz
