// Internal to rules/template/: formatting of one argument for one verb,
// as Go's fmt does it (pp.printArg), used by go_fmt.cc's Sprintf/Sprint.
#pragma once

#include <string>

#include "rules/template/value.h"

namespace strata::rules::tmpl {

// fmt's flags, width and precision of one verb.
struct FmtFlags {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  bool plus_v = false, sharp_v = false;  // %+v and %#v
  bool wid_present = false, prec_present = false;
  int wid = 0, prec = 0;
};

// Appends `v` formatted with `verb` and `flags` to `out`, including Go's
// "%!verb(type=value)" for a verb the value's kind does not take.
void fmt_print_arg(std::string* out, FmtFlags* flags, const Value& v, char32_t verb);

}  // namespace strata::rules::tmpl
