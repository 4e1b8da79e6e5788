// The functions a template may call: Go's builtins (and, or, len, printf,
// eq, ...) and Prometheus' function map (humanize, query, reReplaceAll, ...),
// with their Go signatures. The parser resolves each identifier to a FuncId
// once; the executor dispatches on the id and converts arguments by the
// signature, as Go's reflection-based call does.
#pragma once

#include <cstdint>
#include <string_view>

namespace strata::rules::tmpl {

enum class FuncId : uint8_t {
  // Go's text/template builtins.
  kAnd,
  kOr,
  kNot,
  kLen,
  kIndex,
  kSlice,
  kPrint,
  kPrintf,
  kPrintln,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kHtml,
  kJs,
  kUrlquery,
  kCall,
  // Prometheus' template functions (2.42).
  kQuery,
  kFirst,
  kLabel,
  kValue,
  kStrvalue,
  kArgs,
  kReReplaceAll,
  kSafeHtml,
  kMatch,
  kTitle,
  kToUpper,
  kToLower,
  kGraphLink,
  kTableLink,
  kSortByLabel,
  kHumanize,
  kHumanize1024,
  kHumanizeDuration,
  kHumanizePercentage,
  kHumanizeTimestamp,
  kToTime,
  kPathPrefix,
  kExternalURL,
  kParseDuration,
  kStripPort,
  kStripDomain,
};

// The Go type of a parameter, which decides how an argument is converted.
enum class ParamType : uint8_t {
  kString,       // string
  kFloat,        // float64
  kAny,          // interface{}
  kReflect,      // reflect.Value (builtins that take any value, unconverted)
  kQueryResult,  // template.queryResult
  kSample,       // *template.sample
};

struct FuncSig {
  std::string_view name;
  FuncId id;
  ParamType params[3];  // the fixed parameters, then the variadic element type
  uint8_t num_params;   // as Go's NumIn(): fixed parameters + 1 when variadic
  bool variadic;
  bool is_builtin;
};

// The signature for `name`, or nullptr when no such function exists.
const FuncSig* find_function(std::string_view name);
const FuncSig& function_sig(FuncId id);

// Go's reflect type name of a parameter type: "string", "float64", ...
std::string_view param_type_name(ParamType t);

}  // namespace strata::rules::tmpl
