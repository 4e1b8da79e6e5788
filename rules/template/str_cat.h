// Internal to rules/template/: string concatenation over std::string_view
// (Debian's abseil has its own string_view type, so absl::StrCat does not
// take std::string_view).
#pragma once

#include <concepts>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace strata::rules::tmpl {

inline void cat_one(std::string* s, std::string_view v) { s->append(v); }
inline void cat_one(std::string* s, const char* v) { s->append(v); }
inline void cat_one(std::string* s, const std::string& v) { s->append(v); }
inline void cat_one(std::string* s, absl::string_view v) { s->append(v.data(), v.size()); }
template <std::integral T>
void cat_one(std::string* s, T v) {
  s->append(std::to_string(v));
}

template <typename... A>
std::string cat(const A&... a) {
  std::string s;
  (cat_one(&s, a), ...);
  return s;
}

}  // namespace strata::rules::tmpl
