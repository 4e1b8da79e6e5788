// Internal to rules/template/: the executor's state (Go's text/template
// `state`): the output, the variable stack, the node being executed for
// error positions, and the budgets of one expansion. exec.cc walks the
// tree; exec_eval.cc evaluates pipelines, fields and calls. One State per
// expansion, on one thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/template/ast.h"
#include "rules/template/call.h"
#include "rules/template/exec.h"
#include "rules/template/value.h"

namespace strata::rules::tmpl::internal {

// Unwinds execution to execute_template; never leaves rules/template/.
struct ExecError {
  std::string message;
};

enum class Flow { kNormal, kBreak, kContinue };

// indirectInterface: a nil interface is no value at all.
inline Value indirect_interface(const Value& v) { return v.kind() == Kind::kNil ? Value() : v; }

class State {
 public:
  explicit State(const ExecEnv& env) : env_(env), tmpl_name_(env.name) {
    vars_.emplace_back("$", Value::root(env.data));
  }

  std::string run(const Node& root);

 private:
  // --- errors -------------------------------------------------------------

  void at(const Node* n) { node_ = n; }

  [[noreturn]] void errorf(std::string_view msg);

  void write(std::string_view s);

  // --- walking ------------------------------------------------------------

  Flow walk(const Value& dot, const Node& n);

  void walk_template(const Value& dot, const Node& t);

  Flow walk_if_or_with(const Value& dot, const Node& n);

  void set_top_var(size_t n, const Value& v) { vars_[vars_.size() - n].second = v; }

  Flow walk_range(const Value& dot, const Node& r);

  void print_value(const Node& n, const Value& v);

  // --- variables ----------------------------------------------------------

  void set_var(const std::string& name, const Value& v);

  Value var_value(const std::string& name);

  // --- evaluation ---------------------------------------------------------

  using Final = std::optional<Value>;  // nullopt is Go's missingVal
  using Args = std::vector<NodePtr>;

  Value eval_pipeline(const Value& dot, const Node& pipe);

  void not_a_function(const Args& args, const Final& final);

  Value eval_command(const Value& dot, const Node& cmd, const Final& final);

  Value ideal_constant(const Node& c);

  Value eval_field_node(const Value& dot, const Node& field, const Args* args, const Final& final);

  Value eval_chain_node(const Value& dot, const Node& chain, const Args* args, const Final& final);

  Value eval_variable_node(const Value& dot, const Node& var, const Args* args, const Final& final);

  Value eval_field_chain(const Value& dot, Value receiver, const Node& node,
                         const std::vector<std::string>& ident, size_t from, const Args* args,
                         const Final& final);

  Value eval_field(const std::string& name, const Node& node, const Args* args, const Final& final,
                   const Value& receiver);

  Value eval_function(const Value& dot, const Node& ident, const Node& cmd, const Args* args,
                      const Final& final);

  // evalArg with a nil type: any value, unconverted.
  Value eval_arg_untyped(const Value& dot, const Node& n);

  static bool can_be_nil(ParamType t);

  static Value zero_of(ParamType t);

  Value validate_type(const Value& v, ParamType t);

  Value eval_arg(const Value& dot, ParamType t, const Node& n);

  Value eval_call(const Value& dot, const FuncSig& sig, const Node& node, const Args* args,
                  const Final& final);

  const ExecEnv& env_;
  std::string out_;
  std::vector<std::pair<std::string, Value>> vars_;
  const Node* node_ = nullptr;
  std::string_view tmpl_name_;  // the template being executed ({{define}} names)
  int64_t iterations_ = 0;
  int64_t steps_ = 0;
  size_t work_bytes_ = 0;  // string bytes function calls returned
  int nesting_ = 0;        // walk() recursion depth
  int depth_ = 0;
  int query_calls_ = 0;
  std::vector<std::pair<std::string, std::shared_ptr<const RE2>>> regexps_;
  CallContext call_ctx_{&env_, &query_calls_, &work_bytes_, &regexps_};
};

}  // namespace strata::rules::tmpl::internal
