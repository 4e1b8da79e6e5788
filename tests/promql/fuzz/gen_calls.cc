// Function calls and aggregations of generated queries, with valid and edge
// parameters (NaN, negative, 0, huge k, quantiles outside [0, 1], invalid
// label names and regexes).
#include "tests/promql/fuzz/gen_impl.h"

namespace strata::promql::fuzz {

const std::vector<FuncSpec>& func_specs() {
  // name, args, variadic, ret, experimental, in_v2, in_v3, in_242
  // The flags follow promql/parser/functions.cc; in_242 is what Prometheus
  // 2.42 itself knows (Strata's v2 dialect also offers the experimental
  // functions of later releases behind the feature flag).
  static const std::vector<FuncSpec> specs = [] {
    struct Row {
      const char* name;
      const char* args;
      int variadic;
      char ret;
      int flags;  // 0 stable, 1 only v2, 2 new stable (v3), 3 experimental, 4 experimental v3
    };
    const Row rows[] = {
        {"abs", "v", 0, 'v', 0}, {"absent", "v", 0, 'v', 0}, {"absent_over_time", "m", 0, 'v', 0},
        {"acos", "v", 0, 'v', 0}, {"acosh", "v", 0, 'v', 0}, {"asin", "v", 0, 'v', 0}, {"asinh", "v", 0, 'v', 0},
        {"atan", "v", 0, 'v', 0}, {"atanh", "v", 0, 'v', 0}, {"avg_over_time", "m", 0, 'v', 0},
        {"ceil", "v", 0, 'v', 0}, {"changes", "m", 0, 'v', 0}, {"clamp", "vss", 0, 'v', 0},
        {"clamp_max", "vs", 0, 'v', 0}, {"clamp_min", "vs", 0, 'v', 0}, {"cos", "v", 0, 'v', 0},
        {"cosh", "v", 0, 'v', 0}, {"count_over_time", "m", 0, 'v', 0}, {"day_of_month", "v", 1, 'v', 0},
        {"day_of_week", "v", 1, 'v', 0}, {"day_of_year", "v", 1, 'v', 0}, {"days_in_month", "v", 1, 'v', 0},
        {"deg", "v", 0, 'v', 0}, {"delta", "m", 0, 'v', 0}, {"deriv", "m", 0, 'v', 0},
        {"double_exponential_smoothing", "mss", 0, 'v', 4}, {"exp", "v", 0, 'v', 0},
        {"first_over_time", "m", 0, 'v', 3}, {"floor", "v", 0, 'v', 0}, {"histogram_avg", "v", 0, 'v', 2},
        {"histogram_count", "v", 0, 'v', 0}, {"histogram_fraction", "ssv", 0, 'v', 0},
        {"histogram_quantile", "sv", 0, 'v', 0}, {"histogram_stddev", "v", 0, 'v', 2},
        {"histogram_stdvar", "v", 0, 'v', 2}, {"histogram_sum", "v", 0, 'v', 0},
        {"holt_winters", "mss", 0, 'v', 1}, {"hour", "v", 1, 'v', 0}, {"idelta", "m", 0, 'v', 0},
        {"increase", "m", 0, 'v', 0}, {"info", "vv", 1, 'v', 4}, {"irate", "m", 0, 'v', 0},
        {"label_join", "vttt", -1, 'v', 0}, {"label_replace", "vtttt", 0, 'v', 0},
        {"last_over_time", "m", 0, 'v', 0}, {"ln", "v", 0, 'v', 0}, {"log10", "v", 0, 'v', 0},
        {"log2", "v", 0, 'v', 0}, {"mad_over_time", "m", 0, 'v', 3}, {"max_over_time", "m", 0, 'v', 0},
        {"min_over_time", "m", 0, 'v', 0}, {"minute", "v", 1, 'v', 0}, {"month", "v", 1, 'v', 0},
        {"pi", "", 0, 's', 0}, {"predict_linear", "ms", 0, 'v', 0}, {"present_over_time", "m", 0, 'v', 0},
        {"quantile_over_time", "sm", 0, 'v', 0}, {"rad", "v", 0, 'v', 0}, {"rate", "m", 0, 'v', 0},
        {"resets", "m", 0, 'v', 0}, {"round", "vs", 1, 'v', 0}, {"scalar", "v", 0, 's', 0},
        {"sgn", "v", 0, 'v', 0}, {"sin", "v", 0, 'v', 0}, {"sinh", "v", 0, 'v', 0}, {"sort", "v", 0, 'v', 0},
        {"sort_by_label", "vt", -1, 'v', 3}, {"sort_by_label_desc", "vt", -1, 'v', 3},
        {"sort_desc", "v", 0, 'v', 0}, {"sqrt", "v", 0, 'v', 0}, {"stddev_over_time", "m", 0, 'v', 0},
        {"stdvar_over_time", "m", 0, 'v', 0}, {"sum_over_time", "m", 0, 'v', 0}, {"tan", "v", 0, 'v', 0},
        {"tanh", "v", 0, 'v', 0}, {"time", "", 0, 's', 0}, {"timestamp", "v", 0, 'v', 0},
        {"ts_of_first_over_time", "m", 0, 'v', 3}, {"ts_of_last_over_time", "m", 0, 'v', 3},
        {"ts_of_max_over_time", "m", 0, 'v', 3}, {"ts_of_min_over_time", "m", 0, 'v', 3},
        {"vector", "s", 0, 'v', 0}, {"year", "v", 1, 'v', 0},
    };
    std::vector<FuncSpec> out;
    for (const Row& r : rows) {
      const bool exp = r.flags >= 3;
      const bool v2 = r.flags == 0 || r.flags == 1 || r.flags == 3;
      const bool v3 = r.flags != 1;
      out.push_back({r.name, r.args, r.variadic, r.ret, exp, v2, v3, v2 && !exp});
    }
    return out;
  }();
  return specs;
}

std::vector<const FuncSpec*> QueryGenerator::Impl::usable_functions(char ret) const {
  std::vector<const FuncSpec*> out;
  for (const FuncSpec& f : func_specs()) {
    if (f.ret != ret) continue;
    if (!(o_.v3 ? f.in_v3 : f.in_v2)) continue;
    if (f.experimental && !o_.experimental) continue;
    if (o_.prometheus_242 && !f.in_242) continue;
    out.push_back(&f);
  }
  return out;
}

std::string QueryGenerator::Impl::scalar_param(int depth, const std::vector<std::string>& edges) {
  if (depth < o_.max_depth && rng_.chance(1, 5)) return expr(GenType::kScalar, depth + 1);
  return rng_.pick(edges);
}

std::string QueryGenerator::Impl::bucket_vector(int depth) {
  const std::string b = rng_.pick(sc_.buckets);
  const std::string sel = rng_.chance(1, 2) ? b : b + "{" + matchers(b, true) + "}";
  switch (rng_.below(6)) {
    case 0: return sel;
    case 1: return "rate(" + sel + "[" + range_duration() + "])";
    case 2: return "sum by (le) (rate(" + sel + "[5m]))";
    case 3: return "sum by (le, job) (increase(" + sel + "[" + range_duration() + "]))";
    case 4: return "sum without (instance) (" + sel + ")";
    default: return expr(GenType::kVector, depth + 1);
  }
}

std::string QueryGenerator::Impl::call(GenType t, int depth) {
  const std::vector<const FuncSpec*> fs = usable_functions(t == GenType::kScalar ? 's' : 'v');
  return call_of(*rng_.pick(fs), depth);
}

std::string QueryGenerator::Impl::call_of(const FuncSpec& f, int depth) {
  const std::string name = f.name;
  count("call:" + name);
  const int d = depth + 1;
  auto v = [&] { return expr(GenType::kVector, d); };
  auto m = [&] { return expr(GenType::kMatrix, d); };
  auto str = [&](const std::vector<std::string>& choices) { return string_literal(rng_.pick(choices)); };
  const std::vector<std::string> phis = {"0.5", "0.9", "0.99", "0", "1", "-1", "2", "NaN", "0.25"};
  const std::vector<std::string> factors = {"0.1", "0.5", "0.9", "0", "1", "1.5", "-0.5"};
  if (name == "histogram_quantile") return name + "(" + scalar_param(d, phis) + ", " + bucket_vector(d) + ")";
  // Prometheus 2.42 moves a range fixed with `@` along with each step of a
  // range query whenever the call is evaluated step by step
  // (prometheus#11708, fixed in 2.50): predict_linear always, a function
  // whose scalar argument is itself an expression (e.g. `time()`) too. Not
  // generated for it (known_differences_generated.txt): such a range keeps
  // literal scalar arguments.
  auto fixed_range = [&](const std::string& range) {
    return o_.prometheus_242 && range.find(" @ ") != std::string::npos;
  };
  if (name == "quantile_over_time") {
    std::string phi = scalar_param(d, phis);
    const std::string range = m();
    if (fixed_range(range)) phi = rng_.pick(phis);
    return name + "(" + phi + ", " + range + ")";
  }
  if (name == "histogram_fraction")
    return name + "(" + scalar_param(d, {"0", "0.1", "-Inf", "1"}) + ", " + scalar_param(d, {"1", "Inf", "0.5", "0"}) + ", " + bucket_vector(d) + ")";
  if (name == "predict_linear") {
    std::string arg = m();
    while (fixed_range(arg)) arg = m();
    return name + "(" + arg + ", " + scalar_param(d, {"0", "60", "3600", "-600", "1e9", "NaN"}) + ")";
  }
  if (name == "holt_winters" || name == "double_exponential_smoothing") {
    const std::string range = m();
    std::string sf = scalar_param(d, factors), tf = scalar_param(d, factors);
    if (fixed_range(range)) sf = rng_.pick(factors), tf = rng_.pick(factors);
    return name + "(" + range + ", " + sf + ", " + tf + ")";
  }
  if (name == "round")
    return name + "(" + v() + (rng_.chance(1, 2) ? ", " + scalar_param(d, {"1", "0.1", "5", "0", "-1", "NaN", "1e-300"}) : "") + ")";
  if (name == "clamp")
    return name + "(" + v() + ", " + scalar_param(d, {"0", "-1", "10", "NaN", "-Inf"}) + ", " + scalar_param(d, {"0", "100", "-10", "NaN", "Inf"}) + ")";
  if (name == "clamp_min" || name == "clamp_max") return name + "(" + v() + ", " + scalar_param(d, {"0", "-1", "10", "NaN", "Inf"}) + ")";
  if (name == "label_replace") {
    const std::vector<std::string> dsts = {"dst", "job", "__name__", "le", "part", "instance", "1bad", "", "a-b"};
    const std::vector<std::string> repls = {"$1", "x", "", "${1}-$2", "$name", "$$", "api"};
    std::string re;
    switch (rng_.below(6)) {
      case 0: re = "(.*)"; break;
      case 1: re = ""; break;
      case 2: re = "(.)(.*)"; break;
      case 3: re = "(?P<name>[a-z]+)"; break;
      case 4: re = rng_.chance(1, 3) ? "(" : "a+"; break;  // "(": invalid
      default: re = regex_for(label_name()); break;
    }
    return name + "(" + v() + ", " + str(dsts) + ", " + str(repls) + ", " + string_literal(label_name(true)) + ", " + string_literal(re) + ")";
  }
  if (name == "label_join") {
    std::string out = name + "(" + v() + ", " + str({"dst", "job", "__name__", "part", "1bad"}) + ", " + str({",", "", "-", "::"});
    const int n = int(rng_.below(4));
    for (int i = 0; i < n; ++i) out += ", " + string_literal(label_name(true));
    return out + ")";
  }
  if (name == "sort_by_label" || name == "sort_by_label_desc") {
    std::string out = name + "(" + v();
    const int n = 1 + int(rng_.below(3));
    for (int i = 0; i < n; ++i) out += ", " + string_literal(label_name(true));
    return out + ")";
  }
  if (name == "info") {
    if (rng_.chance(1, 2)) return name + "(" + v() + ")";
    return name + "(" + v() + ", {" + rng_.pick(std::vector<std::string>{"version=~\".+\"", "__name__=\"fz_info\"", "job=\"api\""}) + "})";
  }
  // Generic: by argument type; optional trailing arguments half of the time.
  std::string out = name + "(";
  const std::string args = f.args;
  const size_t n = f.variadic == 1 && rng_.chance(1, 2) ? args.size() - 1 : args.size();
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ", ";
    switch (args[i]) {
      case 'v': out += v(); break;
      case 'm': out += m(); break;
      case 's': out += scalar_param(d, {"0", "1", "-1", "NaN", "0.5", "100"}); break;
      default: out += str({"job", "x", ""}); break;
    }
  }
  return out + ")";
}

