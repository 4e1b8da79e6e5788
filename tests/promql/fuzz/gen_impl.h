// Internals of QueryGenerator (query_generator.h), shared by its source files:
// gen_selectors.cc (selectors, modifiers, literals), gen_calls.cc (functions,
// aggregations), gen_ill_typed.cc (wrong queries) and query_generator.cc (the
// rest). One Impl lives for one generated query.
#pragma once

#include <string>
#include <vector>

#include "tests/promql/fuzz/query_generator.h"

namespace strata::promql::fuzz {

class QueryGenerator::Impl {
 public:
  Impl(const FuzzSchema& schema, const GenOptions& opts, std::map<std::string, int>* coverage,
       uint64_t seed)
      : sc_(schema), o_(opts), cov_(coverage), rng_(seed) {}

  GeneratedQuery query();

  // --- query_generator.cc ---
  std::string expr(GenType t, int depth);
  std::string vector_expr(int depth);
  std::string scalar_expr(int depth);
  std::string matrix_expr(int depth);
  std::string binary(GenType t, int depth);
  std::string paren(const std::string& s) { return "(" + s + ")"; }
  EvalSpec eval_spec(GenType t);

  // --- gen_selectors.cc ---
  std::string vector_selector(bool with_modifiers = true);
  std::string matrix_selector();
  std::string subquery(int depth);
  std::string matchers(const std::string& metric, bool need_name);
  std::string regex_for(const std::string& label);
  std::string modifiers();  // offset and/or @, possibly none
  std::string offset();
  std::string at();
  std::string range_duration();
  std::string number();                 // a literal, edge values included
  std::string string_literal(const std::string& raw);  // quoted in a random style
  std::string label_name(bool allow_odd = false);
  std::string label_list(int max);      // "job, instance"
  std::string metric();

  // --- gen_calls.cc ---
  std::string call(GenType t, int depth);
  std::string call_of(const FuncSpec& f, int depth);
  std::string aggregate(int depth);
  std::string bucket_vector(int depth);  // something with `le` labels
  std::string scalar_param(int depth, const std::vector<std::string>& edges);
  std::vector<const FuncSpec*> usable_functions(char ret) const;

  // --- gen_ill_typed.cc ---
  std::string ill_typed(int depth);

  void count(const std::string& kind) { ++(*cov_)[kind]; }
  FuzzRng& rng() { return rng_; }

  const FuzzSchema& sc_;
  const GenOptions& o_;
  std::map<std::string, int>* cov_;
  FuzzRng rng_;
  bool pending_ill_ = false;        // an ill-typed node is still to be planted
  int64_t budget_ = 0;              // subquery evaluation points left (per outer step)
  int64_t min_sub_step_ms_ = 0;     // the finest subquery step of the query, 0 = none
};

}  // namespace strata::promql::fuzz
