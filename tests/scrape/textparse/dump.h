// One line per parsed entry, for textparse_tool --dump and the tests:
//   series "__name__"="a" "b"="c" 1.5 @1000 # {"id"="x" } 2 @3000
//   type "a" counter | help "a" "text" | unit "a" "s" | comment "# x"
// Names and texts Go-quoted, values as Go's 'g' format writes them.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/float_format.h"
#include "base/go_quote.h"
#include "scrape/textparse/parser.h"

namespace strata::scrape::textparse::testing {

inline std::string dump_labels(const std::vector<tsdb::LabelView>& labels) {
  std::string s;
  for (const auto& [n, v] : labels) s += go_quote(n) + "=" + go_quote(v) + " ";
  return s;
}

// The line for the entry `p` just returned (`e`, not kEof).
inline std::string dump_entry(Parser& p, Entry e) {
  std::string line;
  switch (e) {
    case Entry::kSeries: {
      std::vector<tsdb::LabelView> labels;
      p.labels(&labels);
      line = "series " + dump_labels(labels);
      append_float_go_g(&line, p.value());
      if (p.timestamp_ms()) line += " @" + std::to_string(*p.timestamp_ms());
      ParsedExemplar ex;
      if (p.exemplar(&ex)) {
        line += " # {" + dump_labels(ex.labels) + "} ";
        append_float_go_g(&line, ex.value);
        if (ex.t_ms) line += " @" + std::to_string(*ex.t_ms);
      }
      return line;
    }
    case Entry::kType:
      return "type " + go_quote(p.metric_family()) + " " + metric_type_name(p.type());
    case Entry::kHelp:
      return "help " + go_quote(p.metric_family()) + " " + go_quote(p.help());
    case Entry::kUnit:
      return "unit " + go_quote(p.metric_family()) + " " + go_quote(p.unit());
    case Entry::kComment:
      return "comment " + go_quote(p.comment());
    case Entry::kEof:
      break;
  }
  return line;
}

// Every entry of `body`, and the error that ended the parse ("" at kEof).
struct Parsed {
  std::vector<std::string> entries;
  std::string error;
};
inline Parsed parse_all(Format f, std::string_view body) {
  Parsed out;
  auto p = Parser::create(f, body);
  for (;;) {
    absl::StatusOr<Entry> e = p->next();
    if (!e.ok()) {
      out.error = std::string(e.status().message());
      return out;
    }
    if (*e == Entry::kEof) return out;
    out.entries.push_back(dump_entry(*p, *e));
  }
}

// Parses all of `body`, passing every view the parser hands out to
// touch(std::string_view): labels, exemplars, series keys, metadata. Returns
// the error that ended the parse, OK at kEof.
template <class Touch>
absl::Status visit_all(Format f, std::string_view body, Touch&& touch) {
  auto p = Parser::create(f, body);
  std::vector<tsdb::LabelView> labels;
  ParsedExemplar ex;
  for (;;) {
    absl::StatusOr<Entry> e = p->next();
    if (!e.ok()) return e.status();
    switch (*e) {
      case Entry::kEof:
        return absl::OkStatus();
      case Entry::kSeries:
        labels.clear();
        p->labels(&labels);
        for (auto& [n, v] : labels) touch(n), touch(v);
        touch(p->series());
        if (p->exemplar(&ex)) {
          for (auto& [n, v] : ex.labels) touch(n), touch(v);
        }
        break;
      default:
        touch(p->metric_family());
        touch(p->help());
        touch(p->unit());
        touch(p->comment());
    }
  }
}

}  // namespace strata::scrape::textparse::testing
