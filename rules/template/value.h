// The values a template computes with: a closed model of the Go types that
// Prometheus' templates can see (reflect.Value in Go's text/template). Each
// kind prints, compares and names its type as Go does, because users read
// these in annotations and error texts. Value types; cheap to copy (maps
// and query results are shared, immutable).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tsdb/labels/labels.h"

namespace strata::rules {

struct AlertTemplateData;

namespace tmpl {

class Value;

// Prometheus' `sample`: one element of a query result.
struct Sample {
  tsdb::Labels labels;  // includes __name__, as Prometheus' Metric.Map()
  double value = 0;
};
using SamplePtr = std::shared_ptr<const Sample>;
using SampleList = std::vector<SamplePtr>;
// map[string]interface{} (the result of `args`), sorted by key.
using AnyMap = std::vector<std::pair<std::string, Value>>;

enum class Kind : uint8_t {
  kInvalid,      // Go's zero reflect.Value: prints "<no value>", passes as nil
  kNil,          // an untyped nil interface{} (printf's "<nil>")
  kBool,         // bool
  kInt,          // int (64-bit)
  kUint8,        // uint8 (a byte from `index` on a string)
  kFloat,        // float64
  kComplex,      // complex128 (from constants such as 1i)
  kString,       // string
  kHtml,         // html/template.HTML (safeHtml)
  kLabelMap,     // map[string]string: .Labels, .ExternalLabels, a sample's labels
  kAnyMap,       // map[string]interface {}
  kSample,       // *template.sample (may be nil)
  kQueryResult,  // template.queryResult ([]*sample)
  kTime,         // *time.Time, millisecond precision (toTime)
  kRoot,         // the alert's data struct {Labels, ExternalLabels, ExternalURL, Value}
};

class Value {
 public:
  Value() = default;  // kInvalid
  static Value nil() { return Value(Kind::kNil); }
  static Value boolean(bool b) {
    Value v(Kind::kBool);
    v.i_ = b;
    return v;
  }
  static Value integer(int64_t i) {
    Value v(Kind::kInt);
    v.i_ = i;
    return v;
  }
  static Value uint8(uint8_t i) {
    Value v(Kind::kUint8);
    v.i_ = i;
    return v;
  }
  static Value complex(double re, double im) {
    Value v(Kind::kComplex);
    v.f_ = re;
    v.i_ = 0;
    v.im_ = im;
    return v;
  }
  static Value floating(double f) {
    Value v(Kind::kFloat);
    v.f_ = f;
    return v;
  }
  static Value string(std::string s) {
    Value v(Kind::kString);
    v.s_ = std::move(s);
    return v;
  }
  static Value html(std::string s) {
    Value v(Kind::kHtml);
    v.s_ = std::move(s);
    return v;
  }
  static Value label_map(std::shared_ptr<const tsdb::Labels> m);
  // A map[string]string that does not own `m`: for the alert's data, which
  // outlives every value of the expansion that reads it.
  static Value borrowed_label_map(const tsdb::Labels* m) {
    return label_map(std::shared_ptr<const tsdb::Labels>(std::shared_ptr<const void>(), m));
  }
  static Value any_map(std::shared_ptr<const AnyMap> m);
  static Value sample(SamplePtr s);
  static Value query_result(std::shared_ptr<const SampleList> r);
  static Value time_ms(int64_t t_ms) {
    Value v(Kind::kTime);
    v.i_ = t_ms;
    return v;
  }
  static Value root(const AlertTemplateData* d) {
    Value v(Kind::kRoot);
    v.root_ = d;
    return v;
  }

  Kind kind() const { return kind_; }
  bool valid() const { return kind_ != Kind::kInvalid; }
  bool as_bool() const { return i_ != 0; }
  int64_t as_int() const { return i_; }
  double as_float() const { return f_; }               // kFloat; the real part of kComplex
  double imag() const { return im_; }                  // kComplex
  const std::string& as_string() const { return s_; }  // kString, kHtml
  const tsdb::Labels& labels() const;                  // kLabelMap
  const AnyMap& any_map() const;                       // kAnyMap
  const Sample* sample_ptr() const;                    // kSample; may be null
  SamplePtr sample_shared() const;                     // kSample; may be null
  const SampleList& samples() const;                   // kQueryResult
  const AlertTemplateData& root() const { return *root_; }

  // Go's reflect Type.String(): "float64", "map[string]string", "*template.sample".
  std::string type_name() const;
  // Length for len/range/truth: strings, maps, slices; -1 for other kinds.
  int64_t length() const;

 private:
  explicit Value(Kind k) : kind_(k) {}
  Kind kind_ = Kind::kInvalid;
  int64_t i_ = 0;
  double f_ = 0;
  double im_ = 0;
  std::string s_;
  std::shared_ptr<const void> ref_;  // label map, any map, sample, query result
  const AlertTemplateData* root_ = nullptr;
};

// Go's text/template truth: false, 0, NaN is true, "", empty map/slice, nil.
bool is_true(const Value& v);

// time.Time.String() for a UTC millisecond timestamp:
// "1970-01-01 00:00:01.5 +0000 UTC".
std::string format_go_time(int64_t t_ms);

}  // namespace tmpl
}  // namespace strata::rules
