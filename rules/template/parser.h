// The parser of Go's text/template language: items from lexer.h to the tree
// of ast.h, with Go's checks (functions and variables must be defined, empty
// pipelines, misplaced else/end, break outside range) and Go's error texts:
// `template: <name>:<line>: function "foo" not defined`. Nesting is bounded
// so that a hostile template cannot exhaust the stack. `define`, `block` and
// `template` are supported, and so are complex constants (1i, 1+2i).
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "rules/template/ast.h"

namespace strata::rules::tmpl {

// Nesting depth of parentheses and control structures the parser accepts.
inline constexpr int kMaxParseDepth = 100;

// Parses `text` as the template `name`. InvalidArgument with Go's message.
absl::StatusOr<Tree> parse_template(std::string_view name, std::string_view text);

}  // namespace strata::rules::tmpl
