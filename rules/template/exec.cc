#include "rules/template/exec.h"

#include "base/go_quote.h"
#include "rules/template/exec_state.h"
#include "rules/template/go_fmt.h"
#include "rules/template/str_cat.h"

namespace strata::rules::tmpl {
namespace internal {

std::string State::run(const Node& root) {
  walk(Value::root(env_.data), root);
  return std::move(out_);
}

void State::errorf(std::string_view msg) {
  if (node_ == nullptr) {
    throw ExecError{cat("template: ", env_.name, ": ", msg)};
  }
  // Go's Tree.ErrorContext: 1-based line, 0-based byte column.
  std::string_view text = env_.text.substr(0, std::min<size_t>(node_->pos, env_.text.size()));
  size_t nl = text.rfind('\n');
  size_t col = nl == std::string_view::npos ? text.size() : text.size() - (nl + 1);
  size_t line = 1;
  for (char c : text) line += c == '\n';
  throw ExecError{cat("template: ", env_.name, ":", line, ":", col, ": executing \"", tmpl_name_,
                      "\" at <", node_to_string(*node_), ">: ", msg)};
}

void State::write(std::string_view s) {
  if (out_.size() + s.size() > env_.limits.max_output_bytes) {
    errorf(cat("template output exceeds ", env_.limits.max_output_bytes, " bytes"));
  }
  out_.append(s);
}

Flow State::walk(const Value& dot, const Node& n) {
  at(&n);
  if (++steps_ > env_.limits.max_steps) {
    errorf(cat("template execution exceeds ", env_.limits.max_steps, " steps"));
  }
  if (nesting_ >= env_.limits.max_nesting) {
    errorf(cat("template nesting exceeds ", env_.limits.max_nesting, " levels"));
  }
  struct Nest {
    int* n;
    explicit Nest(int* p) : n(p) { ++*n; }
    ~Nest() { --*n; }
  } nest(&nesting_);
  switch (n.type) {
    case NodeType::kTemplate:
      walk_template(dot, n);
      return Flow::kNormal;
    case NodeType::kAction: {
      Value v = eval_pipeline(dot, *n.pipe);
      if (n.pipe->decl.empty()) print_value(n, v);
      return Flow::kNormal;
    }
    case NodeType::kBreak:
      return Flow::kBreak;
    case NodeType::kContinue:
      return Flow::kContinue;
    case NodeType::kIf:
    case NodeType::kWith:
      return walk_if_or_with(dot, n);
    case NodeType::kList:
      for (const auto& c : n.nodes) {
        Flow f = walk(dot, *c);
        if (f != Flow::kNormal) return f;
      }
      return Flow::kNormal;
    case NodeType::kRange:
      return walk_range(dot, n);
    case NodeType::kText:
      write(n.text);
      return Flow::kNormal;
    default:
      errorf(cat("unknown node: ", node_to_string(n)));
  }
}

void State::walk_template(const Value& dot, const Node& t) {
  at(&t);
  if (t.target == nullptr) errorf(cat("template ", go_quote(t.str), " not defined"));
  if (depth_ >= env_.limits.max_template_depth) {
    errorf(cat("exceeded maximum template depth (", env_.limits.max_template_depth, ")"));
  }
  // Variables the pipeline declares persist in the caller's scope.
  Value new_dot = t.pipe ? eval_pipeline(dot, *t.pipe) : Value();
  std::vector<std::pair<std::string, Value>> saved_vars = std::move(vars_);
  std::string_view saved_name = tmpl_name_;
  vars_ = {{"$", new_dot}};  // no dynamic scoping
  tmpl_name_ = t.str;
  ++depth_;
  walk(new_dot, *t.target);
  --depth_;
  tmpl_name_ = saved_name;
  vars_ = std::move(saved_vars);
}

Flow State::walk_if_or_with(const Value& dot, const Node& n) {
  size_t mark = vars_.size();
  Value val = eval_pipeline(dot, *n.pipe);
  bool truth = is_true(indirect_interface(val));
  Flow f = Flow::kNormal;
  if (truth) {
    f = walk(n.type == NodeType::kWith ? val : dot, *n.list);
  } else if (n.else_list) {
    f = walk(dot, *n.else_list);
  }
  vars_.resize(mark);
  return f;
}

Flow State::walk_range(const Value& dot, const Node& r) {
  at(&r);
  size_t outer_mark = vars_.size();
  Value val = eval_pipeline(dot, *r.pipe);
  size_t mark = vars_.size();
  const Node& pipe = *r.pipe;
  bool broke = false;
  auto one = [&](const Value& index, const Value& elem) {
    if (++iterations_ > env_.limits.max_range_iterations) {
      at(&r);
      errorf(cat("range iterations exceed ", env_.limits.max_range_iterations));
    }
    if (!pipe.decl.empty()) {
      if (pipe.is_assign) {
        set_var(pipe.decl[0]->ident[0], pipe.decl.size() > 1 ? index : elem);
      } else {
        set_top_var(1, elem);
      }
    }
    if (pipe.decl.size() > 1) {
      if (pipe.is_assign) {
        set_var(pipe.decl[1]->ident[0], elem);
      } else {
        set_top_var(2, index);
      }
    }
    Flow f = walk(elem, *r.list);
    vars_.resize(mark);
    if (f == Flow::kBreak) broke = true;
  };
  bool iterated = false;
  switch (val.kind()) {
    case Kind::kQueryResult: {
      const SampleList& s = val.samples();
      for (size_t i = 0; i < s.size() && !broke; ++i) {
        one(Value::integer(static_cast<int64_t>(i)), Value::sample(s[i]));
      }
      iterated = !s.empty();
      break;
    }
    case Kind::kLabelMap: {
      auto keep = val;  // holds the map alive while iterating
      for (const auto& l : keep.labels()) {
        if (broke) break;
        one(Value::string(l.name), Value::string(l.value));
      }
      iterated = !keep.labels().empty();
      break;
    }
    case Kind::kAnyMap: {
      auto keep = val;
      for (const auto& [k, e] : keep.any_map()) {
        if (broke) break;
        one(Value::string(k), e);
      }
      iterated = !keep.any_map().empty();
      break;
    }
    case Kind::kInvalid:
    case Kind::kNil:
      break;
    default:
      // The error names the node evaluated last, as Go's does.
      errorf(cat("range can't iterate over ", printable(val)));
  }
  if (!iterated && r.else_list) walk(dot, *r.else_list);
  vars_.resize(outer_mark);
  return Flow::kNormal;
}

void State::print_value(const Node& n, const Value& v) {
  at(&n);
  write(printable(v));
}

void State::set_var(const std::string& name, const Value& v) {
  for (size_t i = vars_.size(); i-- > 0;) {
    if (vars_[i].first == name) {
      vars_[i].second = v;
      return;
    }
  }
  errorf(cat("undefined variable: ", name));
}

Value State::var_value(const std::string& name) {
  for (size_t i = vars_.size(); i-- > 0;) {
    if (vars_[i].first == name) return vars_[i].second;
  }
  errorf(cat("undefined variable: ", name));
}

}  // namespace internal

absl::StatusOr<std::string> execute_template(const Tree& tree, const ExecEnv& env) {
  try {
    return internal::State(env).run(*tree.root);
  } catch (const internal::ExecError& e) {
    return absl::InvalidArgumentError(e.message);
  }
}

}  // namespace strata::rules::tmpl
