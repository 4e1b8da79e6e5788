// Internal to rules/template/: the implementations behind FuncId, called by
// the executor with arguments already converted to the signature's types
// (kReflect and kAny arguments as they are; a nil interface is kNil).
// A returned error's message is Go's error text, which the executor prefixes
// with "error calling <name>: ".
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "re2/re2.h"
#include "rules/template/exec.h"
#include "rules/template/functions.h"
#include "rules/template/value.h"

namespace strata::rules::tmpl {

// Per-expansion state the functions share with the executor.
struct CallContext {
  const ExecEnv* env;
  int* query_calls;    // counts `query` calls against env->limits
  size_t* work_bytes;  // bytes regexps scanned (the executor adds results)
  // Compiled regexps by pattern, so a loop does not recompile them.
  std::vector<std::pair<std::string, std::shared_ptr<const RE2>>>* regexps;
};

// Go's builtins: and/or are handled by the executor (they short-circuit).
// printf stops formatting once its result passes `max_bytes` (the caller
// rejects such results), so a format cannot make it allocate without bound.
absl::StatusOr<Value> call_builtin(FuncId id, const std::vector<Value>& args, size_t max_bytes);
// Prometheus' template functions.
absl::StatusOr<Value> call_prometheus(FuncId id, const std::vector<Value>& args,
                                      const CallContext& ctx);

// text/template's evalArgs: the one string argument, or fmt.Sprint of the
// printable values.
std::string eval_args_string(const std::vector<Value>& args);

}  // namespace strata::rules::tmpl
