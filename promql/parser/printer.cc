#include "promql/parser/printer.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/duration.h"
#include "base/float_format.h"
#include "promql/parser/functions.h"
#include "promql/parser/go_format.h"
#include "promql/parser/lexer.h"

namespace strata::promql::parser {
namespace {

// Prometheus' maxCharactersPerLine.
constexpr size_t kMaxLine = 100;

class Printer {
 public:
  explicit Printer(Compat compat) : v3_(compat == Compat::kV3) {}

  std::string str(const Expr& e) const {
    std::string out;
    write(e, &out, std::string::npos);
    return out;
  }
  std::string pretty(const Expr& e, int level) const;

 private:
  std::string label(std::string_view name) const {
    return v3_ && !is_legacy_label_name(name) ? go_quote(name) : std::string(name);
  }
  std::string labels(const std::vector<std::string>& names) const {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) {
      if (i) out += ", ";
      out += label(names[i]);
    }
    return out;
  }
  std::string number(const NumberLiteral& n) const;
  std::string selector(const VectorSelector& vs, bool modifiers) const;
  std::string at_offset(const AtModifier& at, int64_t offset_ms) const;
  std::string subquery_suffix(const Subquery& s) const;
  std::string agg_prefix(const Aggregate& a) const;
  std::string matching(const Binary& b) const;
  std::string binary_op(const Binary& b) const {
    return std::string(op_string(b.op)) + (b.return_bool ? " bool" : "") + matching(b);
  }
  // Appends e's String() form to *out, stopping early once *out is longer
  // than `limit` (so that deciding whether to split a line stays linear).
  void write(const Expr& e, std::string* out, size_t limit) const;
  static std::string indent(int level) { return std::string(size_t(2 * level), ' '); }
  bool needs_split(const Expr& e) const {
    std::string s;
    write(e, &s, kMaxLine);
    return s.size() > kMaxLine;
  }

  bool v3_;
};

std::string Printer::number(const NumberLiteral& n) const {
  if (v3_) {
    if (n.is_duration) {
      int64_t ms = std::llround(n.value * 1000);
      return ms < 0 ? std::string("-").append(format_duration(-ms)) : format_duration(ms);
    }
    return format_float_f(n.value);
  }
  std::string out;
  append_float_go_g(&out, n.value);
  return out;
}

std::string Printer::at_offset(const AtModifier& at, int64_t offset_ms) const {
  std::string out;
  switch (at.kind) {
    case AtKind::kTimestamp:
      out = " @ " + format_float_f(double(at.timestamp_ms) / 1000.0, 3);
      break;
    case AtKind::kStart: out = " @ start()"; break;
    case AtKind::kEnd: out = " @ end()"; break;
    case AtKind::kNone: break;
  }
  if (offset_ms > 0) out += " offset " + format_duration(offset_ms);
  if (offset_ms < 0) out += " offset -" + format_duration(-offset_ms);
  return out;
}

std::string Printer::selector(const VectorSelector& vs, bool modifiers) const {
  std::vector<std::string> parts;
  for (const auto& m : vs.matchers) {
    // The matcher of the name written outside the braces is not repeated.
    if (m.name() == "__name__" && m.type() == tsdb::MatchType::kEqual && m.value() == vs.name &&
        !(v3_ && m.value().empty())) {
      continue;
    }
    parts.push_back(label(m.name()) + tsdb::Matcher::op_string(m.type()) + go_quote(m.value()));
  }
  std::sort(parts.begin(), parts.end());
  std::string out = vs.name;
  if (!parts.empty()) {
    out += '{';
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i) out += ',';
      out += parts[i];
    }
    out += '}';
  }
  if (modifiers) out += at_offset(vs.at, vs.offset_ms);
  return out;
}

std::string Printer::subquery_suffix(const Subquery& s) const {
  std::string out = "[";
  out += format_duration(s.range_ms);
  out += ':';
  if (s.step_ms) out += format_duration(s.step_ms);
  out += ']';
  return out + at_offset(s.at, s.offset_ms);
}

std::string Printer::agg_prefix(const Aggregate& a) const {
  std::string out(op_string(a.op));
  if (a.without) {
    out += " without (" + labels(a.grouping) + ") ";
  } else if (!a.grouping.empty()) {
    out += " by (" + labels(a.grouping) + ") ";
  }
  return out;
}

