#include "promql/parser/token.h"

#include "promql/parser/go_format.h"

namespace strata::promql::parser {
namespace {

// Item.String() for tokens without a type word: quoted, cut after 10 runes.
std::string quoted(std::string_view text) {
  if (text.size() > 10) return go_quote_prefix(text, 10) + "...";
  return go_quote(text);
}

}  // namespace

std::string describe(const Token& t) {
  switch (t.type) {
    case Tok::kEOF: return "end of input";
    case Tok::kError: return "error";
    case Tok::kIdentifier: return "identifier " + go_quote(t.text);
    case Tok::kMetricIdentifier: return "metric identifier " + go_quote(t.text);
    case Tok::kNumber: return "number " + quoted(t.text);
    case Tok::kDuration: return "duration " + quoted(t.text);
    case Tok::kString: return "string " + quoted(t.text);
    default: break;
  }
  std::string out;
  if (is_keyword(t.type)) {
    out = "<";
  } else if (is_operator(t.type)) {
    out = "<op:";
  } else if (is_aggregator(t.type)) {
    out = "<aggr:";
  } else {
    return quoted(t.text);
  }
  out.append(t.text);
  out.push_back('>');
  return out;
}

}  // namespace strata::promql::parser
