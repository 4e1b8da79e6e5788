#include "rules/template/parser.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "base/float_format.h"
#include "base/go_quote.h"
#include "rules/template/lexer.h"
#include "rules/template/literals.h"
#include "rules/template/str_cat.h"

namespace strata::rules::tmpl {
namespace {

// Internal to this file: unwinds the recursive descent to parse_template.
struct ParseError {
  std::string message;
};

class Parser {
 public:
  Parser(std::string_view name, std::string_view text) : name_(name), items_(lex_template(text)) {}

  Tree parse_all() {
    Tree tree;
    tree.root = parse();
    for (auto& [name, body] : defines_) tree.defines.emplace_back(name, std::move(body));
    resolve(tree.root.get(), tree);
    for (auto& d : tree.defines) resolve(d.second.get(), tree);
    return tree;
  }

 private:
  // Points every {{template}} at its definition (or leaves it null).
  static void resolve(Node* n, const Tree& tree) {
    if (n == nullptr) return;
    if (n->type == NodeType::kTemplate) {
      for (const auto& [name, body] : tree.defines) {
        if (name == n->str) n->target = body.get();
      }
    }
    for (auto& c : n->nodes) resolve(c.get(), tree);
    resolve(n->list.get(), tree);
    resolve(n->else_list.get(), tree);
  }

  NodePtr parse() {
    auto root = std::make_unique<Node>(NodeType::kList, peek().pos);
    while (peek().type != ItemType::kEof) {
      if (peek().type == ItemType::kLeftDelim) {
        size_t save = idx_;
        next();
        if (next_non_space().type == ItemType::kDefine) {
          parse_definition();
          continue;
        }
        idx_ = save;
      }
      NodePtr n = text_or_action();
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
        errorf(cat("unexpected ", node_to_string(*n)));
      }
      root->nodes.push_back(std::move(n));
    }
    return root;
  }

  [[noreturn]] void errorf(std::string_view msg) {
    int line = items_[std::min(max_read_, items_.size() - 1)].line;
    throw ParseError{cat("template: ", name_, ":", line, ": ", msg)};
  }
  // Adds a named template; like Go's treeSet, a later non-empty body wins
  // over an empty one, two non-empty bodies are an error.
  void add_define(std::string name, NodePtr body) {
    for (auto& [n, b] : defines_) {
      if (n != name) continue;
      if (!b->nodes.empty() && !body->nodes.empty()) {
        errorf(cat("template: multiple definition of template ", go_quote(name)));
      }
      if (!body->nodes.empty()) b = std::move(body);
      return;
    }
    defines_.emplace_back(std::move(name), std::move(body));
  }

  std::string template_name(const Item& t, std::string_view context) {
    if (t.type != ItemType::kString && t.type != ItemType::kRawString) unexpected(t, context);
    std::optional<std::string> s = unquote(t.val);
    if (!s) errorf("invalid syntax");
    return *s;
  }

  // A fresh variable scope, as Go's new Tree for a define or block body.
  std::pair<NodePtr, NodePtr> item_list_in_new_scope() {
    std::vector<std::string> saved_vars = std::move(vars_);
    int saved_range = range_depth_;
    vars_ = {"$"};
    range_depth_ = 0;
    auto r = item_list();
    vars_ = std::move(saved_vars);
    range_depth_ = saved_range;
    return r;
  }

  void parse_definition() {
    constexpr std::string_view kContext = "define clause";
    const Item& t = next_non_space();
    if (t.type != ItemType::kString && t.type != ItemType::kRawString) {
      errorf(cat("unexpected ", item_to_string(t), " in ", kContext));
    }
    std::string name = template_name(t, kContext);
    expect(ItemType::kRightDelim, kContext);
    enter();
    auto [body, end] = item_list_in_new_scope();
    --depth_;
    if (end->type != NodeType::kEnd) {
      errorf(cat("unexpected ", node_to_string(*end), " in ", kContext));
    }
    add_define(std::move(name), std::move(body));
  }

  NodePtr template_control(bool is_block) {
    std::string_view context = is_block ? "block clause" : "template clause";
    const Item& t = next_non_space();
    int32_t pos = t.pos;
    auto n = std::make_unique<Node>(NodeType::kTemplate, pos);
    n->str = template_name(t, context);
    if (is_block) {
      n->pipe = pipeline(context, ItemType::kRightDelim);
      enter();
      auto [body, end] = item_list_in_new_scope();
      --depth_;
      if (end->type != NodeType::kEnd) {
        errorf(cat("unexpected ", node_to_string(*end), " in ", context));
      }
      add_define(n->str, std::move(body));
    } else if (next_non_space().type != ItemType::kRightDelim) {
      backup();
      n->pipe = pipeline(context, ItemType::kRightDelim);
    }
    return n;
  }

