// The lexer of Go's text/template language with the default "{{" "}}"
// delimiters: trim markers ("{{- ", " -}}"), comments, strings, raw strings,
// character constants, numbers, fields, variables and keywords. Positions are
// byte offsets into the text, as Go reports them in execution errors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::rules::tmpl {

enum class ItemType : uint8_t {
  kError,  // val holds the message
  kBool,
  kChar,  // a printable ASCII character inside an action: "," and the like
  kCharConstant,
  kComment,
  kComplex,
  kAssign,   // =
  kDeclare,  // :=
  kEof,
  kField,       // .Field
  kIdentifier,  // a function name
  kLeftDelim,
  kLeftParen,
  kNumber,
  kPipe,
  kRawString,
  kRightDelim,
  kRightParen,
  kSpace,
  kString,
  kText,
  kVariable,  // $x
  // Keywords; every keyword sorts after kKeyword.
  kKeyword,
  kBlock,
  kBreak,
  kContinue,
  kDot,
  kDefine,
  kElse,
  kEnd,
  kIf,
  kNil,
  kRange,
  kTemplate,
  kWith,
};

struct Item {
  ItemType type = ItemType::kEof;
  int32_t pos = 0;   // byte offset of the item in the input
  std::string val;   // the item's text (or the error message)
  int32_t line = 1;  // 1-based line where the item starts
};

// Go's item.String(): EOF, the error text, <keyword>, or a %q of the value
// (at most 10 runes, then "...").
std::string item_to_string(const Item& item);

// Lexes the whole input. The result ends with kEof, or with a kError item
// after which nothing follows. Never fails otherwise.
std::vector<Item> lex_template(std::string_view input);

}  // namespace strata::rules::tmpl
