// Leaves of generated queries: selectors and their matchers, offset and `@`
// modifiers, range selectors, subqueries, number and string literals.
#include <algorithm>
#include <cstdio>

#include "tests/promql/fuzz/gen_impl.h"

namespace strata::promql::fuzz {
namespace {

struct Dur {
  const char* text;
  int64_t ms;
};

// Written the ways Prometheus 2.42 accepts (compound units included).
const std::vector<Dur> kRanges = {{"1ms", 1},         {"10s", 10'000},     {"15s", 15'000},   {"30s", 30'000},
                                  {"1m", 60'000},     {"1m", 60'000},      {"2m", 120'000},   {"5m", 300'000},
                                  {"5m", 300'000},    {"10m", 600'000},    {"1h", 3'600'000}, {"90s", 90'000},
                                  {"1m30s", 90'000},  {"2h", 7'200'000},   {"61s", 61'000},   {"1d", 86'400'000}};
const std::vector<Dur> kSubSteps = {{"1ms", 1},       {"333ms", 333},      {"1s", 1000},      {"7s", 7000},
                                    {"15s", 15'000},  {"30s", 30'000},     {"1m", 60'000},    {"5m", 300'000},
                                    {"1h", 3'600'000}, {"1d", 86'400'000}};
const std::vector<std::string> kOffsets = {"5m", "-5m", "1h", "-1h", "30s", "-30s", "1ms", "15s", "0s", "1m30s", "2h", "-7s"};

bool regex_meta(char c) { return std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos; }

std::string quote_meta(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (regex_meta(c)) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string QueryGenerator::Impl::metric() { return rng_.pick(sc_.metrics); }

std::string QueryGenerator::Impl::label_name(bool allow_odd) {
  if (allow_odd && rng_.chance(1, 8)) return rng_.pick(std::vector<std::string>{"__name__", "nonexistent", "le"});
  return rng_.pick(sc_.label_names);
}

std::string QueryGenerator::Impl::label_list(int max) {
  std::vector<std::string> names;
  const int n = int(rng_.below(uint64_t(max) + 1));
  for (int i = 0; i < n; ++i) names.push_back(label_name(true));
  std::string out;
  for (const std::string& l : names) out += (out.empty() ? "" : ", ") + l;
  return out;
}

std::string QueryGenerator::Impl::string_literal(const std::string& raw) {
  const size_t style = rng_.weighted({80, 12, raw.find_first_of("`\n") == std::string::npos ? 8 : 0});
  if (style == 2) return "`" + raw + "`";
  const char q = style == 0 ? '"' : '\'';
  std::string out(1, q);
  for (char c : raw) {
    if (c == '\\' || c == q) out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + q;
}

std::string QueryGenerator::Impl::regex_for(const std::string& label) {
  const auto it = sc_.label_values.find(label);
  const std::vector<std::string> values = it != sc_.label_values.end() ? it->second : std::vector<std::string>{"x"};
  const std::string& v = rng_.pick(values);
  switch (rng_.below(11)) {
    case 0: return quote_meta(v);
    case 1: return quote_meta(v) + "|" + quote_meta(rng_.pick(values));
    case 2: return quote_meta(v.substr(0, 1)) + ".*";
    case 3: return ".*";
    case 4: return ".+";
    case 5: return "";
    case 6: {  // case-insensitive flag, same in RE2 and Go
      std::string up = v;
      for (char& c : up) c = char(std::toupper(static_cast<unsigned char>(c)));
      return "(?i)" + quote_meta(up);
    }
    case 7: return quote_meta(v) + "|";  // also matches the empty value
    case 8: return ".*" + quote_meta(v.substr(v.size() > 1 ? v.size() - 1 : 0));
    case 9: return "[a-z]+";
    default: return "h\\d";
  }
}

std::string QueryGenerator::Impl::matchers(const std::string& metric, bool need_name) {
  std::vector<std::string> ms;
  const auto it = sc_.metric_labels.find(metric);
  const std::vector<std::string> labels = it != sc_.metric_labels.end() && !it->second.empty() ? it->second : sc_.label_names;
  const int n = int(rng_.below(3));
  for (int i = 0; i < n; ++i) {
    const std::string l = rng_.chance(1, 10) ? label_name(true) : rng_.pick(labels);
    const auto vit = sc_.label_values.find(l);
    const size_t op = rng_.weighted({45, 20, 20, 15});
    count(op == 0 ? "match:=" : op == 1 ? "match:!=" : op == 2 ? "match:=~" : "match:!~");
    std::string value;
    if (op >= 2) value = regex_for(l);
    else if (vit != sc_.label_values.end() && !rng_.chance(1, 10)) value = rng_.pick(vit->second);
    else value = rng_.chance(1, 2) ? "" : "nope";
    ms.push_back(l + (op == 0 ? "=" : op == 1 ? "!=" : op == 2 ? "=~" : "!~") + string_literal(value));
  }
  // Without a metric name, one matcher must select something non-empty.
  if (!need_name) ms.insert(ms.begin(), "job=" + string_literal(rng_.pick(std::vector<std::string>{"api", "db"})));
  std::string out;
  for (const std::string& m : ms) out += (out.empty() ? "" : ", ") + m;
  return out;
}

std::string QueryGenerator::Impl::vector_selector(bool with_modifiers) {
  std::string s;
  const std::string m = metric();
  switch (rng_.weighted({50, 18, 12, 8, 5, 7})) {
    case 0: s = m + "{" + matchers(m, true) + "}"; break;
    case 1: s = m; break;
    case 2: {  // the name as a matcher, possibly a regex over several names
      count("match:__name__");
      const std::string other = metric();
      const size_t k = rng_.below(4);
      const std::string nm = k == 0 ? "__name__=" + string_literal(m)
                           : k == 1 ? "__name__=~" + string_literal(m + "|" + other)
                           : k == 2 ? "__name__=~" + string_literal(m.substr(0, 4) + ".*")
                                    : "__name__=~" + string_literal("fz_gauge_.|fz_split_.");
      const std::string rest = rng_.chance(1, 2) ? "" : ", " + matchers(m, true);
      s = "{" + nm + (rest == ", " ? "" : rest) + "}";
      break;
    }
    case 3: s = "{" + matchers("", false) + "}"; break;  // every metric of a job
    case 4: s = m + "{}"; break;
    default: s = m + "{" + label_name() + "=~" + string_literal(rng_.pick(std::vector<std::string>{".*", "", "|x", ".*|api"})) + "}"; break;
  }
  count("selector");
  return with_modifiers ? s + modifiers() : s;
}

std::string QueryGenerator::Impl::offset() {
  count("offset");
  return " offset " + rng_.pick(kOffsets);
}

std::string QueryGenerator::Impl::at() {
  count("at");
  const int64_t S = o_.data_start_ms, E = o_.data_end_ms;
  char buf[48];
  switch (rng_.weighted({15, 15, 35, 15, 6, 6, 4})) {
    case 0: return " @ start()";
    case 1: return " @ end()";
    case 2: std::snprintf(buf, sizeof buf, "%lld", (long long)(S + int64_t(rng_.below(241)) * 15'000) / 1000); break;
    case 3: std::snprintf(buf, sizeof buf, "%.3f", double(rng_.between(S - 600'000, E + 600'000)) / 1000); break;
    case 4: std::snprintf(buf, sizeof buf, "%lld", (long long)(E / 1000 + 300)); break;
    case 5: return " @ 0";
    default: std::snprintf(buf, sizeof buf, "%lld", (long long)(S / 1000 - 86400)); break;
  }
  return std::string(" @ ") + buf;
}

std::string QueryGenerator::Impl::modifiers() {
  switch (rng_.weighted({60, 15, 15, 5, 5})) {
    case 1: return offset();
    case 2: return at();
    case 3: return offset() + at();
    case 4: return at() + offset();
    default: return "";
  }
}

std::string QueryGenerator::Impl::range_duration() { return rng_.pick(kRanges).text; }

std::string QueryGenerator::Impl::matrix_selector() {
  count("matrix_selector");
  return vector_selector(false) + "[" + range_duration() + "]" + modifiers();
}

std::string QueryGenerator::Impl::subquery(int depth) {
  count("subquery");
  const Dur range = rng_.pick(kRanges);
  // Steps that keep range/step within the budget; 0 stands for "no step" (1m default).
  std::vector<int64_t> ok;
  const int64_t limit = std::min<int64_t>(budget_, 400);
  for (const Dur& d : kSubSteps) {
    // Prometheus 2.42 answers a subquery without a step-aligned point in its
    // window with one point outside it when the inner expression is step-
    // invariant (known_differences_generated.txt): not generated for it.
    if (o_.prometheus_242 && d.ms > range.ms) continue;
    if (range.ms / d.ms + 1 <= limit) ok.push_back(d.ms);
  }
  std::string step_text;
  int64_t step_ms = 0;
  const bool default_ok = range.ms / 60'000 + 1 <= limit && !(o_.prometheus_242 && range.ms < 60'000);
  if (ok.empty() || (default_ok && rng_.chance(1, 4))) {
    step_ms = 60'000;
    count("subquery:default_step");
  } else {
    step_ms = rng_.pick(ok);
    for (const Dur& d : kSubSteps)
      if (d.ms == step_ms) step_text = d.text;
  }
  if (min_sub_step_ms_ == 0 || step_ms < min_sub_step_ms_) min_sub_step_ms_ = step_ms;
  const int64_t points = range.ms / step_ms + 1;
  const int64_t saved = budget_;
  budget_ = std::max<int64_t>(1, budget_ / points);
  const std::string inner = expr(GenType::kVector, depth + 1);
  budget_ = saved;
  return paren(inner) + "[" + range.text + ":" + step_text + "]" + modifiers();
}

std::string QueryGenerator::Impl::number() {
  static const std::vector<std::string> kEdges = {"0", "1", "-1", "0.5", "2", "10", "1e300", "-1e300", "1e-300",
                                                  "NaN", "Inf", "-Inf", "+Inf", "0x10", "1e3", "3.25", ".5",
                                                  "100", "-0.5", "1e10", "5", "3", "42", "0.1"};
  return rng_.pick(kEdges);
}

}  // namespace strata::promql::fuzz
