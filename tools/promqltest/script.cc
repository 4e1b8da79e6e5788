#include "tools/promqltest/script.h"

#include <cctype>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/duration.h"
#include "base/float_format.h"
#include "re2/re2.h"

namespace strata::promqltest {
namespace {

std::string trim(std::string_view s) {
  return std::string(absl::StripAsciiWhitespace(absl::string_view(s.data(), s.size())));
}

absl::Status error_at(const std::string& file, int line, const std::string& msg) {
  return absl::InvalidArgumentError(file + ":" + std::to_string(line) + ": " + msg);
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

// A line that is entirely a number (Go ParseInt base 0, then ParseFloat).
std::optional<double> parse_number_line(const std::string& s) {
  if (s.empty()) return std::nullopt;
  std::string t = s;
  bool neg = false;
  std::string body = t;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body = body.substr(1);
  }
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    char* end;
    long long v = std::strtoll(body.c_str() + 2, &end, 16);
    if (*end == 0) return neg ? -double(v) : double(v);
  }
  return parse_go_float(t);
}

// Capture groups of a full RE2 match.
struct Match {
  std::vector<re2::StringPiece> groups;
  std::string str(int i) const { return std::string(groups[i].data() ? groups[i] : re2::StringPiece()); }
  bool matched(int i) const { return groups[i].data() != nullptr; }
};

bool full_match(const RE2& re, const std::string& text, Match* m) {
  int n = re.NumberOfCapturingGroups();
  m->groups.assign(size_t(n) + 1, re2::StringPiece());
  return re.Match(text, 0, text.size(), RE2::ANCHOR_BOTH, m->groups.data(), n + 1);
}

}  // namespace

std::optional<int64_t> parse_test_duration(std::string_view s) {
  auto ms = parse_duration(s);
  if (!ms.ok()) return std::nullopt;
  return *ms;
}

