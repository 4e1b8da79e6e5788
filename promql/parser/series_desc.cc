#include "promql/parser/series_desc.h"

#include <bit>
#include <cctype>

#include "base/duration.h"
#include "promql/parser/go_format.h"
#include "promql/parser/lexer.h"
#include "promql/parser/parser.h"
#include "tsdb/series.h"

namespace strata::promql::parser {
namespace {

// Far beyond any test file (a few thousand points per series) while keeping
// a typo like `0+1x1000000000000` from exhausting memory.
constexpr uint64_t kMaxValues = 10'000'000;

bool is_name_char(char c, bool first) {
  return c == '_' || c == ':' || std::isalpha(static_cast<unsigned char>(c)) ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

class SeriesParser {
 public:
  explicit SeriesParser(std::string_view line) : s_(line) {}

  absl::StatusOr<SeriesDesc> parse();

 private:
  absl::Status error(size_t pos, const std::string& msg) const {
    return absl::InvalidArgumentError(format_parse_error(s_, int(pos), msg));
  }
  absl::Status parse_labels(std::vector<tsdb::Label>* out);
  absl::Status parse_item();
  // A number with optional sign at pos_: decimal, Inf/NaN or a duration.
  bool scan_value(double* v);
  bool scan_uint(uint64_t* n);
  bool scan_histogram();
  void add(SequenceValue v, uint64_t copies) {
    if (copies > kMaxValues - out_.values.size()) {
      too_many_ = true;
      return;
    }
    out_.values.insert(out_.values.end(), copies, v);
  }
  bool at_item_end() const { return pos_ >= s_.size() || std::isspace(uchar(pos_)); }
  unsigned char uchar(size_t i) const { return static_cast<unsigned char>(s_[i]); }

  std::string_view s_;
  size_t pos_ = 0;
  SeriesDesc out_;
  bool too_many_ = false;
};

absl::Status SeriesParser::parse_labels(std::vector<tsdb::Label>* out) {
  // The braces are lexed like a PromQL selector, so strings get PromQL escapes.
  size_t base = pos_;
  Lexer lex(s_.substr(base), Compat::kV2);
  Token t = lex.next();  // `{`
  auto lex_error = [&] { return error(base + size_t(lex.error_pos()), lex.error()); };
  auto unexpected = [&](const Token& tok, const std::string& expected) {
    if (tok.type == Tok::kError) return lex_error();
    return error(base + size_t(tok.pos),
                 "unexpected " + describe(tok) + " in label set, expected " + expected);
  };
  for (;;) {
    t = lex.next();
    if (t.type == Tok::kRightBrace) break;
    // Names that are not legacy identifiers are quoted (Prometheus 3); a
    // quoted string alone is the metric name: {"http.requests", "a.b"="c"}.
    if (t.type != Tok::kIdentifier && t.type != Tok::kString) {
      return unexpected(t, "identifier or \"}\"");
    }
    std::string name = t.type == Tok::kString ? unquote(t.text) : std::string(t.text);
    bool quoted = t.type == Tok::kString;
    t = lex.next();
    if (quoted && (t.type == Tok::kComma || t.type == Tok::kRightBrace)) {
      out->push_back({"__name__", name});
    } else {
      if (t.type != Tok::kEql) return unexpected(t, "\"=\"");
      t = lex.next();
      if (t.type != Tok::kString) return unexpected(t, "string");
      out->push_back({name, unquote(t.text)});
      t = lex.next();
    }
    if (t.type == Tok::kRightBrace) break;
    if (t.type != Tok::kComma) return unexpected(t, "\",\" or \"}\"");
  }
  pos_ = base + size_t(t.end());
  return absl::OkStatus();
}

absl::StatusOr<SeriesDesc> SeriesParser::parse() {
  std::vector<tsdb::Label> labels;
  while (pos_ < s_.size() && std::isspace(uchar(pos_))) ++pos_;
  size_t name_start = pos_;
  while (pos_ < s_.size() && is_name_char(s_[pos_], pos_ == name_start)) ++pos_;
  if (pos_ > name_start) labels.push_back({"__name__", std::string(s_.substr(name_start, pos_ - name_start))});
  if (pos_ < s_.size() && s_[pos_] == '{') {
    if (auto st = parse_labels(&labels); !st.ok()) return st;
  } else if (pos_ == name_start) {
    return error(pos_, "unexpected character at the start of a series description");
  }
  out_.labels = tsdb::Labels::from_unsorted(std::move(labels));
  for (;;) {
    size_t before = pos_;
    while (pos_ < s_.size() && std::isspace(uchar(pos_))) ++pos_;
    if (pos_ >= s_.size()) break;
    if (pos_ == before) return error(pos_, "expected a space before series values");
    size_t item = pos_;
    if (auto st = parse_item(); !st.ok()) return st;
    if (too_many_) {
      return error(item, "more than " + std::to_string(kMaxValues) +
                             " values in a series description");
    }
  }
  return std::move(out_);
}

bool SeriesParser::scan_uint(uint64_t* n) {
  size_t start = pos_;
  while (pos_ < s_.size() && std::isdigit(uchar(pos_))) ++pos_;
  std::string err;
  return pos_ > start && parse_go_uint(s_.substr(start, pos_ - start), n, &err);
}

bool SeriesParser::scan_value(double* v) {
  size_t start = pos_;
  if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
  size_t body = pos_;
  if (pos_ < s_.size() && std::isalpha(uchar(pos_))) {
    while (pos_ < s_.size() && std::isalpha(uchar(pos_)) && s_[pos_] != 'x') ++pos_;
    std::string word(s_.substr(body, pos_ - body));
    for (char& c : word) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (word != "inf" && word != "nan") return false;
  } else {
    // Digits, fraction and exponent; then perhaps duration units.
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      bool exp_sign = (c == '+' || c == '-') && pos_ > body && (s_[pos_ - 1] | 0x20) == 'e';
      if (!(std::isdigit(uchar(pos_)) || c == '.' || c == 'e' || c == 'E' || c == '_' ||
            exp_sign)) {
        break;
      }
      ++pos_;
    }
    size_t units = pos_;
    while (pos_ < s_.size() && std::string_view("smhdwy").find(s_[pos_]) != std::string_view::npos) {
      ++pos_;
      while (pos_ < s_.size() && std::isdigit(uchar(pos_))) ++pos_;
    }
    if (pos_ > units) {
      auto d = parse_duration(s_.substr(body, pos_ - body));
      if (!d.ok()) return false;
      *v = double(*d) / 1000 * (s_[start] == '-' ? -1 : 1);
      return true;
    }
  }
  std::string err;
  if (pos_ == body || !parse_go_number(s_.substr(body, pos_ - body), v, &err)) return false;
  if (s_[start] == '-') *v = -*v;
  return true;
}

bool SeriesParser::scan_histogram() {
  size_t close = s_.find("}}", pos_ + 2);
  if (close == std::string_view::npos) return false;
  pos_ = close + 2;
  out_.has_histograms = true;
  return true;
}

absl::Status SeriesParser::parse_item() {
  size_t start = pos_;
  auto bad = [&] {
    size_t end = start;
    while (end < s_.size() && !std::isspace(uchar(end))) ++end;
    return error(start, "unexpected " + go_quote(s_.substr(start, end - start)) +
                            " in series values");
  };
  auto repeat = [&](uint64_t* n) {
    if (pos_ < s_.size() && s_[pos_] == 'x') {
      ++pos_;
      return scan_uint(n);
    }
    return false;
  };
  uint64_t n = 0;
  if (s_.substr(pos_, 1) == "_") {
    ++pos_;
    if (at_item_end()) {
      add({.omitted = true}, 1);
      return absl::OkStatus();
    }
    if (!repeat(&n) || !at_item_end()) return bad();
    add({.omitted = true}, n);
    return absl::OkStatus();
  }
  if (s_.substr(pos_, 5) == "stale" && (pos_ + 5 >= s_.size() || std::isspace(uchar(pos_ + 5)))) {
    pos_ += 5;
    add({.value = stale_nan()}, 1);
    return absl::OkStatus();
  }
  if (s_.substr(pos_, 2) == "{{") {
    if (!scan_histogram()) return bad();
    SequenceValue h{.histogram = true};
    if (at_item_end()) {
      add(h, 1);
    } else if (s_[pos_] == '+' || s_[pos_] == '-') {
      ++pos_;
      if (s_.substr(pos_, 2) != "{{" || !scan_histogram() || !repeat(&n) || !at_item_end()) {
        return bad();
      }
      add(h, n + 1);
    } else {
      if (!repeat(&n) || !at_item_end()) return bad();
      add(h, n + 1);
    }
    return absl::OkStatus();
  }
  double v;
  if (!scan_value(&v)) return bad();
  if (at_item_end()) {
    add({.value = v}, 1);
    return absl::OkStatus();
  }
  if (s_[pos_] == 'x') {
    if (!repeat(&n) || !at_item_end()) return bad();
    add({.value = v}, n + 1);
    return absl::OkStatus();
  }
  double inc;
  if (!(s_[pos_] == '+' || s_[pos_] == '-') || !scan_value(&inc) || !repeat(&n) ||
      !at_item_end()) {
    return bad();
  }
  // Accumulated like Prometheus (v += inc per step), not v + i*inc.
  for (uint64_t i = 0; i <= n && !too_many_; ++i, v += inc) add({.value = v}, 1);
  return absl::OkStatus();
}

}  // namespace

double stale_nan() { return std::bit_cast<double>(tsdb::kStaleNaNBits); }

bool is_stale_nan(double v) { return std::bit_cast<uint64_t>(v) == tsdb::kStaleNaNBits; }

absl::StatusOr<SeriesDesc> parse_series_desc(std::string_view line) {
  return SeriesParser(line).parse();
}

}  // namespace strata::promql::parser
