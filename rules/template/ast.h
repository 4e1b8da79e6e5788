// The parse tree of a template, shaped like Go's text/template/parse nodes
// so that execution errors can print a node (`at <humanize "x">`) and its
// position exactly as Go does. Built by parser.h, immutable afterwards.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rules/template/functions.h"

namespace strata::rules::tmpl {

enum class NodeType : uint8_t {
  kText,
  kAction,
  kBool,
  kChain,
  kCommand,
  kDot,
  kField,
  kIdentifier,
  kIf,
  kList,
  kNil,
  kNumber,
  kPipe,
  kRange,
  kString,
  kVariable,
  kWith,
  kBreak,
  kContinue,
  kTemplate,
  kElse,
  kEnd,  // transient: returned by the parser's item list, never in a tree
};

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
  NodeType type;
  int32_t pos = 0;  // byte offset in the template text

  // kText: the text. kString: the quoted source. kNumber: the source text.
  // kIdentifier: the function name.
  std::string text;
  std::string str;                 // kString: the unquoted value; kTemplate: the name
  std::vector<std::string> ident;  // kField (no dot), kVariable ($x, y), kChain: field names
  bool truth = false;              // kBool

  // kNumber, as Go's NumberNode.
  bool is_int = false, is_uint = false, is_float = false, is_complex = false;
  int64_t int_val = 0;
  uint64_t uint_val = 0;
  double float_val = 0;
  double complex_re = 0, complex_im = 0;  // kNumber with is_complex

  const FuncSig* func = nullptr;  // kIdentifier, resolved at parse time

  // kList: items. kCommand: arguments. kPipe: commands.
  std::vector<NodePtr> nodes;
  std::vector<NodePtr> decl;  // kPipe: declared/assigned variables
  bool is_assign = false;     // kPipe: "=" rather than ":="

  NodePtr pipe;       // kAction, kIf, kRange, kWith, kTemplate (may be null); kChain: the term
  NodePtr list;       // kIf, kRange, kWith
  NodePtr else_list;  // kIf, kRange, kWith (may be null)
  // kTemplate: the body of the named template, resolved after parsing;
  // null when no such template is defined (an execution error, as in Go).
  const Node* target = nullptr;

  explicit Node(NodeType t, int32_t p) : type(t), pos(p) {}
};

// A parsed template: the main tree and the templates it defines
// ({{define}}, {{block}}), which kTemplate nodes point into.
struct Tree {
  NodePtr root;
  std::vector<std::pair<std::string, NodePtr>> defines;
};

// Go's Node.String(): the source-like rendering used in error messages.
std::string node_to_string(const Node& n);

}  // namespace strata::rules::tmpl
