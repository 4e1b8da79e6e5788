// PromQL tokens and how Prometheus names them in "unexpected ..." errors.
#pragma once

#include <string>
#include <string_view>

namespace strata::promql::parser {

// Grouped like Prometheus' item types, because the groups decide how a token
// is described in error messages (<op:+>, <aggr:sum>, <by>, "(").
enum class Tok {
  kEOF, kError,
  kIdentifier, kMetricIdentifier, kNumber, kDuration, kString,
  kLeftParen, kRightParen, kLeftBrace, kRightBrace, kLeftBracket, kRightBracket,
  kComma, kColon, kEql,
  // Operators.
  kAdd, kDiv, kEqlc, kEqlRegex, kGte, kGtr, kLand, kLor, kLss, kLte, kLunless, kMod, kMul,
  kNeq, kNeqRegex, kPow, kSub, kAt, kAtan2,
  // Aggregators.
  kAvg, kBottomk, kCount, kCountValues, kGroup, kMax, kMin, kQuantile, kStddev, kStdvar, kSum,
  kTopk, kLimitk, kLimitRatio,
  // Keywords.
  kBool, kBy, kGroupLeft, kGroupRight, kIgnoring, kOffset, kOn, kWithout,
  // Preprocessors of `@`.
  kStart, kEnd,
};

struct Token {
  Tok type = Tok::kEOF;
  int pos = 0;             // byte offset of the first character
  std::string_view text;   // the characters as written (a view into the query)
  int end() const { return pos + int(text.size()); }
};

inline bool is_operator(Tok t) { return t >= Tok::kAdd && t <= Tok::kAtan2; }
inline bool is_aggregator(Tok t) { return t >= Tok::kAvg && t <= Tok::kLimitRatio; }
inline bool is_keyword(Tok t) { return t >= Tok::kBool && t <= Tok::kWithout; }

// Prometheus' Item.desc(): `identifier "foo"`, `number "1"`, `"("`, `<op:+>`,
// `<aggr:sum>`, `<by>`, `end of input`; long strings, numbers and durations
// are cut to 10 characters: `string "\"abcdefghi"...`.
std::string describe(const Token& t);

}  // namespace strata::promql::parser
