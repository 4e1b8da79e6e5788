// Executes a parsed template (ast.h) the way Go's text/template does with
// Option("missingkey=zero"): Go's truth, field and map access, variables,
// if/range/with, and function calls with Go's argument conversion and error
// texts (`template: <name>:<line>:<col>: executing "<name>" at <node>: ...`).
// Every resource a template can consume is bounded by ExecLimits.
// Thread-safe: execution only reads the tree and the environment.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rules/template/ast.h"
#include "rules/template/template_data.h"
#include "rules/template/value.h"

namespace strata::rules::tmpl {

// Runs a PromQL instant query at `t_ms` for the `query` function. Like
// Prometheus' EngineQueryFunc: an instant vector as is, a scalar as one
// sample without labels, any other result type an error ("rule result is
// not a vector or scalar"). An error's message is shown to the user after
// "error calling query: ". Called on the expanding thread.
using QueryFn =
    std::function<absl::StatusOr<std::vector<Sample>>(std::string_view expr, int64_t t_ms)>;

// Bounds on what one expansion may consume. The defaults are far above any
// real annotation (a few hundred bytes, a handful of calls) and low enough
// that a hostile rule file costs at most about a second and tens of megabytes.
struct ExecLimits {
  size_t max_output_bytes = 1 << 20;     // per expansion; also caps any one string value
  int64_t max_range_iterations = 10000;  // summed over all range loops of one expansion
  size_t max_query_samples = 10000;      // per query call
  int max_query_calls = 100;             // per expansion: each runs a PromQL query
  int64_t max_steps = 1000000;   // nodes walked per expansion ({{template}} can multiply them)
  int max_template_depth = 100;  // nested {{template}} calls (Go allows 100000)
  // Bytes of strings all function calls of one expansion may return, plus
  // the bytes regexps scan: a printf in a range loop must not spin through
  // gigabytes.
  size_t max_work_bytes = 64 << 20;
  // Nesting of control structures, counted across {{template}} calls: keeps
  // execution's recursion within a thread's stack.
  int max_nesting = 1000;
};

struct ExecEnv {
  std::string_view name;                    // template name, e.g. "__alert_HighLatency"
  std::string_view text;                    // the parsed text, for error positions
  const AlertTemplateData* data = nullptr;  // `.`; must outlive the call
  int64_t t_ms = 0;                         // evaluation time, for `query`
  const QueryFn* query = nullptr;           // null: `query` fails
  ExecLimits limits;
};

// Executes `tree` (from parse_template). On failure the status message is
// Go's execution error text (or one of ours when an ExecLimits bound trips).
absl::StatusOr<std::string> execute_template(const Tree& tree, const ExecEnv& env);

}  // namespace strata::rules::tmpl