std::string Printer::matching(const Binary& b) const {
  if (!b.matching) return "";
  const VectorMatching& m = *b.matching;
  bool grouped = m.card == Cardinality::kManyToOne || m.card == Cardinality::kOneToMany;
  // Prometheus 2 prints nothing for `ignoring()` and so loses a following
  // group_left; Prometheus 3 keeps it.
  if (!(m.on || !m.matching_labels.empty() || (v3_ && grouped))) return "";
  std::string out = std::string(m.on ? " on (" : " ignoring (") + labels(m.matching_labels) + ")";
  if (grouped) {
    out += std::string(m.card == Cardinality::kManyToOne ? " group_left (" : " group_right (") +
           labels(m.include) + ")";
  }
  return out;
}

void Printer::write(const Expr& e, std::string* out, size_t limit) const {
  if (out->size() > limit) return;
  switch (e.kind) {
    case Kind::kNumberLiteral: *out += number(e.as<NumberLiteral>()); return;
    case Kind::kStringLiteral: *out += go_quote(e.as<StringLiteral>().value); return;
    case Kind::kVectorSelector: *out += selector(e.as<VectorSelector>(), true); return;
    case Kind::kMatrixSelector: {
      const auto& m = e.as<MatrixSelector>();
      *out += selector(*m.selector, false);
      *out += '[';
      *out += format_duration(m.range_ms);
      *out += ']';
      *out += at_offset(m.selector->at, m.selector->offset_ms);
      return;
    }
    case Kind::kSubquery: {
      const auto& s = e.as<Subquery>();
      write(*s.expr, out, limit);
      *out += subquery_suffix(s);
      return;
    }
    case Kind::kCall: {
      const auto& c = e.as<Call>();
      *out += c.func->name;
      *out += '(';
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i) *out += ", ";
        write(*c.args[i], out, limit);
      }
      *out += ')';
      return;
    }
    case Kind::kAggregate: {
      const auto& a = e.as<Aggregate>();
      *out += agg_prefix(a);
      *out += '(';
      if (a.param) {
        write(*a.param, out, limit);
        *out += ", ";
      }
      write(*a.expr, out, limit);
      *out += ')';
      return;
    }
    case Kind::kBinary: {
      const auto& b = e.as<Binary>();
      write(*b.lhs, out, limit);
      *out += ' ';
      *out += binary_op(b);
      *out += ' ';
      write(*b.rhs, out, limit);
      return;
    }
    case Kind::kUnary: {
      const auto& u = e.as<Unary>();
      *out += u.op == UnaryOp::kMinus ? '-' : '+';
      write(*u.expr, out, limit);
      return;
    }
    case Kind::kParen:
      *out += '(';
      write(*e.as<Paren>().expr, out, limit);
      *out += ')';
      return;
  }
}

std::string Printer::pretty(const Expr& e, int level) const {
  std::string pad = indent(level);
  switch (e.kind) {
    case Kind::kAggregate: {
      if (!needs_split(e)) return pad + str(e);
      const auto& a = e.as<Aggregate>();
      std::string out = pad + agg_prefix(a) + "(\n";
      if (a.param) out += pretty(*a.param, level + 1) + ",\n";
      return out + pretty(*a.expr, level + 1) + "\n" + pad + ")";
    }
    case Kind::kBinary: {
      if (!needs_split(e)) return pad + str(e);
      const auto& b = e.as<Binary>();
      return pretty(*b.lhs, level + 1) + "\n" + pad + binary_op(b) + "\n" +
             pretty(*b.rhs, level + 1);
    }
    case Kind::kCall: {
      if (!needs_split(e)) return pad + str(e);
      const auto& c = e.as<Call>();
      std::string out = pad + std::string(c.func->name) + "(\n";
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i) out += ",\n";
        out += pretty(*c.args[i], level + 1);
      }
      return out + "\n" + pad + ")";
    }
    case Kind::kParen: {
      if (!needs_split(e)) return pad + str(e);
      return pad + "(\n" + pretty(*e.as<Paren>().expr, level + 1) + "\n" + pad + ")";
    }
    case Kind::kSubquery: {
      // Prometheus does not indent a subquery that fits on its line.
      if (!needs_split(e)) return str(e);
      const auto& s = e.as<Subquery>();
      return pretty(*s.expr, level) + subquery_suffix(s);
    }
    case Kind::kUnary: {
      const auto& u = e.as<Unary>();
      std::string child = pretty(*u.expr, level);
      size_t b = child.find_first_not_of(" \t\n\r");
      size_t end = child.find_last_not_of(" \t\n\r");
      child = b == std::string::npos ? "" : child.substr(b, end - b + 1);
      return pad + (u.op == UnaryOp::kMinus ? "-" : "+") + child;
    }
    default:
      return pad + str(e);
  }
}

}  // namespace

std::string to_string(const Expr& e, Compat compat) { return Printer(compat).str(e); }

std::string pretty(const Expr& e, Compat compat) { return Printer(compat).pretty(e, 0); }

}  // namespace strata::promql::parser
