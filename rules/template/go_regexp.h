// Internal to rules/template/: Go's regexp package semantics on RE2 (the
// same syntax): compile errors in Go's words ("error parsing regexp:
// missing closing ): `(`"), MatchString, and ReplaceAllString with Go's
// $1 / ${name} template expansion and empty-match rules. MatchString is
// RE2::PartialMatch on a compiled pattern.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "re2/re2.h"

namespace strata::rules::tmpl {

// regexp.Compile. The error message is Go's *syntax.Error text.
absl::StatusOr<std::unique_ptr<RE2>> go_regexp_compile(std::string_view pattern);

// re.ReplaceAllString(src, repl). `max_bytes` bounds the result; an error
// when it would be exceeded.
absl::StatusOr<std::string> go_regexp_replace_all(const RE2& re, std::string_view src,
                                                  std::string_view repl, size_t max_bytes);

// What regexp.MustCompile panics with: "regexp: Compile(`(`): <error>".
std::string go_must_compile_message(std::string_view pattern, std::string_view error);

}  // namespace strata::rules::tmpl
