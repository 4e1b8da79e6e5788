// The postfix modifiers of selectors and subqueries: `offset`, `@`, range
// brackets and subquery brackets, with Prometheus' checks and messages.
#include <cmath>
#include <limits>

#include "base/duration.h"
#include "promql/parser/go_format.h"
#include "promql/parser/parser_impl.h"

namespace strata::promql::parser {
namespace {

// timestamp.FromFloatSeconds with Go's amd64 float->int64 conversion, which
// yields INT64_MIN when the value does not fit.
int64_t from_float_seconds(double s) {
  double ms = std::round(s * 1000);
  if (!(ms >= -9223372036854775808.0 && ms < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return int64_t(ms);
}

// Go's time.Duration(seconds * 1000) * time.Millisecond, in ms; nullopt when
// the nanoseconds do not fit an int64 (Go would silently wrap around).
std::optional<int64_t> seconds_to_ms(double s) {
  double ms = std::trunc(s * 1000);
  if (!(std::fabs(ms) < 9223372036854.0)) return std::nullopt;
  return int64_t(ms);
}

struct AtSlot {
  AtModifier* at = nullptr;
  int* end = nullptr;
};

AtSlot at_slot(Expr* e) {
  switch (e->kind) {
    case Kind::kVectorSelector: return {&e->as<VectorSelector>().at, &e->pos.end};
    case Kind::kMatrixSelector: return {&e->as<MatrixSelector>().selector->at, &e->pos.end};
    case Kind::kSubquery: return {&e->as<Subquery>().at, &e->pos.end};
    default: return {};
  }
}

}  // namespace

std::optional<int64_t> Parser::parse_duration_token(const Token& t, bool positive) {
  int64_t ms;
  if (t.type == Tok::kNumber) {
    auto v = parse_number(t);
    if (!v) return std::nullopt;
    auto m = seconds_to_ms(*v);
    if (!m) {
      add_error(t.pos, "duration out of range");
      return std::nullopt;
    }
    ms = *m;
  } else {
    auto d = parse_duration(t.text);
    if (!d.ok()) {
      add_error(t.pos, std::string(d.status().message()));
      return std::nullopt;
    }
    ms = *d;
  }
  if (positive && ms <= 0) {
    add_error(t.pos, "duration must be greater than 0");
    return std::nullopt;
  }
  return ms;
}

ExprPtr Parser::parse_postfix(ExprPtr e) {
  for (;;) {
    const Token& t = peek();
    if (failed()) return nullptr;
    bool ok = true;
    if (t.type == Tok::kOffset) {
      consume();
      ok = parse_offset(e.get());
    } else if (t.type == Tok::kAt) {
      consume();
      ok = parse_at(e.get());
    } else if (t.type == Tok::kLeftBracket) {
      e = parse_range_or_subquery(std::move(e));
      ok = e != nullptr && check_height(*e);
    } else {
      return e;
    }
    if (!ok) return nullptr;
  }
}

bool Parser::parse_offset(Expr* e) {
  const Token* t = &peek();
  if (failed()) return false;
  bool negative = t->type == Tok::kSub;
  if (negative) {
    consume();
    t = &peek();
    if (failed()) return false;
  }
  if (t->type != Tok::kDuration && !(v3() && t->type == Tok::kNumber)) {
    unexpected(*t, "offset", v3() ? "number or duration" : "duration");
    return false;
  }
  Token d = consume();
  // Prometheus 2 rejects a zero offset like any zero duration.
  auto ms = parse_duration_token(d, !v3());
  if (!ms) return false;
  int64_t* slot = nullptr;
  switch (e->kind) {
    case Kind::kVectorSelector: slot = &e->as<VectorSelector>().offset_ms; break;
    case Kind::kMatrixSelector: slot = &e->as<MatrixSelector>().selector->offset_ms; break;
    case Kind::kSubquery: slot = &e->as<Subquery>().offset_ms; break;
    default:
      add_error(e->pos.start,
                "offset modifier must be preceded by an instant vector selector or range "
                "vector selector or a subquery");
      return false;
  }
  if (*slot != 0) {
    add_error(e->pos.start, "offset may not be set multiple times");
    return false;
  }
  *slot = negative ? -*ms : *ms;
  e->pos.end = last_closing_;
  return true;
}

bool Parser::parse_at(Expr* e) {
  const Token* t = &peek();
  if (failed()) return false;
  AtModifier at;
  if (t->type == Tok::kStart || t->type == Tok::kEnd) {
    at.kind = consume().type == Tok::kStart ? AtKind::kStart : AtKind::kEnd;
    for (Tok want : {Tok::kLeftParen, Tok::kRightParen}) {
      t = &peek();
      if (failed()) return false;
      if (t->type != want) {
        unexpected(*t, "@", "timestamp");
        return false;
      }
      consume();
    }
  } else {
    double sign = 1;
    if (t->type == Tok::kAdd || t->type == Tok::kSub) {
      if (consume().type == Tok::kSub) sign = -1;
      t = &peek();
      if (failed()) return false;
    }
    if (t->type != Tok::kNumber && !(v3() && t->type == Tok::kDuration)) {
      unexpected(*t, "@", "timestamp");
      return false;
    }
    Token n = consume();
    double ts;
    if (n.type == Tok::kNumber) {
      auto v = parse_number(n);
      if (!v) return false;
      ts = *v;
    } else {
      auto ms = parse_duration_token(n, false);
      if (!ms) return false;
      ts = double(*ms) / 1000;
    }
    ts *= sign;
    if (std::isinf(ts) || std::isnan(ts) || ts >= 9223372036854775807.0 ||
        ts <= -9223372036854775808.0) {
      add_error(e->pos.start,
                "timestamp out of bounds for @ modifier: " + format_float_f(ts, 6));
      return false;
    }
    at.kind = AtKind::kTimestamp;
    at.timestamp_ms = from_float_seconds(ts);
  }
  AtSlot slot = at_slot(e);
  if (!slot.at) {
    add_error(e->pos.start,
              "@ modifier must be preceded by an instant vector selector or range vector "
              "selector or a subquery");
    return false;
  }
  if (slot.at->kind != AtKind::kNone) {
    add_error(e->pos.start, "@ <timestamp> may not be set multiple times");
    return false;
  }
  *slot.at = at;
  *slot.end = last_closing_;
  return true;
}

ExprPtr Parser::parse_range_or_subquery(ExprPtr e) {
  Token lb = consume();
  const Token* t = &peek();
  if (failed()) return nullptr;
  auto is_duration = [&](const Token& tok) {
    return tok.type == Tok::kDuration || (v3() && tok.type == Tok::kNumber);
  };
  if (!is_duration(*t)) {
    unexpected(*t, "subquery selector", v3() ? "number or duration" : "duration");
    return nullptr;
  }
  auto range = parse_duration_token(consume(), true);
  if (!range) return nullptr;
  t = &peek();
  if (failed()) return nullptr;
  if (t->type == Tok::kRightBracket) {
    consume();
    const char* err = nullptr;
    auto* vs = e->dyn<VectorSelector>();
    if (!vs) {
      err = "ranges only allowed for vector selectors";
    } else if (vs->offset_ms != 0) {
      err = "no offset modifiers allowed before range";
    } else if (vs->at.kind == AtKind::kTimestamp) {
      err = "no @ modifiers allowed before range";
    }
    if (err) {
      add_error(lb.pos, err);
      return nullptr;
    }
    auto m = std::make_unique<MatrixSelector>();
    m->pos = {e->pos.start, last_closing_};
    m->range_ms = *range;
    m->selector.reset(static_cast<VectorSelector*>(e.release()));
    return m;
  }
  if (t->type != Tok::kColon) {
    unexpected(*t, "subquery or range", "\":\" or \"]\"");
    return nullptr;
  }
  consume();
  auto sq = std::make_unique<Subquery>();
  sq->range_ms = *range;
  t = &peek();
  if (failed()) return nullptr;
  if (is_duration(*t)) {
    auto step = parse_duration_token(consume(), true);
    if (!step) return nullptr;
    sq->step_ms = *step;
    t = &peek();
    if (failed()) return nullptr;
    if (t->type != Tok::kRightBracket) {
      unexpected(*t, "subquery selector", "\"]\"");
      return nullptr;
    }
  } else if (t->type != Tok::kRightBracket) {
    unexpected(*t, "subquery selector",
               v3() ? "number or duration or \"]\"" : "duration or \"]\"");
    return nullptr;
  }
  Token rb = consume();
  sq->pos = {e->pos.start, rb.pos + 1};
  sq->expr = std::move(e);
  return sq;
}

}  // namespace strata::promql::parser
