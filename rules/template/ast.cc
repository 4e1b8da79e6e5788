#include "rules/template/ast.h"

#include "base/go_quote.h"

namespace strata::rules::tmpl {
namespace {

void write_node(const Node& n, std::string* sb);

void write_list(const Node* n, std::string* sb) {
  if (n == nullptr) return;
  for (const auto& c : n->nodes) write_node(*c, sb);
}

void write_node(const Node& n, std::string* sb) {
  switch (n.type) {
    case NodeType::kText:
      sb->append(n.text);
      return;
    case NodeType::kAction:
      sb->append("{{");
      write_node(*n.pipe, sb);
      sb->append("}}");
      return;
    case NodeType::kBool:
      sb->append(n.truth ? "true" : "false");
      return;
    case NodeType::kChain:
      if (n.pipe->type == NodeType::kPipe) {
        sb->push_back('(');
        write_node(*n.pipe, sb);
        sb->push_back(')');
      } else {
        write_node(*n.pipe, sb);
      }
      for (const auto& f : n.ident) {
        sb->push_back('.');
        sb->append(f);
      }
      return;
    case NodeType::kCommand:
      for (size_t i = 0; i < n.nodes.size(); ++i) {
        if (i > 0) sb->push_back(' ');
        if (n.nodes[i]->type == NodeType::kPipe) {
          sb->push_back('(');
          write_node(*n.nodes[i], sb);
          sb->push_back(')');
        } else {
          write_node(*n.nodes[i], sb);
        }
      }
      return;
    case NodeType::kDot:
      sb->push_back('.');
      return;
    case NodeType::kField:
      for (const auto& f : n.ident) {
        sb->push_back('.');
        sb->append(f);
      }
      return;
    case NodeType::kIdentifier:
    case NodeType::kNumber:
    case NodeType::kString:
      sb->append(n.text);
      return;
    case NodeType::kIf:
    case NodeType::kRange:
    case NodeType::kWith:
      sb->append(n.type == NodeType::kIf      ? "{{if "
                 : n.type == NodeType::kRange ? "{{range "
                                              : "{{with ");
      write_node(*n.pipe, sb);
      sb->append("}}");
      write_list(n.list.get(), sb);
      if (n.else_list) {
        sb->append("{{else}}");
        write_list(n.else_list.get(), sb);
      }
      sb->append("{{end}}");
      return;
    case NodeType::kList:
      write_list(&n, sb);
      return;
    case NodeType::kNil:
      sb->append("nil");
      return;
    case NodeType::kPipe:
      if (!n.decl.empty()) {
        for (size_t i = 0; i < n.decl.size(); ++i) {
          if (i > 0) sb->append(", ");
          write_node(*n.decl[i], sb);
        }
        sb->append(" := ");
      }
      for (size_t i = 0; i < n.nodes.size(); ++i) {
        if (i > 0) sb->append(" | ");
        write_node(*n.nodes[i], sb);
      }
      return;
    case NodeType::kVariable:
      for (size_t i = 0; i < n.ident.size(); ++i) {
        if (i > 0) sb->push_back('.');
        sb->append(n.ident[i]);
      }
      return;
    case NodeType::kTemplate:
      sb->append("{{template ");
      sb->append(go_quote(n.str));
      if (n.pipe) {
        sb->push_back(' ');
        write_node(*n.pipe, sb);
      }
      sb->append("}}");
      return;
    case NodeType::kBreak:
      sb->append("{{break}}");
      return;
    case NodeType::kContinue:
      sb->append("{{continue}}");
      return;
    case NodeType::kElse:
      sb->append("{{else}}");
      return;
    case NodeType::kEnd:
      sb->append("{{end}}");
      return;
  }
}

}  // namespace

std::string node_to_string(const Node& n) {
  std::string s;
  write_node(n, &s);
  return s;
}

}  // namespace strata::rules::tmpl
