#include "rules/template/value.h"

#include <cinttypes>
#include <cstdio>

#include "base/civil_date.h"
#include "rules/template/template_data.h"

namespace strata::rules::tmpl {

Value Value::label_map(std::shared_ptr<const tsdb::Labels> m) {
  Value v(Kind::kLabelMap);
  v.ref_ = std::move(m);
  return v;
}

Value Value::any_map(std::shared_ptr<const AnyMap> m) {
  Value v(Kind::kAnyMap);
  v.ref_ = std::move(m);
  return v;
}

Value Value::sample(SamplePtr s) {
  Value v(Kind::kSample);
  v.ref_ = std::move(s);
  return v;
}

Value Value::query_result(std::shared_ptr<const SampleList> r) {
  Value v(Kind::kQueryResult);
  v.ref_ = std::move(r);
  return v;
}

const tsdb::Labels& Value::labels() const {
  static const tsdb::Labels kEmpty;
  return ref_ ? *static_cast<const tsdb::Labels*>(ref_.get()) : kEmpty;
}

const AnyMap& Value::any_map() const {
  static const AnyMap kEmpty;
  return ref_ ? *static_cast<const AnyMap*>(ref_.get()) : kEmpty;
}

const Sample* Value::sample_ptr() const { return static_cast<const Sample*>(ref_.get()); }

SamplePtr Value::sample_shared() const { return std::static_pointer_cast<const Sample>(ref_); }

const SampleList& Value::samples() const {
  static const SampleList kEmpty;
  return ref_ ? *static_cast<const SampleList*>(ref_.get()) : kEmpty;
}

std::string Value::type_name() const {
  switch (kind_) {
    case Kind::kInvalid:
      return "<invalid reflect.Value>";
    case Kind::kNil:
      return "<nil>";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kUint8:
      return "uint8";
    case Kind::kFloat:
      return "float64";
    case Kind::kComplex:
      return "complex128";
    case Kind::kString:
      return "string";
    case Kind::kHtml:
      return "template.HTML";
    case Kind::kLabelMap:
      return "map[string]string";
    case Kind::kAnyMap:
      return "map[string]interface {}";
    case Kind::kSample:
      return "*template.sample";
    case Kind::kQueryResult:
      return "template.queryResult";
    case Kind::kTime:
      return "*time.Time";
    case Kind::kRoot:
      return "struct { Labels map[string]string; ExternalLabels map[string]string; "
             "ExternalURL string; Value float64 }";
  }
  return "";
}

int64_t Value::length() const {
  switch (kind_) {
    case Kind::kString:
    case Kind::kHtml:
      return static_cast<int64_t>(s_.size());
    case Kind::kLabelMap:
      return static_cast<int64_t>(labels().size());
    case Kind::kAnyMap:
      return static_cast<int64_t>(any_map().size());
    case Kind::kQueryResult:
      return static_cast<int64_t>(samples().size());
    default:
      return -1;
  }
}

bool is_true(const Value& v) {
  switch (v.kind()) {
    case Kind::kInvalid:
    case Kind::kNil:
      return false;
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kUint8:
      return v.as_int() != 0;
    case Kind::kFloat:
      return v.as_float() != 0;  // NaN is true, as in Go
    case Kind::kComplex:
      return v.as_float() != 0 || v.imag() != 0;
    case Kind::kString:
    case Kind::kHtml:
    case Kind::kLabelMap:
    case Kind::kAnyMap:
    case Kind::kQueryResult:
      return v.length() > 0;
    case Kind::kSample:
      return v.sample_ptr() != nullptr;
    case Kind::kTime:
    case Kind::kRoot:
      return true;
  }
  return false;
}

namespace {


}  // namespace

std::string format_go_time(int64_t t_ms) {
  int64_t secs = t_ms / 1000;
  int64_t ms = t_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  char buf[96];
  if (y < 0) {
    std::snprintf(buf, sizeof buf, "-%04" PRId64, -y);
  } else {
    std::snprintf(buf, sizeof buf, "%04" PRId64, y);
  }
  std::string out = buf;
  std::snprintf(buf, sizeof buf, "-%02u-%02u %02d:%02d:%02d", m, d, static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  out += buf;
  if (ms != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(ms));
    std::string frac = buf;
    while (frac.back() == '0') frac.pop_back();
    out += frac;
  }
  out += " +0000 UTC";
  return out;
}

}  // namespace strata::rules::tmpl
