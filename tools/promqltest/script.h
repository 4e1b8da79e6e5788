// The promqltest script language (Prometheus' promql/promqltest format): a file
// of `load`, `clear` and `eval` blocks. This parses the file's structure;
// series lines and queries are parsed by the PromQL parser when run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace strata::promqltest {

struct Line {
  std::string text;
  int line_no = 0;
};

struct LoadCmd {
  int64_t step_ms = 0;
  bool with_nhcb = false;
  std::vector<Line> series;
  int line_no = 0;
};

struct ClearCmd {
  int line_no = 0;
};

// One `expect <kind> [msg: ...|regex: ...]` line.
struct Expectation {
  enum class Kind { kFail, kWarn, kInfo, kNoWarn, kNoInfo, kOrdered };
  Kind kind;
  enum class Match { kAny, kMsg, kRegex } match = Match::kAny;
  std::string text;
  int line_no = 0;
};

struct EvalCmd {
  bool range = false;
  int64_t start_ms = 0, end_ms = 0, step_ms = 0;  // instant: start = end
  std::string query;
  std::vector<Expectation> expects;
  // expect range vector from A to B step S
  bool range_vector = false;
  int64_t rv_start_ms = 0, rv_end_ms = 0, rv_step_ms = 0;
  std::optional<std::string> expect_string;
  std::optional<double> expect_scalar;
  std::vector<Line> series;  // expected `<series> <values>` lines
  bool legacy_fail = false;  // eval_fail
  bool legacy_ordered = false;
  bool legacy_warn = false, legacy_info = false;
  int line_no = 0;

  bool has_expect(Expectation::Kind k) const {
    for (const auto& e : expects)
      if (e.kind == k) return true;
    return false;
  }
};

using Command = std::variant<LoadCmd, ClearCmd, EvalCmd>;

struct Script {
  std::string file;
  std::vector<Command> commands;
};

// Parses the script; errors name file:line.
absl::StatusOr<Script> parse_script(const std::string& file, const std::string& content);

// Prometheus' model.ParseDuration ("1h30m", "0"; no fractions, no sign), as
// base/duration.h parses it; nullopt when it is not one.
std::optional<int64_t> parse_test_duration(std::string_view s);

}  // namespace strata::promqltest
