// Internal to rules/template/: the literals of Go's template language, as
// Go's parser reads them: strconv.Unquote for "..." and `...` strings,
// character constants, and numbers (NumberNode's int/uint/float views).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rules/template/ast.h"

namespace strata::rules::tmpl {

// strconv.UnquoteChar: decodes one (possibly escaped) character from the
// front of `s` into `out` (a \x or octal escape is one byte) and `rune`.
// False on a syntax error.
bool unquote_char(std::string_view* s, char quote, std::string* out, int32_t* rune);

// strconv.Unquote of a quoted or raw (backquoted) string literal.
std::optional<std::string> unquote(std::string_view quoted);

// Fills the number fields of `n` from `text` (a number, character constant
// or complex constant, as the lexer classified it). Returns Go's parse error message, or "" on
// success. Imaginary and complex constants (1i, 1+2i) set is_complex and complex_*.
enum class NumberItem { kNumber, kChar, kComplex };  // the lexer's item type
std::string parse_number_literal(const std::string& text, NumberItem item, Node* n);

}  // namespace strata::rules::tmpl
