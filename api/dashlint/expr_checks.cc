#include "api/dashlint/expr_checks.h"

#include <algorithm>
#include <cstdio>

#include "base/duration.h"
#include "promql/parser/functions.h"

namespace strata::dashlint {
namespace {

using promql::parser::AggregateOp;
using promql::parser::Aggregate;
using promql::parser::Call;
using promql::parser::Expr;
using promql::parser::FunctionId;
using promql::parser::Kind;
using promql::parser::MatrixSelector;
using promql::parser::NumberLiteral;
using promql::parser::Subquery;
using promql::parser::VectorSelector;

// The name a selector selects by equality, or "".
std::string selected_name(const VectorSelector& vs) {
  if (!vs.name.empty()) return vs.name;
  for (const auto& m : vs.matchers)
    if (m.name() == "__name__" && m.type() == tsdb::MatchType::kEqual) return m.value();
  return "";
}

// Aggregations that keep every label of their input.
bool keeps_labels(AggregateOp op) {
  return op == AggregateOp::kTopk || op == AggregateOp::kBottomk || op == AggregateOp::kLimitk ||
         op == AggregateOp::kLimitRatio;
}

bool drops_le(const Aggregate& a) {
  if (keeps_labels(a.op)) return false;
  bool listed = std::find(a.grouping.begin(), a.grouping.end(), "le") != a.grouping.end();
  return a.without ? listed : !listed;
}

// The outermost aggregation under `e` (histogram_quantile's argument) that
// drops `le`, looking through functions, operators, parentheses and
// label-keeping aggregations.
const Aggregate* le_dropping_aggregation(const Expr& e) {
  if (const auto* a = e.dyn<Aggregate>(); a && drops_le(*a)) return a;
  for (const Expr* c : promql::parser::children(e)) {
    if (c->kind == Kind::kNumberLiteral || c->kind == Kind::kStringLiteral) continue;
    if (const Aggregate* a = le_dropping_aggregation(*c)) return a;
  }
  return nullptr;
}

bool selects_buckets(const Expr& e) {
  bool found = false;
  promql::parser::walk(e, [&](const Expr& x) {
    if (const auto* vs = x.dyn<VectorSelector>()) found = found || selected_name(*vs).ends_with("_bucket");
  });
  return found;
}

std::string grouping_text(const Aggregate& a) {
  std::string s(promql::parser::op_string(a.op));
  if (a.grouping.empty() && !a.without) return s;
  s += a.without ? " without (" : " by (";
  for (size_t i = 0; i < a.grouping.size(); ++i) s += (i ? ", " : "") + a.grouping[i];
  return s + ")";
}

// How many scrape intervals a range function needs to see two samples
// reliably (Grafana's and Prometheus' advice: four for rate and increase);
// 0 for functions that are not checked.
int needed_intervals(FunctionId id) {
  switch (id) {
    case FunctionId::kRate:
    case FunctionId::kIncrease:
    case FunctionId::kDelta:
    case FunctionId::kDeriv: return 4;
    case FunctionId::kIrate:
    case FunctionId::kIdelta: return 2;
    default: return 0;
  }
}

std::string shortest(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

bool is_counter_function(FunctionId id) {
  return id == FunctionId::kRate || id == FunctionId::kIncrease || id == FunctionId::kIrate;
}

class Checker {
 public:
  Checker(const Interpolated& interp, int offset, int64_t scrape_ms)
      : interp_(interp), offset_(offset), scrape_ms_(scrape_ms) {}

  void run(const Expr& root) {
    promql::parser::walk(root, [&](const Expr& e) {
      if (const auto* c = e.dyn<Call>()) call(*c);
      if (const auto* m = e.dyn<MatrixSelector>()) matrix(*m);
    });
  }

  std::vector<ExprIssue> issues;

 private:
  // The range of a matrix selector as Prometheus prints it ("5m").
  static std::string range_as_written(const MatrixSelector& m) {
    return format_duration(m.range_ms);
  }

  // Whether the brackets of `m` came from $__rate_interval.
  bool from_rate_interval(const MatrixSelector& m) const {
    for (const Reference& r : interp_.refs) {
      if (r.builtin != Builtin::kRateInterval) continue;
      if (r.out_start < offset_ + m.pos.end && offset_ + m.selector->pos.end < r.out_end) return true;
    }
    return false;
  }

  std::string via(const MatrixSelector& m) const {
    const Reference* r = interp_.overlapping(offset_ + m.selector->pos.end, offset_ + m.pos.end);
    return r ? " (from $" + r->name + ")" : "";
  }

  void call(const Call& c) {
    FunctionId id = c.func->id;
    if (id == FunctionId::kHistogramQuantile && c.args.size() == 2) {
      if (const auto* phi = c.args[0]->dyn<NumberLiteral>(); phi && (phi->value < 0 || phi->value > 1))
        issues.push_back({Severity::kWarning, Check::kHistogramQuantilePhi,
                          "histogram_quantile with φ " + shortest(phi->value) +
                              " outside [0, 1] returns ±Inf"});
      if (const Aggregate* a = le_dropping_aggregation(*c.args[1])) {
        bool buckets = selects_buckets(*a);
        std::string msg = "histogram_quantile over " + grouping_text(*a) +
                          ", which drops the \"le\" label: classic buckets need \"le\" in the "
                          "grouping";
        if (!a->without) {
          std::string g;
          for (const auto& l : a->grouping) g += l + ", ";
          msg += ", e.g. " + std::string(promql::parser::op_string(a->op)) + " by (" + g + "le)";
        }
        if (!buckets) msg += " (fine only if the metric is a native histogram)";
        issues.push_back({buckets ? Severity::kError : Severity::kWarning,
                          Check::kHistogramQuantileLe, msg});
      }
    }
    if (is_counter_function(id) && !c.args.empty()) {
      if (const auto* sq = c.args[0]->dyn<Subquery>()) {
        const Expr* inner = sq->expr.get();
        while (const auto* p = inner->dyn<promql::parser::Paren>()) inner = p->expr.get();
        if (inner->kind == Kind::kAggregate)
          issues.push_back({Severity::kWarning, Check::kRateOfAggregation,
                            std::string(c.func->name) +
                                " over a subquery of an aggregation: aggregating first hides "
                                "counter resets; apply " +
                                std::string(c.func->name) + " to the series, then aggregate"});
      }
    }
    int need = needed_intervals(id);
    if (need == 0 || c.args.empty()) return;
    const auto* m = c.args[0]->dyn<MatrixSelector>();
    if (!m || from_rate_interval(*m)) return;
    if (m->range_ms < need * scrape_ms_) {
      reported_.push_back(m);
      issues.push_back(
          {Severity::kWarning, Check::kShortRateRange,
           std::string(c.func->name) + " over [" + range_as_written(*m) + "]" + via(*m) +
               " is shorter than " + std::to_string(need) + " scrape intervals (" +
               format_duration(need * scrape_ms_) + " at " + format_duration(scrape_ms_) +
               "): it can see fewer than two samples; use $__rate_interval or a longer range"});
    }
  }

  void matrix(const MatrixSelector& m) {
    if (std::find(reported_.begin(), reported_.end(), &m) != reported_.end()) return;
    // Calls are visited before their arguments, so a short rate() range is
    // reported once, by call().
    if (m.range_ms < scrape_ms_ && !from_rate_interval(m))
      issues.push_back({Severity::kWarning, Check::kRangeBelowScrape,
                        "range [" + range_as_written(m) + "]" + via(m) +
                            " is shorter than the scrape interval (" + format_duration(scrape_ms_) +
                            "): it often holds no sample"});
  }

  const Interpolated& interp_;
  int offset_;
  int64_t scrape_ms_;
  std::vector<const MatrixSelector*> reported_;
};

}  // namespace

std::vector<ExprIssue> check_expr(const Expr& root, const Interpolated& interp, int offset,
                                  int64_t scrape_interval_ms) {
  Checker c(interp, offset, scrape_interval_ms);
  c.run(root);
  return std::move(c.issues);
}

std::vector<ExprIssue> check_multi_value_equality(const Interpolated& interp) {
  std::vector<ExprIssue> out;
  const std::string& s = interp.text;
  // Find each string literal's opening quote, PromQL's escapes respected.
  std::vector<std::pair<int, int>> strings;  // [open quote, close quote]
  for (int i = 0; i < int(s.size()); ++i) {
    char q = s[i];
    if (q != '"' && q != '\'' && q != '`') continue;
    int j = i + 1;
    while (j < int(s.size()) && s[j] != q) j += (q != '`' && s[j] == '\\') ? 2 : 1;
    strings.emplace_back(i, j);
    i = j;
  }
  for (const Reference& r : interp.refs) {
    if (!r.variable || !r.variable->multi_or_all) continue;
    for (const auto& [open, close] : strings) {
      if (r.out_start <= open || r.out_start > close) continue;
      int k = open - 1;
      while (k >= 0 && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n')) --k;
      if (k >= 0 && s[k] == '=')
        out.push_back({Severity::kWarning, Check::kMultiValueEquality,
                       "variable $" + r.name +
                           " is multi-value or has All, which Grafana writes as a regex "
                           "(\"(a|b)\", or its all value); use =~ (or !~) instead of " +
                           std::string(k > 0 && s[k - 1] == '!' ? "!=" : "=")});
      break;
    }
  }
  return out;
}

std::vector<std::string> metric_names(const Expr& root) {
  std::vector<std::string> out;
  promql::parser::walk(root, [&](const Expr& e) {
    if (const auto* vs = e.dyn<VectorSelector>()) {
      std::string n = selected_name(*vs);
      if (!n.empty() && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    }
  });
  return out;
}

std::vector<CounterUse> counter_uses(const Expr& root) {
  std::vector<CounterUse> out;
  promql::parser::walk(root, [&](const Expr& e) {
    const auto* c = e.dyn<Call>();
    if (!c || !is_counter_function(c->func->id) || c->args.empty()) return;
    if (const auto* m = c->args[0]->dyn<MatrixSelector>()) {
      std::string n = selected_name(*m->selector);
      if (!n.empty()) out.push_back({n, std::string(c->func->name)});
    }
  });
  return out;
}

}  // namespace strata::dashlint
