// Go's text/template builtin functions (funcs.go), over template values.
#include <string>

#include "base/go_quote.h"
#include "net/url.h"
#include "rules/template/call.h"
#include "rules/template/go_fmt.h"
#include "rules/template/str_cat.h"

namespace strata::rules::tmpl {
namespace {

absl::Status err(std::string_view msg) { return absl::InvalidArgumentError(std::string(msg)); }

Value indirect_interface(const Value& v) { return v.kind() == Kind::kNil ? Value() : v; }

// The type name of a value after reflect's indirect(): a non-nil *sample is
// a template.sample, a *time.Time a time.Time.
std::string indirect_type_name(const Value& v) {
  if (v.kind() == Kind::kSample && v.sample_ptr() != nullptr) return "template.sample";
  if (v.kind() == Kind::kTime) return "time.Time";
  return v.type_name();
}

absl::StatusOr<Value> length(const Value& item) {
  if (item.kind() == Kind::kNil || (item.kind() == Kind::kSample && item.sample_ptr() == nullptr)) {
    return err("len of nil pointer");
  }
  if (!item.valid()) return err("reflect: call of reflect.Value.Type on zero Value");
  int64_t n = item.length();
  if (n < 0) return err(cat("len of type ", indirect_type_name(item)));
  return Value::integer(n);
}

// indexArg: an int index in [0, cap].
absl::StatusOr<int64_t> index_arg(const Value& index, int64_t cap) {
  int64_t x;
  switch (index.kind()) {
    case Kind::kInt:
    case Kind::kUint8:
      x = index.as_int();
      break;
    case Kind::kInvalid:
    case Kind::kNil:
      return err("cannot index slice/array with nil");
    default:
      return err(cat("cannot index slice/array with type ", index.type_name()));
  }
  if (x < 0 || x > cap) return err(cat("index out of range: ", x));
  return x;
}

absl::StatusOr<Value> map_key(const Value& index, std::string* key) {
  Value k = indirect_interface(index);
  if (!k.valid()) return err("value is nil; should be of type string");
  if (k.kind() != Kind::kString) {
    return err(cat("value has type ", k.type_name(), "; should be string"));
  }
  *key = k.as_string();
  return k;
}

absl::StatusOr<Value> index(const std::vector<Value>& args) {
  Value item = indirect_interface(args[0]);
  if (!item.valid()) return err("index of untyped nil");
  for (size_t i = 1; i < args.size(); ++i) {
    Value idx = indirect_interface(args[i]);
    if (item.kind() == Kind::kNil ||
        (item.kind() == Kind::kSample && item.sample_ptr() == nullptr)) {
      return err("index of nil pointer");
    }
    switch (item.kind()) {
      case Kind::kString:
      case Kind::kHtml: {
        const std::string& s = item.as_string();
        auto x = index_arg(idx, static_cast<int64_t>(s.size()));
        if (!x.ok()) return x.status();
        if (*x == static_cast<int64_t>(s.size())) return err("reflect: string index out of range");
        item = Value::uint8(static_cast<uint8_t>(s[*x]));
        break;
      }
      case Kind::kQueryResult: {
        const SampleList& s = item.samples();
        auto x = index_arg(idx, static_cast<int64_t>(s.size()));
        if (!x.ok()) return x.status();
        if (*x == static_cast<int64_t>(s.size())) return err("reflect: slice index out of range");
        item = Value::sample(s[*x]);
        break;
      }
      case Kind::kLabelMap: {
        std::string key;
        auto k = map_key(idx, &key);
        if (!k.ok()) return k.status();
        item = Value::string(std::string(item.labels().get(key)));
        break;
      }
      case Kind::kAnyMap: {
        std::string key;
        auto k = map_key(idx, &key);
        if (!k.ok()) return k.status();
        Value found = Value::nil();
        for (const auto& [mk, mv] : item.any_map()) {
          if (mk == key) found = mv;
        }
        item = found;
        break;
      }
      default:
        return err(cat("can't index item of type ", indirect_type_name(item)));
    }
  }
  return item;
}

absl::StatusOr<Value> slice(const std::vector<Value>& args) {
  Value item = indirect_interface(args[0]);
  if (!item.valid()) return err("slice of untyped nil");
  size_t nidx = args.size() - 1;
  if (nidx > 3) return err(cat("too many slice indexes: ", nidx));
  int64_t len;
  bool is_string = item.kind() == Kind::kString || item.kind() == Kind::kHtml;
  if (is_string) {
    if (nidx == 3) return err("cannot 3-index slice a string");
    len = static_cast<int64_t>(item.as_string().size());
  } else if (item.kind() == Kind::kQueryResult) {
    len = static_cast<int64_t>(item.samples().size());
  } else {
    return err(cat("can't slice item of type ", indirect_type_name(item)));
  }
  int64_t idx[3] = {0, len, len};
  for (size_t i = 0; i < nidx; ++i) {
    auto x = index_arg(indirect_interface(args[i + 1]), len);
    if (!x.ok()) return x.status();
    idx[i] = *x;
  }
  if (idx[0] > idx[1]) return err(cat("invalid slice index: ", idx[0], " > ", idx[1]));
  if (nidx == 3 && idx[1] > idx[2]) {
    return err(cat("invalid slice index: ", idx[1], " > ", idx[2]));
  }
  if (is_string) {
    std::string s = item.as_string().substr(idx[0], idx[1] - idx[0]);
    return item.kind() == Kind::kHtml ? Value::html(std::move(s)) : Value::string(std::move(s));
  }
  auto out = std::make_shared<SampleList>(item.samples().begin() + idx[0],
                                          item.samples().begin() + idx[1]);
  return Value::query_result(std::move(out));
}

enum class BasicKind { kInvalid, kBool, kComplex, kInt, kUint, kFloat, kString };

BasicKind basic_kind(const Value& v) {
  switch (v.kind()) {
    case Kind::kBool:
      return BasicKind::kBool;
    case Kind::kInt:
      return BasicKind::kInt;
    case Kind::kUint8:
      return BasicKind::kUint;
    case Kind::kFloat:
      return BasicKind::kFloat;
    case Kind::kComplex:
      return BasicKind::kComplex;
    case Kind::kString:
    case Kind::kHtml:
      return BasicKind::kString;
    default:
      return BasicKind::kInvalid;
  }
}

constexpr std::string_view kBadComparison = "incompatible types for comparison";
constexpr std::string_view kBadComparisonType = "invalid type for comparison";

std::string sprint_s(const Value& v) { return go_sprintf("%s", {v}); }

// Whether Go's == is defined on the dynamic type (maps and slices are not).
bool comparable(const Value& v) {
  switch (v.kind()) {
    case Kind::kLabelMap:
    case Kind::kAnyMap:
    case Kind::kQueryResult:
    case Kind::kRoot:
      return false;
    default:
      return true;
  }
}

bool is_nil(const Value& v) {
  return !v.valid() || (v.kind() == Kind::kSample && v.sample_ptr() == nullptr);
}

absl::StatusOr<bool> eq(const std::vector<Value>& args) {
  Value a1 = indirect_interface(args[0]);
  if (args.size() < 2) return err("missing argument for comparison");
  BasicKind k1 = basic_kind(a1);
  for (size_t i = 1; i < args.size(); ++i) {
    Value a = indirect_interface(args[i]);
    BasicKind k2 = basic_kind(a);
    bool truth = false;
    if (k1 != k2) {
      if (k1 == BasicKind::kInt && k2 == BasicKind::kUint) {
        truth = a1.as_int() >= 0 && a1.as_int() == a.as_int();
      } else if (k1 == BasicKind::kUint && k2 == BasicKind::kInt) {
        truth = a.as_int() >= 0 && a1.as_int() == a.as_int();
      } else if (a1.valid() && a.valid()) {
        return err(kBadComparison);
      }
    } else {
      switch (k1) {
        case BasicKind::kBool:
        case BasicKind::kInt:
        case BasicKind::kUint:
          truth = a1.as_int() == a.as_int();
          break;
        case BasicKind::kFloat:
          truth = a1.as_float() == a.as_float();
          break;
        case BasicKind::kComplex:
          truth = a1.as_float() == a.as_float() && a1.imag() == a.imag();
          break;
        case BasicKind::kString:
          truth = a1.as_string() == a.as_string();
          break;
        case BasicKind::kInvalid: {
          bool can = !a1.valid() || !a.valid() || a1.kind() == a.kind();
          if (!can) {
            return err(cat("non-comparable types ", sprint_s(a1), ": ", a1.type_name(), ", ",
                           a.type_name(), ": ", sprint_s(a)));
          }
          if (is_nil(a1) || is_nil(a)) {
            truth = is_nil(a) == is_nil(a1);
          } else {
            if (!comparable(a)) {
              return err(cat("non-comparable type ", sprint_s(a), ": ", a.type_name()));
            }
            // Pointers compare by identity: two samples are equal only if
            // they are the same element; two *time.Time never are.
            truth = a.kind() == Kind::kSample && a.sample_ptr() == a1.sample_ptr();
          }
          break;
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

absl::StatusOr<bool> lt(const Value& x, const Value& y) {
  Value a1 = indirect_interface(x);
  BasicKind k1 = basic_kind(a1);
  if (k1 == BasicKind::kInvalid) return err(kBadComparisonType);
  Value a2 = indirect_interface(y);
  BasicKind k2 = basic_kind(a2);
  if (k2 == BasicKind::kInvalid) return err(kBadComparisonType);
  if (k1 != k2) {
    if (k1 == BasicKind::kInt && k2 == BasicKind::kUint) {
      return a1.as_int() < 0 || a1.as_int() < a2.as_int();
    }
    if (k1 == BasicKind::kUint && k2 == BasicKind::kInt) {
      return a2.as_int() >= 0 && a1.as_int() < a2.as_int();
    }
    return err(kBadComparison);
  }
  switch (k1) {
    case BasicKind::kBool:
    case BasicKind::kComplex:
      return err(kBadComparisonType);
    case BasicKind::kFloat:
      return a1.as_float() < a2.as_float();
    case BasicKind::kInt:
    case BasicKind::kUint:
      return a1.as_int() < a2.as_int();
    case BasicKind::kString:
      return a1.as_string() < a2.as_string();
    default:
      return err(kBadComparisonType);
  }
}

absl::StatusOr<bool> le(const Value& x, const Value& y) {
  auto l = lt(x, y);
  if (!l.ok() || *l) return l;
  return eq({x, y});
}

// template.HTMLEscapeString.
std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// template.JSEscapeString.
std::string js_escape(std::string_view s) {
  std::string out;
  static const char* kHex = "0123456789ABCDEF";
  while (!s.empty()) {
    auto c = static_cast<unsigned char>(s[0]);
    if (c < 0x80) {
      s.remove_prefix(1);
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '\'':
          out += "\\'";
          break;
        case '"':
          out += "\\\"";
          break;
        case '<':
          out += "\\u003C";
          break;
        case '>':
          out += "\\u003E";
          break;
        case '&':
          out += "\\u0026";
          break;
        case '=':
          out += "\\u003D";
          break;
        default:
          if (c < ' ') {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          } else {
            out += static_cast<char>(c);
          }
      }
      continue;
    }
    DecodedRune r = decode_rune(s);
    if (go_is_print(r.rune)) {
      append_utf8(&out, r.rune);
    } else {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(r.rune));
      out += buf;
    }
    s.remove_prefix(r.width);
  }
  return out;
}

}  // namespace


std::string eval_args_string(const std::vector<Value>& args) {
  if (args.size() == 1 && args[0].kind() == Kind::kString) return args[0].as_string();
  // printableValue: nil prints as "<no value>", pointers are dereferenced.
  std::vector<Value> printable_args;
  for (const Value& a : args) {
    if (a.kind() == Kind::kNil || !a.valid()) {
      printable_args.push_back(Value::string("<no value>"));
    } else {
      printable_args.push_back(a);
    }
  }
  std::string s;
  bool prev_string = false;
  for (size_t i = 0; i < printable_args.size(); ++i) {
    const Value& a = printable_args[i];
    bool is_string = a.kind() == Kind::kString || a.kind() == Kind::kHtml;
    if (i > 0 && !is_string && !prev_string) s += ' ';
    s += printable(a);
    prev_string = is_string;
  }
  return s;
}

absl::StatusOr<Value> call_builtin(FuncId id, const std::vector<Value>& args, size_t max_bytes) {
  switch (id) {
    case FuncId::kNot:
      return Value::boolean(!is_true(indirect_interface(args[0])));
    case FuncId::kLen:
      return length(args[0]);
    case FuncId::kIndex:
      return index(args);
    case FuncId::kSlice:
      return slice(args);
    case FuncId::kPrint:
      return Value::string(go_sprint(args));
    case FuncId::kPrintln:
      return Value::string(go_sprintln(args));
    case FuncId::kPrintf: {
      std::vector<Value> rest(args.begin() + 1, args.end());
      return Value::string(go_sprintf(args[0].as_string(), rest, max_bytes));
    }
    case FuncId::kEq: {
      auto r = eq(args);
      if (!r.ok()) return r.status();
      return Value::boolean(*r);
    }
    case FuncId::kNe: {
      auto r = eq(args);
      if (!r.ok()) return r.status();
      return Value::boolean(!*r);
    }
    case FuncId::kLt:
    case FuncId::kGe: {
      auto r = lt(args[0], args[1]);
      if (!r.ok()) return r.status();
      return Value::boolean(id == FuncId::kLt ? *r : !*r);
    }
    case FuncId::kLe:
    case FuncId::kGt: {
      auto r = le(args[0], args[1]);
      if (!r.ok()) return r.status();
      return Value::boolean(id == FuncId::kLe ? *r : !*r);
    }
    case FuncId::kHtml:
      return Value::string(html_escape(eval_args_string(args)));
    case FuncId::kJs:
      return Value::string(js_escape(eval_args_string(args)));
    case FuncId::kUrlquery:
      return Value::string(net::query_escape(eval_args_string(args)));
    case FuncId::kCall: {
      Value fn = indirect_interface(args[0]);
      if (!fn.valid()) return err("call of nil");
      return err(cat("non-function of type ", fn.type_name()));
    }
    default:
      return err("internal error: not a builtin");
  }
}

}  // namespace strata::rules::tmpl
