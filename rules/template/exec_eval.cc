// Evaluation of pipelines, commands, fields, arguments and calls, with
// Go's conversions of arguments to parameter types (evalArg, validateType).
#include "base/go_quote.h"
#include "rules/template/exec_state.h"
#include "rules/template/str_cat.h"

namespace strata::rules::tmpl::internal {
namespace {

bool is_hex_int(std::string_view s) {
  return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
         s.find_first_of("pP") == std::string_view::npos;
}

}  // namespace

Value State::eval_pipeline(const Value& dot, const Node& pipe) {
  at(&pipe);
  Final value;
  for (const auto& cmd : pipe.nodes) {
    Value v = eval_command(dot, *cmd, value);
    if (v.kind() == Kind::kNil) v = Value();  // interface{} results are unwrapped
    value = std::move(v);
  }
  for (const auto& var : pipe.decl) {
    if (pipe.is_assign) {
      set_var(var->ident[0], *value);
    } else {
      vars_.emplace_back(var->ident[0], *value);
    }
  }
  return *value;
}

void State::not_a_function(const Args& args, const Final& final) {
  if (args.size() > 1 || final) {
    errorf(cat("can't give argument to non-function ", node_to_string(*args[0])));
  }
}

Value State::eval_command(const Value& dot, const Node& cmd, const Final& final) {
  const Node& first = *cmd.nodes[0];
  switch (first.type) {
    case NodeType::kField:
      return eval_field_node(dot, first, &cmd.nodes, final);
    case NodeType::kChain:
      return eval_chain_node(dot, first, &cmd.nodes, final);
    case NodeType::kIdentifier:
      return eval_function(dot, first, cmd, &cmd.nodes, final);
    case NodeType::kPipe:
      not_a_function(cmd.nodes, final);
      return eval_pipeline(dot, first);
    case NodeType::kVariable:
      return eval_variable_node(dot, first, &cmd.nodes, final);
    default:
      break;
  }
  at(&first);
  not_a_function(cmd.nodes, final);
  switch (first.type) {
    case NodeType::kBool:
      return Value::boolean(first.truth);
    case NodeType::kDot:
      return dot;
    case NodeType::kNil:
      errorf("nil is not a command");
    case NodeType::kNumber:
      return ideal_constant(first);
    case NodeType::kString:
      return Value::string(first.str);
    default:
      errorf(cat("can't evaluate command ", go_quote(node_to_string(first))));
  }
}

Value State::ideal_constant(const Node& c) {
  at(&c);
  if (c.is_complex) return Value::complex(c.complex_re, c.complex_im);
  if (c.is_float && !is_hex_int(c.text) && !(c.text.size() > 0 && c.text[0] == '\'') &&
      c.text.find_first_of(".eEpP") != std::string::npos) {
    return Value::floating(c.float_val);
  }
  if (c.is_int) return Value::integer(c.int_val);
  if (c.is_uint) errorf(cat(c.text, " overflows int"));
  return Value();
}

Value State::eval_field_node(const Value& dot, const Node& field, const Args* args,
                             const Final& final) {
  at(&field);
  return eval_field_chain(dot, dot, field, field.ident, 0, args, final);
}

Value State::eval_chain_node(const Value& dot, const Node& chain, const Args* args,
                             const Final& final) {
  at(&chain);
  if (chain.pipe->type == NodeType::kNil) {
    errorf(cat("indirection through explicit nil in ", node_to_string(chain)));
  }
  Value pipe = eval_arg_untyped(dot, *chain.pipe);
  return eval_field_chain(dot, pipe, chain, chain.ident, 0, args, final);
}

Value State::eval_variable_node(const Value& dot, const Node& var, const Args* args,
                                const Final& final) {
  at(&var);
  Value value = var_value(var.ident[0]);
  if (var.ident.size() == 1) {
    if (args != nullptr) not_a_function(*args, final);
    return value;
  }
  return eval_field_chain(dot, value, var, var.ident, 1, args, final);
}

Value State::eval_field_chain(const Value& dot, Value receiver, const Node& node,
                              const std::vector<std::string>& ident, size_t from, const Args* args,
                              const Final& final) {
  size_t n = ident.size();
  for (size_t i = from; i + 1 < n; ++i) {
    receiver = eval_field(ident[i], node, nullptr, std::nullopt, receiver);
  }
  return eval_field(ident[n - 1], node, args, final, receiver);
}

Value State::eval_field(const std::string& name, const Node& node, const Args* args,
                        const Final& final, const Value& receiver) {
  (void)node;
  if (!receiver.valid()) return Value();
  std::string typ = receiver.type_name();
  if (receiver.kind() == Kind::kNil) {
    errorf(cat("nil pointer evaluating ", typ, ".", name));
  }
  bool has_args = (args != nullptr && args->size() > 1) || final.has_value();
  switch (receiver.kind()) {
    case Kind::kRoot: {
      const AlertTemplateData& d = receiver.root();
      Value v;
      if (name == "Labels") {
        v = Value::borrowed_label_map(&d.labels);
      } else if (name == "ExternalLabels") {
        v = Value::borrowed_label_map(&d.external_labels);
      } else if (name == "ExternalURL") {
        v = Value::string(d.external_url);
      } else if (name == "Value") {
        v = Value::floating(d.value);
      } else {
        break;
      }
      if (has_args) {
        errorf(cat(name, " has arguments but cannot be invoked as function"));
      }
      return v;
    }
    case Kind::kSample: {
      if (name != "Labels" && name != "Value") break;
      const Sample* s = receiver.sample_ptr();
      if (s == nullptr) errorf(cat("nil pointer evaluating ", typ, ".", name));
      if (has_args) {
        errorf(cat(name, " has arguments but cannot be invoked as function"));
      }
      if (name == "Value") return Value::floating(s->value);
      return Value::label_map(
          std::shared_ptr<const tsdb::Labels>(receiver.sample_shared(), &s->labels));
    }
    case Kind::kLabelMap: {
      if (has_args) errorf(cat(name, " is not a method but has arguments"));
      return Value::string(std::string(receiver.labels().get(name)));
    }
    case Kind::kAnyMap: {
      if (has_args) errorf(cat(name, " is not a method but has arguments"));
      for (const auto& [k, v] : receiver.any_map()) {
        if (k == name) return v;
      }
      return Value::nil();
    }
    default:
      break;
  }
  errorf(cat("can't evaluate field ", name, " in type ", typ));
}

Value State::eval_function(const Value& dot, const Node& ident, const Node& cmd, const Args* args,
                           const Final& final) {
  at(&ident);
  return eval_call(dot, *ident.func, cmd, args, final);
}

// evalArg with a nil type: any value, unconverted.
Value State::eval_arg_untyped(const Value& dot, const Node& n) {
  at(&n);
  switch (n.type) {
    case NodeType::kDot:
      return dot;
    case NodeType::kField:
      return eval_field_node(dot, n, nullptr, std::nullopt);
    case NodeType::kVariable:
      return eval_variable_node(dot, n, nullptr, std::nullopt);
    case NodeType::kPipe:
      return eval_pipeline(dot, n);
    case NodeType::kIdentifier:
      return eval_function(dot, n, n, nullptr, std::nullopt);
    case NodeType::kChain:
      return eval_chain_node(dot, n, nullptr, std::nullopt);
    default:
      errorf(cat("can't handle ", node_to_string(n), " for arg of type <nil>"));
  }
}

bool State::can_be_nil(ParamType t) {
  return t == ParamType::kAny || t == ParamType::kQueryResult || t == ParamType::kSample;
}

Value State::zero_of(ParamType t) {
  switch (t) {
    case ParamType::kAny:
      return Value::nil();
    case ParamType::kQueryResult:
      return Value::query_result(nullptr);
    case ParamType::kSample:
      return Value::sample(nullptr);
    default:
      return Value();
  }
}

Value State::validate_type(const Value& v, ParamType t) {
  if (!v.valid()) {
    if (can_be_nil(t)) return zero_of(t);
    errorf(cat("invalid value; expected ", param_type_name(t)));
  }
  bool ok = false;
  switch (t) {
    case ParamType::kReflect:
    case ParamType::kAny:
      ok = true;
      break;
    case ParamType::kString:
      ok = v.kind() == Kind::kString;
      break;
    case ParamType::kFloat:
      ok = v.kind() == Kind::kFloat;
      break;
    case ParamType::kQueryResult:
      ok = v.kind() == Kind::kQueryResult;
      break;
    case ParamType::kSample:
      ok = v.kind() == Kind::kSample;
      break;
  }
  if (!ok) {
    errorf(cat("wrong type for value; expected ", param_type_name(t), "; got ", v.type_name()));
  }
  return v;
}

Value State::eval_arg(const Value& dot, ParamType t, const Node& n) {
  at(&n);
  switch (n.type) {
    case NodeType::kDot:
      return validate_type(dot, t);
    case NodeType::kNil:
      if (t == ParamType::kReflect) return Value();
      if (can_be_nil(t)) return zero_of(t);
      errorf(cat("cannot assign nil to ", param_type_name(t)));
    case NodeType::kField:
    case NodeType::kVariable:
    case NodeType::kPipe:
    case NodeType::kIdentifier:
    case NodeType::kChain:
      return validate_type(eval_arg_untyped(dot, n), t);
    default:
      break;
  }
  switch (t) {
    case ParamType::kFloat:
      if (n.type == NodeType::kNumber && n.is_float) return Value::floating(n.float_val);
      errorf(cat("expected float; found ", node_to_string(n)));
    case ParamType::kString:
      if (n.type == NodeType::kString) return Value::string(n.str);
      errorf(cat("expected string; found ", node_to_string(n)));
    case ParamType::kAny:
    case ParamType::kReflect:
      switch (n.type) {
        case NodeType::kBool:
          return Value::boolean(n.truth);
        case NodeType::kNumber:
          return ideal_constant(n);
        case NodeType::kString:
          return Value::string(n.str);
        default:
          break;
      }
      errorf(cat("can't handle assignment of ", node_to_string(n), " to empty interface argument"));
    default:
      errorf(cat("can't handle ", node_to_string(n), " for arg of type ", param_type_name(t)));
  }
}

Value State::eval_call(const Value& dot, const FuncSig& sig, const Node& node, const Args* args,
                       const Final& final) {
  std::vector<const Node*> argn;
  if (args != nullptr) {
    for (size_t i = 1; i < args->size(); ++i) argn.push_back((*args)[i].get());
  }
  const int num_params = sig.num_params;
  int num_in = static_cast<int>(argn.size()) + (final ? 1 : 0);
  int num_fixed = static_cast<int>(argn.size());
  if (sig.variadic) {
    num_fixed = num_params - 1;
    if (num_in < num_fixed) {
      errorf(cat("wrong number of args for ", sig.name, ": want at least ", num_params - 1, " got ",
                 argn.size()));
    }
  } else if (num_in != num_params) {
    errorf(cat("wrong number of args for ", sig.name, ": want ", num_params, " got ", num_in));
  }
  if (sig.id == FuncId::kAnd || sig.id == FuncId::kOr) {
    bool want = sig.id == FuncId::kOr;
    Value v;
    for (const Node* a : argn) {
      v = eval_arg(dot, ParamType::kReflect, *a);
      if (is_true(indirect_interface(v)) == want) return v;
    }
    if (final) v = validate_type(*final, ParamType::kReflect);
    return v;
  }
  std::vector<Value> argv;
  argv.reserve(num_in);
  size_t i = 0;
  for (; static_cast<int>(i) < num_fixed && i < argn.size(); ++i) {
    argv.push_back(eval_arg(dot, sig.params[i], *argn[i]));
  }
  if (sig.variadic) {
    ParamType elem = sig.params[num_params - 1];
    for (; i < argn.size(); ++i) argv.push_back(eval_arg(dot, elem, *argn[i]));
  }
  if (final) {
    ParamType t = sig.params[num_params - 1];
    if (sig.variadic && num_in - 1 < num_fixed) t = sig.params[num_in - 1];
    argv.push_back(validate_type(*final, t));
  }
  absl::StatusOr<Value> r = sig.is_builtin
                                ? call_builtin(sig.id, argv, env_.limits.max_output_bytes)
                                : call_prometheus(sig.id, argv, call_ctx_);
  if (!r.ok()) {
    at(&node);
    errorf(cat("error calling ", sig.name, ": ", r.status().message()));
  }
  if (r->kind() == Kind::kString || r->kind() == Kind::kHtml) {
    const size_t n = r->as_string().size();
    if (n > env_.limits.max_output_bytes) {
      at(&node);
      errorf(cat("error calling ", sig.name, ": result exceeds ", env_.limits.max_output_bytes,
                 " bytes"));
    }
    work_bytes_ += n;
  }
  if (work_bytes_ > env_.limits.max_work_bytes) {
    at(&node);
    errorf(cat("template functions produced more than ", env_.limits.max_work_bytes, " bytes"));
  }
  return *std::move(r);
}

}  // namespace strata::rules::tmpl::internal
