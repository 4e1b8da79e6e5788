#include "rules/template/go_regexp.h"

#include <vector>

#include "base/go_quote.h"
#include "rules/template/str_cat.h"

namespace strata::rules::tmpl {
namespace {

std::string_view go_error_code(RE2::ErrorCode code) {
  switch (code) {
    case RE2::ErrorBadEscape:
      return "invalid escape sequence";
    case RE2::ErrorBadCharClass:
      return "invalid character class";
    case RE2::ErrorBadCharRange:
      return "invalid character class range";
    case RE2::ErrorMissingBracket:
      return "missing closing ]";
    case RE2::ErrorMissingParen:
      return "missing closing )";
    case RE2::ErrorUnexpectedParen:
      return "unexpected )";
    case RE2::ErrorTrailingBackslash:
      return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument:
      return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize:
      return "invalid repeat count";
    case RE2::ErrorRepeatOp:
      return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp:
      return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8:
      return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture:
      return "invalid named capture";
    case RE2::ErrorPatternTooLarge:
      return "expression too large";
    default:
      return "internal error";
  }
}

// strconv.CanBackquote.
bool can_backquote(std::string_view s) {
  while (!s.empty()) {
    DecodedRune r = decode_rune(s);
    if (r.rune == kRuneError && r.width == 1) return false;
    if (r.rune == '`' || r.rune == 0xFEFF) return false;
    if (r.rune < ' ' && r.rune != '\t') return false;
    if (r.rune == 0x7F) return false;
    s.remove_prefix(r.width);
  }
  return true;
}

bool is_name_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Go's regexp.extract: a $name or ${name} reference at the start of `t`
// (after the '$'). Returns the bytes consumed, or 0 when malformed.
size_t extract_name(std::string_view t, std::string* name) {
  if (t.empty()) return 0;
  bool brace = false;
  size_t i = 0;
  if (t[0] == '{') {
    brace = true;
    i = 1;
  }
  size_t start = i;
  while (i < t.size() && (is_name_byte(t[i]) || static_cast<unsigned char>(t[i]) >= 0x80)) {
    // Go accepts Unicode letters and digits too; approximate non-ASCII as letters.
    ++i;
  }
  if (i == start) return 0;
  *name = std::string(t.substr(start, i - start));
  if (brace) {
    if (i >= t.size() || t[i] != '}') return 0;
    ++i;
  }
  return i;
}

void expand(std::string* dst, std::string_view tmpl, const RE2& re,
            const std::vector<std::string_view>& groups) {
  while (!tmpl.empty()) {
    size_t d = tmpl.find('$');
    if (d == std::string_view::npos) break;
    dst->append(tmpl.substr(0, d));
    tmpl.remove_prefix(d);
    if (tmpl.size() > 1 && tmpl[1] == '$') {
      dst->push_back('$');
      tmpl.remove_prefix(2);
      continue;
    }
    std::string name;
    size_t used = extract_name(tmpl.substr(1), &name);
    if (used == 0) {
      dst->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    tmpl.remove_prefix(1 + used);
    bool numeric = !name.empty();
    int64_t num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num > 100000) {
        numeric = false;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (numeric) {
      if (num < static_cast<int64_t>(groups.size()) && groups[num].data() != nullptr) {
        dst->append(groups[num]);
      }
      continue;
    }
    const auto& named = re.NamedCapturingGroups();
    auto it = named.find(name);
    if (it != named.end() && it->second < static_cast<int>(groups.size()) &&
        groups[it->second].data() != nullptr) {
      dst->append(groups[it->second]);
    }
  }
  dst->append(tmpl);
}

}  // namespace

absl::StatusOr<std::unique_ptr<RE2>> go_regexp_compile(std::string_view pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(8 << 20);  // bounds a hostile pattern's automaton
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), opts);
  if (!re->ok()) {
    return absl::InvalidArgumentError(cat("error parsing regexp: ", go_error_code(re->error_code()),
                                          ": `", std::string(re->error_arg()), "`"));
  }
  return re;
}

absl::StatusOr<std::string> go_regexp_replace_all(const RE2& re, std::string_view src,
                                                  std::string_view repl, size_t max_bytes) {
  const int ngroups = 1 + re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece> pieces(ngroups);
  std::vector<std::string_view> groups(ngroups);
  std::string buf;
  size_t last_match_end = 0;
  size_t search_pos = 0;
  while (search_pos <= src.size()) {
    if (!re.Match(re2::StringPiece(src.data(), src.size()), search_pos, src.size(), RE2::UNANCHORED,
                  pieces.data(), ngroups)) {
      break;
    }
    for (int g = 0; g < ngroups; ++g) {
      groups[g] = pieces[g].data() == nullptr
                      ? std::string_view()
                      : std::string_view(pieces[g].data(), pieces[g].size());
    }
    size_t a0 = groups[0].data() - src.data();
    size_t a1 = a0 + groups[0].size();
    buf.append(src.substr(last_match_end, a0 - last_match_end));
    if (a1 > last_match_end || a0 == 0) expand(&buf, repl, re, groups);
    if (buf.size() > max_bytes) {
      return absl::ResourceExhaustedError(cat("result exceeds ", max_bytes, " bytes"));
    }
    last_match_end = a1;
    size_t width = search_pos < src.size() ? decode_rune(src.substr(search_pos)).width : 0;
    if (search_pos + width > a1) {
      search_pos += width;
    } else if (search_pos + 1 > a1) {
      search_pos++;
    } else {
      search_pos = a1;
    }
  }
  buf.append(src.substr(std::min(last_match_end, src.size())));
  if (buf.size() > max_bytes) {
    return absl::ResourceExhaustedError(cat("result exceeds ", max_bytes, " bytes"));
  }
  return buf;
}

std::string go_must_compile_message(std::string_view pattern, std::string_view error) {
  std::string q = can_backquote(pattern) ? cat("`", pattern, "`") : go_quote(pattern);
  return cat("regexp: Compile(", q, "): ", error);
}

}  // namespace strata::rules::tmpl