absl::StatusOr<Script> parse_script(const std::string& file, const std::string& content) {
  Script script;
  script.file = file;
  std::vector<std::string> lines = absl::StrSplit(content, '\n');
  // Comments become empty lines: they end blocks like blank lines do.
  for (auto& l : lines) {
    l = trim(l);
    if (!l.empty() && l[0] == '#') l.clear();
  }
  static const RE2 kLoad(R"((?i)load(_with_nhcb)?\s+(\S+))");
  static const RE2 kEvalInstant(
      R"((?i)eval(?:_(fail|warn|info|ordered))?\s+instant\s+(?:at\s+)?(\S+?)\s+(.+))");
  static const RE2 kEvalRange(
      R"((?i)eval(?:_(fail|warn|info))?\s+range\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+?)\s+(.+))");
  static const RE2 kRangeVector(
      R"(expect\s+range\s+vector\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+))");
  static const RE2 kExpect(
      R"(expect\s+(fail|warn|info|no_warn|no_info|ordered)(?:\s+(msg|regex):(.*))?)");
  static const RE2 kExpectString(R"(expect\s+string\s+(.*))");

  size_t i = 0;
  while (i < lines.size()) {
    const std::string& l = lines[i];
    int ln = int(i) + 1;
    if (l.empty()) {
      ++i;
      continue;
    }
    Match m;
    if (starts_with_ci(l, "clear")) {
      if (absl::AsciiStrToLower(l) != "clear") return error_at(file, ln, "invalid clear command");
      script.commands.push_back(ClearCmd{ln});
      ++i;
      continue;
    }
    if (starts_with_ci(l, "load")) {
      if (!full_match(kLoad, l, &m)) return error_at(file, ln, "invalid load command: " + l);
      LoadCmd cmd;
      cmd.line_no = ln;
      cmd.with_nhcb = m.matched(1);
      auto d = parse_test_duration(m.str(2));
      if (!d) return error_at(file, ln, "invalid step duration " + m.str(2));
      cmd.step_ms = *d;
      for (++i; i < lines.size() && !lines[i].empty(); ++i) cmd.series.push_back({lines[i], int(i) + 1});
      script.commands.push_back(std::move(cmd));
      continue;
    }
    if (starts_with_ci(l, "eval")) {
      EvalCmd cmd;
      cmd.line_no = ln;
      std::string suffix;
      if (full_match(kEvalRange, l, &m)) {
        cmd.range = true;
        suffix = absl::AsciiStrToLower(m.str(1));
        auto a = parse_test_duration(m.str(2)), b = parse_test_duration(m.str(3)),
             s = parse_test_duration(m.str(4));
        if (!a || !b || !s) return error_at(file, ln, "invalid range times in: " + l);
        if (*b < *a) return error_at(file, ln, "invalid test definition, end timestamp before start");
        cmd.start_ms = *a;
        cmd.end_ms = *b;
        cmd.step_ms = *s;
        cmd.query = m.str(5);
      } else if (full_match(kEvalInstant, l, &m)) {
        suffix = absl::AsciiStrToLower(m.str(1));
        auto t = parse_test_duration(m.str(2));
        if (!t) return error_at(file, ln, "invalid evaluation time " + m.str(2));
        cmd.start_ms = cmd.end_ms = *t;
        cmd.query = m.str(3);
      } else {
        return error_at(file, ln, "invalid eval command: " + l);
      }
      cmd.legacy_fail = suffix == "fail";
      cmd.legacy_ordered = suffix == "ordered";
      cmd.legacy_warn = suffix == "warn";
      cmd.legacy_info = suffix == "info";
      if (cmd.legacy_fail) cmd.expects.push_back({Expectation::Kind::kFail});
      if (cmd.legacy_ordered) cmd.expects.push_back({Expectation::Kind::kOrdered});
      if (cmd.legacy_warn) cmd.expects.push_back({Expectation::Kind::kWarn});
      if (cmd.legacy_info) cmd.expects.push_back({Expectation::Kind::kInfo});
      for (++i; i < lines.size() && !lines[i].empty(); ++i) {
        const std::string& b = lines[i];
        int bl = int(i) + 1;
        if (full_match(kRangeVector, b, &m)) {
          auto a = parse_test_duration(m.str(1)), e = parse_test_duration(m.str(2)),
               s = parse_test_duration(m.str(3));
          if (!a || !e || !s) return error_at(file, bl, "invalid expect range vector: " + b);
          cmd.range_vector = true;
          cmd.rv_start_ms = *a;
          cmd.rv_end_ms = *e;
          cmd.rv_step_ms = *s;
          continue;
        }
        if (full_match(kExpectString, b, &m)) {
          std::string q = trim(m.str(1));
          if (q.size() < 2 || (q.front() != '"' && q.front() != '`') || q.back() != q.front())
            return error_at(file, bl, "invalid expect string: " + b);
          cmd.expect_string = q.substr(1, q.size() - 2);
          continue;
        }
        if (b.rfind("expect ", 0) == 0) {
          if (!full_match(kExpect, b, &m)) return error_at(file, bl, "invalid expect line: " + b);
          Expectation e;
          std::string kind = m.str(1);
          e.kind = kind == "fail"      ? Expectation::Kind::kFail
                   : kind == "warn"    ? Expectation::Kind::kWarn
                   : kind == "info"    ? Expectation::Kind::kInfo
                   : kind == "no_warn" ? Expectation::Kind::kNoWarn
                   : kind == "no_info" ? Expectation::Kind::kNoInfo
                                       : Expectation::Kind::kOrdered;
          e.line_no = bl;
          if (m.matched(2)) {
            e.match = m.str(2) == "msg" ? Expectation::Match::kMsg : Expectation::Match::kRegex;
            e.text = trim(m.str(3));
          }
          if (e.kind == Expectation::Kind::kFail && cmd.has_expect(Expectation::Kind::kFail) &&
              !cmd.legacy_fail)
            return error_at(file, bl, "more than one expect fail");
          cmd.expects.push_back(std::move(e));
          continue;
        }
        if (b.rfind("expected_fail_message ", 0) == 0 || b.rfind("expected_fail_regexp ", 0) == 0) {
          bool msg = b[15] == 'm';
          Expectation e{Expectation::Kind::kFail,
                        msg ? Expectation::Match::kMsg : Expectation::Match::kRegex,
                        trim(b.substr(msg ? 22 : 21)), bl};
          cmd.expects.erase(std::remove_if(cmd.expects.begin(), cmd.expects.end(),
                                           [](const Expectation& x) {
                                             return x.kind == Expectation::Kind::kFail;
                                           }),
                            cmd.expects.end());
          cmd.expects.push_back(std::move(e));
          // Reading of the block stops at such a line.
          for (++i; i < lines.size() && !lines[i].empty(); ++i) {
          }
          break;
        }
        if (auto num = parse_number_line(b)) {
          cmd.expect_scalar = *num;
          for (++i; i < lines.size() && !lines[i].empty(); ++i) {
          }
          break;
        }
        cmd.series.push_back({b, bl});
      }
      bool warn = cmd.has_expect(Expectation::Kind::kWarn), no_warn = cmd.has_expect(Expectation::Kind::kNoWarn);
      bool info = cmd.has_expect(Expectation::Kind::kInfo), no_info = cmd.has_expect(Expectation::Kind::kNoInfo);
      if ((warn && no_warn) || (info && no_info))
        return error_at(file, ln, "conflicting annotation expectations");
      if (cmd.range && cmd.has_expect(Expectation::Kind::kOrdered))
        return error_at(file, ln, "expect ordered is not allowed for range queries");
      script.commands.push_back(std::move(cmd));
      continue;
    }
    return error_at(file, ln, "invalid command \"" + l + "\"");
  }
  return script;
}

}  // namespace strata::promqltest
