#include "api/value_json.h"

#include <variant>

namespace strata::api {

void write_labels(JsonWriter& w, const tsdb::Labels& labels) {
  w.begin_object();
  for (const auto& l : labels) {
    w.key(l.name);
    w.string(l.value);
  }
  w.end_object();
}

void write_query_data(JsonWriter& w, const promql::Value& v) {
  w.begin_object();
  w.key("resultType");
  w.string(promql::result_type_name(v));
  w.key("result");
  if (const auto* s = std::get_if<promql::Scalar>(&v)) {
    w.sample_pair(s->t, s->v);
  } else if (const auto* s = std::get_if<promql::String>(&v)) {
    w.begin_array();
    w.timestamp(s->t);
    w.string(s->v);
    w.end_array();
  } else if (const auto* vec = std::get_if<promql::Vector>(&v)) {
    w.begin_array();
    for (const auto& e : *vec) {
      w.begin_object();
      w.key("metric");
      write_labels(w, e.metric);
      w.key("value");
      w.sample_pair(e.t, e.v);
      w.end_object();
    }
    w.end_array();
  } else if (const auto* m = std::get_if<promql::Matrix>(&v)) {
    w.begin_array();
    for (const auto& s : *m) {
      w.begin_object();
      w.key("metric");
      write_labels(w, s.metric);
      w.key("values");
      w.begin_array();
      for (const auto& p : s.points) w.sample_pair(p.t, p.v);
      w.end_array();
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
}

}  // namespace strata::api