std::string QueryGenerator::Impl::aggregate(int depth) {
  std::vector<std::string> ops = {"sum", "avg", "count", "min", "max", "group", "stddev", "stdvar",
                                  "topk", "bottomk", "quantile", "count_values"};
  // limitk/limit_ratio are Prometheus 3 syntax (experimental there).
  if (o_.experimental && o_.v3 && !o_.prometheus_242) {
    ops.push_back("limitk");
    ops.push_back("limit_ratio");
  }
  const std::string op = rng_.pick(ops);
  count("agg:" + op);
  const int d = depth + 1;
  std::string param;
  if (op == "topk" || op == "bottomk" || op == "limitk")
    param = scalar_param(d, {"1", "2", "3", "0", "-1", "1e10", "NaN", "0.5", "2.7", "Inf", "1e300"}) + ", ";
  else if (op == "quantile") param = scalar_param(d, {"0.5", "0", "1", "-0.5", "1.5", "NaN", "0.99", "0.25"}) + ", ";
  else if (op == "limit_ratio") param = scalar_param(d, {"0.5", "-0.5", "1", "-1", "0", "1.5", "NaN", "0.1"}) + ", ";
  else if (op == "count_values")
    param = string_literal(rng_.pick(std::vector<std::string>{"value", "job", "le", "kind", "__name__", "", "1bad", "slot"})) + ", ";
  std::string grouping;
  switch (rng_.weighted({40, 35, 25})) {
    case 1: grouping = "by (" + label_list(2) + ")"; count("agg:by"); break;
    case 2: grouping = "without (" + label_list(2) + ")"; count("agg:without"); break;
    default: break;
  }
  std::string inner = expr(GenType::kVector, d);
  // count_values puts every digit of a value in a label, and the C
  // library's transcendental functions and pow can differ from Go's in the
  // last bit (README "Known differences from Prometheus"): not generated
  // over them for 2.42.
  auto libm_dependent = [](const std::string& e) {
    for (const char* f : {"sin(", "cos(", "tan(", "exp(", "ln(", "log2(", "log10(", " atan2 ", "^"})
      if (e.find(f) != std::string::npos) return true;
    return false;
  };
  for (int tries = 0; op == "count_values" && o_.prometheus_242 && libm_dependent(inner); ++tries)
    inner = tries < 20 ? expr(GenType::kVector, d) : "vector(1)";
  const std::string body = "(" + param + inner + ")";
  if (grouping.empty()) return op + body;
  return rng_.chance(1, 2) ? op + " " + grouping + " " + body : op + body + " " + grouping;
}

}  // namespace strata::promql::fuzz
