// parse_matchers(): Alertmanager's matcher strings (config.h), written from
// its documented grammar: `{` and `}` optional, matchers separated by
// commas, a label name, one of = != =~ !~, and a value either double-quoted
// (with \" \\ \n escapes) or bare (up to the next comma, spaces trimmed).
#include <cctype>
#include <string>

#include "absl/status/status.h"
#include "base/status.h"
#include "rules/dispatch/config.h"
#include "tsdb/labels/labels.h"

namespace strata::rules::dispatch {
namespace {

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return name_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void skip_space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool consume(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  absl::Status error(std::string_view what) const {
    return absl::InvalidArgumentError("bad matcher format: " + std::string(what) + " at char " +
                                      std::to_string(i_ + 1) + " of " + tsdb::go_quote(s_));
  }
  absl::StatusOr<std::string> name() {
    skip_space();
    size_t start = i_;
    if (!name_start(peek())) return error("expected a label name");
    while (!done() && name_char(s_[i_])) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }
  absl::StatusOr<tsdb::MatchType> op() {
    skip_space();
    if (consume('=')) return consume('~') ? tsdb::MatchType::kRegexMatch : tsdb::MatchType::kEqual;
    if (consume('!')) {
      if (consume('=')) return tsdb::MatchType::kNotEqual;
      if (consume('~')) return tsdb::MatchType::kRegexNoMatch;
    }
    return error("expected one of =, !=, =~, !~");
  }
  absl::StatusOr<std::string> value(bool braced) {
    skip_space();
    std::string out;
    if (consume('"')) {
      while (true) {
        if (done()) return error("unterminated quoted value");
        char c = s_[i_++];
        if (c == '"') return out;
        if (c == '\\') {
          if (done()) return error("unterminated quoted value");
          char e = s_[i_++];
          if (e == 'n')
            out.push_back('\n');
          else if (e == 't')
            out.push_back('\t');
          else if (e == '"' || e == '\\')
            out.push_back(e);
          else
            return error("invalid escape");
        } else {
          out.push_back(c);
        }
      }
    }
    while (!done() && s_[i_] != ',' && !(braced && s_[i_] == '}')) {
      if (s_[i_] == '"') return error("unexpected quote in a bare value");
      out.push_back(s_[i_++]);
    }
    while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
    return out;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<tsdb::Matcher>> parse_matchers(std::string_view text) {
  // Bounded like every untrusted input: a config line, not a document.
  if (text.size() > 64 * 1024) return absl::InvalidArgumentError("matcher string too long");
  Scanner sc(text);
  sc.skip_space();
  bool braced = sc.consume('{');
  std::vector<tsdb::Matcher> out;
  sc.skip_space();
  if (braced && sc.consume('}')) {
    sc.skip_space();
    if (!sc.done()) return sc.error("unexpected text after }");
    return out;
  }
  while (true) {
    STRATA_ASSIGN_OR_RETURN(std::string name, sc.name());
    STRATA_ASSIGN_OR_RETURN(tsdb::MatchType type, sc.op());
    STRATA_ASSIGN_OR_RETURN(std::string value, sc.value(braced));
    auto m =
        tsdb::Matcher::make(type, name, value, tsdb::RegexOptions{.dot_matches_newline = false});
    if (!m.ok()) return absl::InvalidArgumentError(std::string(m.status().message()));
    out.push_back(*std::move(m));
    sc.skip_space();
    if (sc.consume(',')) {
      sc.skip_space();
      // A trailing comma before the end or the brace is accepted, as in PromQL.
      if (sc.done() || (braced && sc.peek() == '}')) break;
      continue;
    }
    break;
  }
  if (braced && !sc.consume('}')) return sc.error("expected , or }");
  sc.skip_space();
  if (!sc.done()) return sc.error("expected , or end of text");
  if (out.empty()) return sc.error("no matchers");
  return out;
}

}  // namespace strata::rules::dispatch
