// Function calls and aggregations: argument lists, function lookup,
// experimental-function checks and by/without grouping.
#include "promql/parser/functions.h"
#include "promql/parser/go_format.h"
#include "promql/parser/parser_impl.h"

namespace strata::promql::parser {
namespace {

AggregateOp aggregate_op(Tok t) {
  switch (t) {
    case Tok::kSum: return AggregateOp::kSum;
    case Tok::kAvg: return AggregateOp::kAvg;
    case Tok::kCount: return AggregateOp::kCount;
    case Tok::kMin: return AggregateOp::kMin;
    case Tok::kMax: return AggregateOp::kMax;
    case Tok::kGroup: return AggregateOp::kGroup;
    case Tok::kStddev: return AggregateOp::kStddev;
    case Tok::kStdvar: return AggregateOp::kStdvar;
    case Tok::kTopk: return AggregateOp::kTopk;
    case Tok::kBottomk: return AggregateOp::kBottomk;
    case Tok::kCountValues: return AggregateOp::kCountValues;
    case Tok::kQuantile: return AggregateOp::kQuantile;
    case Tok::kLimitk: return AggregateOp::kLimitk;
    default: return AggregateOp::kLimitRatio;
  }
}

}  // namespace

bool Parser::parse_call_body(std::vector<ExprPtr>* args) {
  consume();  // `(`
  if (accept(Tok::kRightParen)) return true;
  for (;;) {
    ExprPtr e = parse_expr(0);
    if (!e) return false;
    args->push_back(std::move(e));
    int comma = peek().pos;
    switch (list_separator(Tok::kRightParen, "", "")) {
      case Sep::kClosed: return true;
      case Sep::kFailed: return false;
      case Sep::kComma: break;
    }
    const Token& t = peek();
    if (failed()) return false;
    if (!starts_expr(t.type)) {
      add_error(comma, "trailing commas not allowed in function call args");
      return false;
    }
  }
}

ExprPtr Parser::parse_call(const Token& name) {
  auto call = std::make_unique<Call>();
  if (!parse_call_body(&call->args)) return nullptr;
  const Function* f = find_function(name.text, opts_.compat);
  if (f && f->experimental && !opts_.experimental_functions) {
    if (v3()) {
      add_error(name.pos, "function " + go_quote(name.text) + " is not enabled");
      return nullptr;
    }
    f = nullptr;  // Prometheus 2.42 has no experimental functions at all
  }
  if (!f) {
    add_error(name.pos, "unknown function with name " + go_quote(name.text));
    return nullptr;
  }
  call->func = f;
  call->pos = {name.pos, last_closing_};
  return call;
}

ExprPtr Parser::parse_aggregate(const Token& op) {
  auto agg = std::make_unique<Aggregate>();
  agg->op = aggregate_op(op.type);
  std::vector<ExprPtr> args;
  // Errors anywhere inside an aggregation are reported "in aggregation".
  ++agg_depth_;
  bool ok = [&] {
    const Token* t = &peek();
    bool modifier_first = t->type == Tok::kBy || t->type == Tok::kWithout;
    if (modifier_first) {
      agg->without = consume().type == Tok::kWithout;
      if (!parse_grouping_labels(&agg->grouping)) return false;
      t = &peek();
      if (failed()) return false;
      if (t->type != Tok::kLeftParen) {
        syntax_error(*t);
        return false;
      }
    }
    if (!parse_call_body(&args)) return false;
    agg->pos = {op.pos, last_closing_};
    if (modifier_first) return true;
    t = &peek();
    if (failed()) return false;
    if (t->type == Tok::kBy || t->type == Tok::kWithout) {
      agg->without = consume().type == Tok::kWithout;
      if (!parse_grouping_labels(&agg->grouping)) return false;
      agg->pos.end = last_closing_;
    }
    return true;
  }();
  --agg_depth_;
  if (!ok) return nullptr;

  if (args.empty()) {
    add_error(op.pos, "no arguments for aggregate expression provided");
    return nullptr;
  }
  size_t want = 1;
  if (has_param(agg->op)) {
    bool experimental = agg->op == AggregateOp::kLimitk || agg->op == AggregateOp::kLimitRatio;
    if (experimental && !opts_.experimental_functions) {
      add_error(op.pos, std::string(op_string(agg->op)) +
                            "() is experimental and must be enabled with "
                            "--enable-feature=promql-experimental-functions");
      return nullptr;
    }
    want = 2;
  }
  if (args.size() != want) {
    add_error(op.pos, "wrong number of arguments for aggregate expression provided, expected " +
                          std::to_string(want) + ", got " + std::to_string(args.size()));
    return nullptr;
  }
  if (want == 2) agg->param = std::move(args[0]);
  agg->expr = std::move(args[want - 1]);
  return agg;
}

}  // namespace strata::promql::parser