  const Item& next() {
    size_t i = std::min(idx_, items_.size() - 1);
    if (idx_ < items_.size()) ++idx_;
    if (i > max_read_ || !read_any_) max_read_ = i;
    read_any_ = true;
    return items_[i];
  }
  void backup() {
    if (idx_ > 0) --idx_;
  }
  const Item& peek() {
    const Item& it = next();
    backup();
    return it;
  }
  const Item& next_non_space() {
    while (true) {
      const Item& it = next();
      if (it.type != ItemType::kSpace) return it;
    }
  }
  const Item& peek_non_space() {
    const Item& it = next_non_space();
    backup();
    return it;
  }
  const Item& expect(ItemType t, std::string_view context) {
    const Item& it = next_non_space();
    if (it.type != t) unexpected(it, context);
    return it;
  }
  [[noreturn]] void unexpected(const Item& it, std::string_view context) {
    if (it.type == ItemType::kError) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != it.line) {
        extra = cat(" in action started at ", name_, ":", action_line_);
        if (it.val.ends_with(" action"))
          extra = extra.substr(std::string_view(" in action").size());
      }
      errorf(cat(it.val, extra));
    }
    errorf(cat("unexpected ", item_to_string(it), " in ", context));
  }

  void enter() {
    if (++depth_ > kMaxParseDepth) errorf("max expression depth exceeded");
  }

  NodePtr text_or_action() {
    const Item& it = next_non_space();
    switch (it.type) {
      case ItemType::kText: {
        auto n = std::make_unique<Node>(NodeType::kText, it.pos);
        n->text = it.val;
        return n;
      }
      case ItemType::kLeftDelim: {
        int saved = action_line_;
        action_line_ = it.line;
        NodePtr n = action();
        action_line_ = saved == 0 ? 0 : saved;
        action_line_ = 0;
        return n;
      }
      default:
        unexpected(it, "input");
    }
  }

  NodePtr action() {
    const Item& it = next_non_space();
    switch (it.type) {
      case ItemType::kBlock:
        return template_control(true);
      case ItemType::kTemplate:
        return template_control(false);
      case ItemType::kBreak:
      case ItemType::kContinue: {
        bool is_break = it.type == ItemType::kBreak;
        int32_t pos = it.pos;
        const Item& t = next_non_space();
        if (t.type != ItemType::kRightDelim) unexpected(t, is_break ? "{{break}}" : "{{continue}}");
        if (range_depth_ == 0) {
          errorf(is_break ? "{{break}} outside {{range}}" : "{{continue}} outside {{range}}");
        }
        return std::make_unique<Node>(is_break ? NodeType::kBreak : NodeType::kContinue, pos);
      }
      case ItemType::kElse: {
        const Item& p = peek_non_space();
        if (p.type == ItemType::kIf) return std::make_unique<Node>(NodeType::kElse, p.pos);
        const Item& t = expect(ItemType::kRightDelim, "else");
        return std::make_unique<Node>(NodeType::kElse, t.pos);
      }
      case ItemType::kEnd: {
        const Item& t = expect(ItemType::kRightDelim, "end");
        return std::make_unique<Node>(NodeType::kEnd, t.pos);
      }
      case ItemType::kIf:
        return control(NodeType::kIf, "if");
      case ItemType::kRange:
        return control(NodeType::kRange, "range");
      case ItemType::kWith:
        return control(NodeType::kWith, "with");
      default:
        break;
    }
    backup();
    int32_t pos = peek().pos;
    auto n = std::make_unique<Node>(NodeType::kAction, pos);
    n->pipe = pipeline("command", ItemType::kRightDelim);
    return n;
  }

  // parseControl, for if (with "else if"), range and with.
  NodePtr control(NodeType type, std::string_view context) {
    enter();
    size_t vars_mark = vars_.size();
    NodePtr pipe = pipeline(context, ItemType::kRightDelim);
    if (type == NodeType::kRange) ++range_depth_;
    auto [list, next_node] = item_list();
    if (type == NodeType::kRange) --range_depth_;
    NodePtr else_list;
    if (next_node->type == NodeType::kElse) {
      if (type == NodeType::kIf && peek().type == ItemType::kIf) {
        next();  // the "if"
        else_list = std::make_unique<Node>(NodeType::kList, next_node->pos);
        else_list->nodes.push_back(control(NodeType::kIf, "if"));
      } else {
        auto [elist, enext] = item_list();
        if (enext->type != NodeType::kEnd) {
          errorf(cat("expected end; found ", node_to_string(*enext)));
        }
        else_list = std::move(elist);
      }
    }
    vars_.resize(vars_mark);
    --depth_;
    auto n = std::make_unique<Node>(type, pipe->pos);
    n->pipe = std::move(pipe);
    n->list = std::move(list);
    n->else_list = std::move(else_list);
    return n;
  }

  std::pair<NodePtr, NodePtr> item_list() {
    auto list = std::make_unique<Node>(NodeType::kList, peek_non_space().pos);
    while (peek_non_space().type != ItemType::kEof) {
      NodePtr n = text_or_action();
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
        return {std::move(list), std::move(n)};
      }
      list->nodes.push_back(std::move(n));
    }
    errorf("unexpected EOF");
  }

  NodePtr pipeline(std::string_view context, ItemType end) {
    auto pipe = std::make_unique<Node>(NodeType::kPipe, peek_non_space().pos);
    while (true) {  // decls
      const Item& v = peek_non_space();
      if (v.type != ItemType::kVariable) break;
      size_t v_idx = idx_;
      Item var = next();
      const Item& after = peek();
      ItemType after_type = after.type;
      const Item& nx = peek_non_space();
      if (nx.type == ItemType::kAssign || nx.type == ItemType::kDeclare) {
        pipe->is_assign = nx.type == ItemType::kAssign;
        next_non_space();
        pipe->decl.push_back(new_variable(var.pos, var.val));
        vars_.push_back(var.val);
        break;
      }
      if (nx.type == ItemType::kChar && nx.val == ",") {
        next_non_space();
        pipe->decl.push_back(new_variable(var.pos, var.val));
        vars_.push_back(var.val);
        if (context == "range" && pipe->decl.size() < 2) {
          ItemType t = peek_non_space().type;
          if (t == ItemType::kVariable || t == ItemType::kRightDelim ||
              t == ItemType::kRightParen) {
            continue;
          }
          errorf("range can only initialize variables");
        }
        errorf(cat("too many declarations in ", context));
      }
      (void)after_type;
      idx_ = v_idx;
      break;
    }
    while (true) {
      const Item& t = next_non_space();
      if (t.type == end) {
        check_pipeline(*pipe, context);
        return pipe;
      }
      switch (t.type) {
        case ItemType::kBool:
        case ItemType::kCharConstant:
        case ItemType::kComplex:
        case ItemType::kDot:
        case ItemType::kField:
        case ItemType::kIdentifier:
        case ItemType::kNumber:
        case ItemType::kNil:
        case ItemType::kRawString:
        case ItemType::kString:
        case ItemType::kVariable:
        case ItemType::kLeftParen:
          backup();
          pipe->nodes.push_back(command());
          break;
        default:
          unexpected(t, context);
      }
    }
  }

  void check_pipeline(const Node& pipe, std::string_view context) {
    if (pipe.nodes.empty()) errorf(cat("missing value for ", context));
    for (size_t i = 1; i < pipe.nodes.size(); ++i) {
      switch (pipe.nodes[i]->nodes[0]->type) {
        case NodeType::kBool:
        case NodeType::kDot:
        case NodeType::kNil:
        case NodeType::kNumber:
        case NodeType::kString:
          errorf(cat("non executable command in pipeline stage ", i + 1));
        default:
          break;
      }
    }
  }

  NodePtr command() {
    auto cmd = std::make_unique<Node>(NodeType::kCommand, peek_non_space().pos);
    while (true) {
      peek_non_space();
      NodePtr op = operand();
      if (op) cmd->nodes.push_back(std::move(op));
      const Item& t = next();
      if (t.type == ItemType::kSpace) continue;
      if (t.type == ItemType::kRightDelim || t.type == ItemType::kRightParen) {
        backup();
      } else if (t.type != ItemType::kPipe) {
        unexpected(t, "operand");
      }
      break;
    }
    if (cmd->nodes.empty()) errorf("empty command");
    return cmd;
  }

  NodePtr operand() {
    NodePtr node = term();
    if (!node) return nullptr;
    if (peek().type == ItemType::kField) {
      int32_t chain_pos = peek().pos;
      std::vector<std::string> fields;
      while (peek().type == ItemType::kField) fields.push_back(next().val.substr(1));
      switch (node->type) {
        case NodeType::kField:
        case NodeType::kVariable: {
          auto n = std::make_unique<Node>(node->type, chain_pos);
          n->ident = node->ident;
          for (auto& f : fields) n->ident.push_back(f);
          return n;
        }
        case NodeType::kBool:
        case NodeType::kString:
        case NodeType::kNumber:
        case NodeType::kNil:
        case NodeType::kDot:
          errorf(cat("unexpected . after term ", go_quote(node_to_string(*node))));
        default: {
          auto chain = std::make_unique<Node>(NodeType::kChain, chain_pos);
          chain->ident = std::move(fields);
          chain->pipe = std::move(node);
          return chain;
        }
      }
    }
    return node;
  }

  NodePtr new_variable(int32_t pos, std::string_view name) {
    auto n = std::make_unique<Node>(NodeType::kVariable, pos);
    size_t start = 0;
    while (true) {
      size_t dot = name.find('.', start);
      n->ident.emplace_back(name.substr(start, dot == std::string_view::npos ? dot : dot - start));
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    return n;
  }

  NodePtr term() {
    const Item& t = next_non_space();
    switch (t.type) {
      case ItemType::kIdentifier: {
        const FuncSig* f = find_function(t.val);
        if (f == nullptr) errorf(cat("function ", go_quote(t.val), " not defined"));
        auto n = std::make_unique<Node>(NodeType::kIdentifier, t.pos);
        n->text = t.val;
        n->func = f;
        return n;
      }
      case ItemType::kDot:
        return std::make_unique<Node>(NodeType::kDot, t.pos);
      case ItemType::kNil:
        return std::make_unique<Node>(NodeType::kNil, t.pos);
      case ItemType::kVariable: {
        NodePtr v = new_variable(t.pos, t.val);
        for (const auto& name : vars_) {
          if (name == v->ident[0]) return v;
        }
        errorf(cat("undefined variable ", go_quote(v->ident[0])));
      }
      case ItemType::kField: {
        auto n = std::make_unique<Node>(NodeType::kField, t.pos);
        std::string_view rest = std::string_view(t.val).substr(1);
        size_t start = 0;
        while (true) {
          size_t dot = rest.find('.', start);
          n->ident.emplace_back(
              rest.substr(start, dot == std::string_view::npos ? dot : dot - start));
          if (dot == std::string_view::npos) break;
          start = dot + 1;
        }
        return n;
      }
      case ItemType::kBool: {
        auto n = std::make_unique<Node>(NodeType::kBool, t.pos);
        n->truth = t.val == "true";
        return n;
      }
      case ItemType::kCharConstant:
      case ItemType::kComplex:
      case ItemType::kNumber:
        return new_number(t);
      case ItemType::kLeftParen: {
        enter();
        NodePtr p = pipeline("parenthesized pipeline", ItemType::kRightParen);
        --depth_;
        return p;
      }
      case ItemType::kString:
      case ItemType::kRawString: {
        std::optional<std::string> s = unquote(t.val);
        if (!s) errorf("invalid syntax");
        auto n = std::make_unique<Node>(NodeType::kString, t.pos);
        n->text = t.val;
        n->str = std::move(*s);
        return n;
      }
      default:
        backup();
        return nullptr;
    }
  }

  NodePtr new_number(const Item& t) {
    auto n = std::make_unique<Node>(NodeType::kNumber, t.pos);
    NumberItem item = t.type == ItemType::kCharConstant ? NumberItem::kChar
                      : t.type == ItemType::kComplex    ? NumberItem::kComplex
                                                        : NumberItem::kNumber;
    std::string error = parse_number_literal(t.val, item, n.get());
    if (!error.empty()) errorf(error);
    return n;
  }

  std::string_view name_;
  std::vector<Item> items_;
  size_t idx_ = 0;
  size_t max_read_ = 0;
  bool read_any_ = false;
  int action_line_ = 0;
  int range_depth_ = 0;
  int depth_ = 0;
  std::vector<std::string> vars_{"$"};
  std::vector<std::pair<std::string, NodePtr>> defines_;
};

}  // namespace

absl::StatusOr<Tree> parse_template(std::string_view name, std::string_view text) {
  try {
    return Parser(name, text).parse_all();
  } catch (const ParseError& e) {
    return absl::InvalidArgumentError(e.message);
  }
}

}  // namespace strata::rules::tmpl
