// libFuzzer target for the PromQL front end. The first byte picks the dialect
// and whether experimental functions are on; the rest is the query. Besides
// "no crash, no sanitizer report" it checks that printing is a fixed point:
// a parsed query prints to text that parses again and prints the same.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/duration.h"
#include "promql/parser/parser.h"
#include "promql/parser/printer.h"
#include "promql/parser/series_desc.h"

using namespace strata::promql;

// Printing is a fixed point: the printed query parses again and prints the
// same, and so does a clone; the pretty form parses.
static void check_printing(const parser::Expr& e, const parser::ParseOptions& opts) {
  std::string once = parser::to_string(e, opts.compat);
  auto copy = parser::clone(e);
  if (parser::to_string(*copy, opts.compat) != once) abort();
  // Where Prometheus' printing is not a fixed point either, the checks
  // below do not apply:
  //  - a string holding U+FFFD prints it as is (Go's strconv.Quote), and
  //    the lexer rejects that rune in a string (seed crash-ufffd);
  //  - the literal Inf prints as "+Inf", and "+Inf ^ 5" parses as
  //    +(Inf ^ 5), which prints "++Inf ^ 5" (seed crash-inf-pow).
  if (once.find("\xEF\xBF\xBD") != std::string::npos) return;
  auto again = parser::parse_expr(once, opts);
  if (!again.ok()) {
    fprintf(stderr, "printed query does not parse:\n%s\n%s\n", once.c_str(),
            std::string(again.status().message()).c_str());
    abort();
  }
  std::string twice = parser::to_string(**again, opts.compat);
  auto third = parser::parse_expr(twice, opts);
  const bool prometheus_unstable = once.find("+Inf ^") != std::string::npos;
  if (!prometheus_unstable && (!third.ok() || parser::to_string(**third, opts.compat) != twice)) {
    fprintf(stderr, "printing is not stable:\n%s\n%s\n", once.c_str(), twice.c_str());
    abort();
  }
  if (!parser::parse_expr(parser::pretty(e, opts.compat), opts).ok()) {
    fprintf(stderr, "pretty query does not parse:\n%s\n", once.c_str());
    abort();
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  parser::ParseOptions opts;
  opts.compat = (data[0] & 1) ? Compat::kV2 : Compat::kV3;
  opts.experimental_functions = (data[0] & 2) != 0;
  std::string q(reinterpret_cast<const char*>(data + 1), size - 1);

  auto e = parser::parse_expr(q, opts);
  if (e.ok()) check_printing(**e, opts);
  (void)parser::parse_metric_selector(q, opts);
  (void)parser::parse_series_desc(q);
  (void)strata::parse_duration(q);
  return 0;
}
