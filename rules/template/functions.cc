#include "rules/template/functions.h"

#include <algorithm>
#include <array>

namespace strata::rules::tmpl {
namespace {

using P = ParamType;

// Sorted by name for the binary search in find_function.
constexpr auto kFuncs = std::to_array<FuncSig>({
    {"and", FuncId::kAnd, {P::kReflect, P::kReflect}, 2, true, true},
    {"args", FuncId::kArgs, {P::kAny}, 1, true, false},
    {"call", FuncId::kCall, {P::kReflect, P::kReflect}, 2, true, true},
    {"eq", FuncId::kEq, {P::kReflect, P::kReflect}, 2, true, true},
    {"externalURL", FuncId::kExternalURL, {}, 0, false, false},
    {"first", FuncId::kFirst, {P::kQueryResult}, 1, false, false},
    {"ge", FuncId::kGe, {P::kReflect, P::kReflect}, 2, false, true},
    {"graphLink", FuncId::kGraphLink, {P::kString}, 1, false, false},
    {"gt", FuncId::kGt, {P::kReflect, P::kReflect}, 2, false, true},
    {"html", FuncId::kHtml, {P::kAny}, 1, true, true},
    {"humanize", FuncId::kHumanize, {P::kAny}, 1, false, false},
    {"humanize1024", FuncId::kHumanize1024, {P::kAny}, 1, false, false},
    {"humanizeDuration", FuncId::kHumanizeDuration, {P::kAny}, 1, false, false},
    {"humanizePercentage", FuncId::kHumanizePercentage, {P::kAny}, 1, false, false},
    {"humanizeTimestamp", FuncId::kHumanizeTimestamp, {P::kAny}, 1, false, false},
    {"index", FuncId::kIndex, {P::kReflect, P::kReflect}, 2, true, true},
    {"js", FuncId::kJs, {P::kAny}, 1, true, true},
    {"label", FuncId::kLabel, {P::kString, P::kSample}, 2, false, false},
    {"le", FuncId::kLe, {P::kReflect, P::kReflect}, 2, false, true},
    {"len", FuncId::kLen, {P::kReflect}, 1, false, true},
    {"lt", FuncId::kLt, {P::kReflect, P::kReflect}, 2, false, true},
    {"match", FuncId::kMatch, {P::kString, P::kString}, 2, false, false},
    {"ne", FuncId::kNe, {P::kReflect, P::kReflect}, 2, false, true},
    {"not", FuncId::kNot, {P::kReflect}, 1, false, true},
    {"or", FuncId::kOr, {P::kReflect, P::kReflect}, 2, true, true},
    {"parseDuration", FuncId::kParseDuration, {P::kString}, 1, false, false},
    {"pathPrefix", FuncId::kPathPrefix, {}, 0, false, false},
    {"print", FuncId::kPrint, {P::kAny}, 1, true, true},
    {"printf", FuncId::kPrintf, {P::kString, P::kAny}, 2, true, true},
    {"println", FuncId::kPrintln, {P::kAny}, 1, true, true},
    {"query", FuncId::kQuery, {P::kString}, 1, false, false},
    {"reReplaceAll", FuncId::kReReplaceAll, {P::kString, P::kString, P::kString}, 3, false, false},
    {"safeHtml", FuncId::kSafeHtml, {P::kString}, 1, false, false},
    {"slice", FuncId::kSlice, {P::kReflect, P::kReflect}, 2, true, true},
    {"sortByLabel", FuncId::kSortByLabel, {P::kString, P::kQueryResult}, 2, false, false},
    {"stripDomain", FuncId::kStripDomain, {P::kString}, 1, false, false},
    {"stripPort", FuncId::kStripPort, {P::kString}, 1, false, false},
    {"strvalue", FuncId::kStrvalue, {P::kSample}, 1, false, false},
    {"tableLink", FuncId::kTableLink, {P::kString}, 1, false, false},
    {"title", FuncId::kTitle, {P::kString}, 1, false, false},
    {"toLower", FuncId::kToLower, {P::kString}, 1, false, false},
    {"toTime", FuncId::kToTime, {P::kAny}, 1, false, false},
    {"toUpper", FuncId::kToUpper, {P::kString}, 1, false, false},
    {"urlquery", FuncId::kUrlquery, {P::kAny}, 1, true, true},
    {"value", FuncId::kValue, {P::kSample}, 1, false, false},
});

}  // namespace

const FuncSig* find_function(std::string_view name) {
  auto it = std::lower_bound(kFuncs.begin(), kFuncs.end(), name,
                             [](const FuncSig& f, std::string_view n) { return f.name < n; });
  if (it == kFuncs.end() || it->name != name) return nullptr;
  return &*it;
}

const FuncSig& function_sig(FuncId id) {
  for (const FuncSig& f : kFuncs) {
    if (f.id == id) return f;
  }
  return kFuncs[0];  // unreachable: every FuncId has an entry
}

std::string_view param_type_name(ParamType t) {
  switch (t) {
    case ParamType::kString:
      return "string";
    case ParamType::kFloat:
      return "float64";
    case ParamType::kAny:
      return "interface {}";
    case ParamType::kReflect:
      return "reflect.Value";
    case ParamType::kQueryResult:
      return "template.queryResult";
    case ParamType::kSample:
      return "*template.sample";
  }
  return "";
}

}  // namespace strata::rules::tmpl
