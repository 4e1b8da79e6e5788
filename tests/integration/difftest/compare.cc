#include "tests/integration/difftest/compare.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <strings.h>

namespace strata::difftest {
namespace {

using json = nlohmann::json;

// Collects diffs, keeping at most `max_details` per kind and counting the rest.
class DiffSink {
 public:
  explicit DiffSink(size_t max_details) : max_(max_details) {}
  void add(const std::string& kind, const std::string& detail) {
    if (++counts_[kind] <= max_) diffs_.push_back({kind, detail});
  }
  std::vector<Diff> take() {
    for (const auto& [kind, n] : counts_)
      if (n > max_) diffs_.push_back({kind, "... and " + std::to_string(n - max_) + " more"});
    return std::move(diffs_);
  }

 private:
  size_t max_;
  std::map<std::string, size_t> counts_;
  std::vector<Diff> diffs_;
};

std::string shorten(const std::string& s, size_t n = 300) {
  std::string out = s.size() <= n ? s : s.substr(0, n) + "...";
  for (char& c : out)
    if (c == '\n') c = ' ';
  return out;
}

// `name{a="b", c="d"}` with values JSON-escaped, like Prometheus' String().
std::string series_key(const json& metric) {
  std::string name, rest;
  if (!metric.is_object()) return "<not an object: " + shorten(metric.dump(), 80) + ">";
  for (auto it = metric.begin(); it != metric.end(); ++it) {  // nlohmann keeps keys sorted
    const std::string v = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    if (it.key() == "__name__") {
      name = v;
      continue;
    }
    if (!rest.empty()) rest += ", ";
    rest += it.key() + "=" + json(v).dump();
  }
  return name + "{" + rest + "}";
}

bool parse_ts(const json& j, int64_t* ms) {
  if (!j.is_number()) return false;
  *ms = std::llround(j.get<double>() * 1000);
  return true;
}

// Unix seconds (with milliseconds if any), and the offset from `origin_ms`
// (the dataset's last grid point) when set: `1700000300 (end+5m)`.
std::string fmt_ts(int64_t ms, int64_t origin_ms) {
  auto secs = [](int64_t v) {
    std::string s = std::to_string(v / 1000);
    if (v % 1000) {
      char buf[8];
      std::snprintf(buf, sizeof buf, ".%03d", int(std::abs(v % 1000)));
      s += buf;
    }
    return s;
  };
  std::string s = secs(ms);
  if (origin_ms == 0) return s;
  int64_t d = ms - origin_ms;
  std::string rel = d < 0 ? "-" : "+";
  d = std::abs(d);
  if (d >= 3'600'000) rel += std::to_string(d / 3'600'000) + "h", d %= 3'600'000;
  if (d >= 60'000) rel += std::to_string(d / 60'000) + "m", d %= 60'000;
  if (d > 0 || rel.size() == 1) rel += secs(d) + "s";
  return s + " (end" + rel + ")";
}

struct Point {
  int64_t t_ms = 0;
  std::string raw;  // the value as sent, or the histogram JSON
  double v = 0;
  bool is_histogram = false;
};

// Reads `[ts, "value"]`; false with `why` if malformed.
bool read_point(const json& j, Point* p, std::string* why) {
  if (!j.is_array() || j.size() != 2 || !parse_ts(j[0], &p->t_ms)) {
    *why = "malformed sample " + shorten(j.dump(), 80);
    return false;
  }
  if (!j[1].is_string()) {
    *why = "sample value is not a string: " + shorten(j.dump(), 80);
    return false;
  }
  p->raw = j[1].get<std::string>();
  if (!parse_sample_value(p->raw, &p->v)) {
    *why = "sample value is not a number: " + shorten(j.dump(), 80);
    return false;
  }
  return true;
}

bool points_equal(const Point& a, const Point& b, double tol) {
  if (a.t_ms != b.t_ms || a.is_histogram != b.is_histogram) return false;
  if (a.is_histogram) return a.raw == b.raw;
  return floats_equal(a.v, b.v, tol);
}

std::string point_str(const Point& p, int64_t origin_ms) { return p.raw + " @" + fmt_ts(p.t_ms, origin_ms); }

using SeriesMap = std::map<std::string, std::vector<Point>>;

// Reads a vector or matrix result into key -> points. `order` gets the keys
// in response order. Problems go to `sink` under the server's name.
SeriesMap read_series(const json& result, bool matrix, const std::string& who, DiffSink* sink,
                      std::vector<std::string>* order, std::map<std::string, json>* metrics) {
  SeriesMap out;
  if (!result.is_array()) {
    sink->add("malformed response", who + ": result is not an array");
    return out;
  }
  for (const json& s : result) {
    if (!s.is_object() || !s.contains("metric")) {
      sink->add("malformed response", who + ": series without metric: " + shorten(s.dump(), 120));
      continue;
    }
    const std::string key = series_key(s["metric"]);
    if (out.count(key)) sink->add("duplicate series", who + " returned " + key + " twice");
    std::vector<Point>& pts = out[key];
    order->push_back(key);
    (*metrics)[key] = s["metric"];
    std::string why;
    auto add_floats = [&](const json& arr) {
      for (const json& p : arr) {
        Point pt;
        if (read_point(p, &pt, &why)) pts.push_back(pt);
        else sink->add("malformed response", who + ": " + key + ": " + why);
      }
    };
    auto add_hists = [&](const json& arr) {
      for (const json& p : arr) {
        Point pt;
        pt.is_histogram = true;
        if (p.is_array() && p.size() == 2 && parse_ts(p[0], &pt.t_ms)) {
          pt.raw = p[1].dump();
          pts.push_back(pt);
        } else {
          sink->add("malformed response", who + ": " + key + ": malformed histogram " + shorten(p.dump(), 80));
        }
      }
    };
    if (matrix) {
      if (s.contains("values")) add_floats(s["values"]);
      if (s.contains("histograms")) add_hists(s["histograms"]);
      std::stable_sort(pts.begin(), pts.end(), [](const Point& a, const Point& b) { return a.t_ms < b.t_ms; });
    } else if (s.contains("value")) {
      add_floats(json::array({s["value"]}));
    } else if (s.contains("histogram")) {
      add_hists(json::array({s["histogram"]}));
    } else {
      sink->add("malformed response", who + ": " + key + " has neither value nor histogram");
    }
  }
  return out;
}

void compare_series(const SeriesMap& ref, const SeriesMap& cand, const CompareOptions& o, DiffSink* sink) {
  for (const auto& [key, pts] : ref)
    if (!cand.count(key)) sink->add("missing series", key + " (" + std::to_string(pts.size()) + " points) not in " + o.cand_name);
  for (const auto& [key, pts] : cand)
    if (!ref.count(key)) sink->add("extra series", key + " (" + std::to_string(pts.size()) + " points) not in " + o.ref_name);
  for (const auto& [key, rp] : ref) {
    auto it = cand.find(key);
    if (it == cand.end()) continue;
    const std::vector<Point>& cp = it->second;
    // Walk both point lists by timestamp.
    size_t i = 0, j = 0;
    int reported = 0;
    while ((i < rp.size() || j < cp.size()) && reported < 2) {
      if (j == cp.size() || (i < rp.size() && rp[i].t_ms < cp[j].t_ms)) {
        sink->add("missing point", key + ": " + o.ref_name + " has " + point_str(rp[i], o.origin_ms) + ", " + o.cand_name + " has nothing");
        ++i, ++reported;
      } else if (i == rp.size() || cp[j].t_ms < rp[i].t_ms) {
        sink->add("extra point", key + ": " + o.cand_name + " has " + point_str(cp[j], o.origin_ms) + ", " + o.ref_name + " has nothing");
        ++j, ++reported;
      } else {
        if (!points_equal(rp[i], cp[j], o.rel_tolerance)) {
          sink->add("value mismatch", key + " @" + fmt_ts(rp[i].t_ms, o.origin_ms) + ": " + o.ref_name + "=" + rp[i].raw + " " +
                                          o.cand_name + "=" + cp[j].raw);
          ++reported;
        }
        ++i, ++j;
      }
    }
  }
}

// The value sequence of a sorted vector must agree (ties may be in any order).
void compare_order(const SeriesMap& ref, const std::vector<std::string>& ref_order, const SeriesMap& cand,
                   const std::vector<std::string>& cand_order, const CompareOptions& o, DiffSink* sink) {
  if (ref_order.size() != cand_order.size()) return;  // already reported as missing/extra series
  for (size_t k = 0; k < ref_order.size(); ++k) {
    const Point& a = ref.at(ref_order[k]).front();
    const Point& b = cand.at(cand_order[k]).front();
    if (!floats_equal(a.v, b.v, o.rel_tolerance)) {
      sink->add("order mismatch", "position " + std::to_string(k) + ": " + o.ref_name + " " + ref_order[k] + "=" + a.raw +
                                      ", " + o.cand_name + " " + cand_order[k] + "=" + b.raw);
      return;
    }
  }
}

// The aggregation group of a series for topk/bottomk `by`/`without`.
std::string group_of(const json& metric, const CompareOptions& o) {
  std::string g;
  if (!metric.is_object()) return g;
  for (auto it = metric.begin(); it != metric.end(); ++it) {
    const bool listed = std::find(o.tie_grouping.begin(), o.tie_grouping.end(), it.key()) != o.tie_grouping.end();
    const bool in_group = o.tie_grouping_without ? !listed && it.key() != "__name__" : listed;
    if (in_group) g += it.key() + "=" + it.value().dump() + ",";
  }
  return g;
}

// topk/bottomk: per timestamp, the same values; and the same series for every
// value that is neither tied with another returned value nor equal to its
// group's boundary (which may tie with a series that was left out).
void compare_tie_tolerant(const SeriesMap& ref, const std::map<std::string, json>& ref_metrics, const SeriesMap& cand,
                          const CompareOptions& o, DiffSink* sink) {
  struct Entry {
    std::string key;
    Point p;
  };
  using At = std::map<int64_t, std::vector<Entry>>;
  auto by_time = [](const SeriesMap& m) {
    At at;
    for (const auto& [key, pts] : m)
      for (const Point& p : pts) at[p.t_ms].push_back({key, p});
    return at;
  };
  At ra = by_time(ref), ca = by_time(cand);
  auto less = [](const Entry& a, const Entry& b) {
    if (std::isnan(a.p.v) || std::isnan(b.p.v)) return !std::isnan(a.p.v) && std::isnan(b.p.v);
    return a.p.v < b.p.v;
  };
  std::set<int64_t> times;
  for (const auto& [t, v] : ra) times.insert(t);
  for (const auto& [t, v] : ca) times.insert(t);
  for (int64_t t : times) {
    std::vector<Entry> r = ra[t], c = ca[t];
    std::stable_sort(r.begin(), r.end(), less);
    std::stable_sort(c.begin(), c.end(), less);
    if (r.size() != c.size()) {
      sink->add("series count mismatch", std::string("@") + fmt_ts(t, o.origin_ms) + ": " + o.ref_name + " has " + std::to_string(r.size()) +
                                             " series, " + o.cand_name + " " + std::to_string(c.size()));
      continue;
    }
    bool values_ok = true;
    for (size_t k = 0; k < r.size() && values_ok; ++k) {
      if (!floats_equal(r[k].p.v, c[k].p.v, o.rel_tolerance)) {
        sink->add("value mismatch", std::string("@") + fmt_ts(t, o.origin_ms) + " rank " + std::to_string(k) + ": " + o.ref_name + " " + r[k].key +
                                        "=" + r[k].p.raw + ", " + o.cand_name + " " + c[k].key + "=" + c[k].p.raw);
        values_ok = false;
      }
    }
    if (!values_ok) continue;
    // The boundary of each group: its worst kept value (NaN counts as worst).
    std::map<std::string, double> boundary;
    for (const Entry& e : r) {
      const std::string g = group_of(ref_metrics.at(e.key), o);
      auto it = boundary.find(g);
      if (it == boundary.end()) {
        boundary[g] = e.p.v;
      } else if (!std::isnan(it->second)) {
        if (std::isnan(e.p.v) || (o.tie_kind == "topk" ? e.p.v < it->second : e.p.v > it->second)) it->second = e.p.v;
      }
    }
    for (size_t k = 0; k < r.size(); ++k) {
      auto tied = [&](size_t j) { return j < r.size() && floats_equal(r[j].p.v, r[k].p.v, o.rel_tolerance); };
      if ((k > 0 && tied(k - 1)) || tied(k + 1)) continue;
      if (floats_equal(boundary[group_of(ref_metrics.at(r[k].key), o)], r[k].p.v, o.rel_tolerance)) continue;
      bool found = false;
      for (const Entry& e : c) found = found || (e.key == r[k].key && floats_equal(e.p.v, r[k].p.v, o.rel_tolerance));
      if (!found) {
        sink->add("series mismatch", std::string("@") + fmt_ts(t, o.origin_ms) + ": " + o.ref_name + " has " + r[k].key + "=" + r[k].p.raw +
                                         ", " + o.cand_name + " does not");
        break;
      }
    }
  }
}

void compare_result(const json& rd, const json& cd, const CompareOptions& o, DiffSink* sink) {
  const std::string rt = rd.value("resultType", std::string("<none>"));
  const std::string ct = cd.is_object() ? cd.value("resultType", std::string("<none>")) : "<no data>";
  if (rt != ct) {
    sink->add("resultType mismatch", o.ref_name + "=" + rt + " " + o.cand_name + "=" + ct);
    return;
  }
  const json& rr = rd["result"];
  const json& cr = cd.contains("result") ? cd["result"] : json();
  if (rt == "scalar" || rt == "string") {
    Point a, b;
    std::string why;
    if (!cr.is_array() || cr.size() != 2 || !parse_ts(cr[0], &b.t_ms) || !cr[1].is_string()) {
      sink->add("malformed response", o.cand_name + ": bad " + rt + " " + shorten(cr.dump(), 80));
      return;
    }
    parse_ts(rr[0], &a.t_ms);
    a.raw = rr[1].get<std::string>();
    b.raw = cr[1].get<std::string>();
    bool same = a.t_ms == b.t_ms;
    if (rt == "string") {
      same = same && a.raw == b.raw;
    } else {
      parse_sample_value(a.raw, &a.v);
      if (!parse_sample_value(b.raw, &b.v)) same = false;
      same = same && floats_equal(a.v, b.v, o.rel_tolerance);
    }
    if (!same) sink->add("value mismatch", rt + ": " + o.ref_name + "=" + point_str(a, o.origin_ms) + " " + o.cand_name + "=" + point_str(b, o.origin_ms));
    return;
  }
  const bool matrix = rt == "matrix";
  std::vector<std::string> ref_order, cand_order;
  std::map<std::string, json> ref_metrics, cand_metrics;
  SeriesMap ref = read_series(rr, matrix, o.ref_name, sink, &ref_order, &ref_metrics);
  SeriesMap cand = read_series(cr, matrix, o.cand_name, sink, &cand_order, &cand_metrics);
  if (!o.tie_kind.empty()) {
    compare_tie_tolerant(ref, ref_metrics, cand, o, sink);
    return;
  }
  compare_series(ref, cand, o, sink);
  if (o.ordered && !matrix) compare_order(ref, ref_order, cand, cand_order, o, sink);
}
// Prometheus 2.42's parser names the `@` token by its number ("unexpected
// \"<Item 57385>\" <op:@> in grouping opts"): its item-name table has no entry
// for it, a 2.42 bug. Strata names it like every other operator token
// (`unexpected <op:@>`); the item number is dropped before comparing.
std::string without_242_item_name(std::string msg) {
  static constexpr std::string_view kItem = "\"<Item 57385>\" ";
  for (size_t p; (p = msg.find(kItem)) != std::string::npos;) msg.erase(p, kItem.size());
  return msg;
}

// Parses both bodies and handles everything but the success payload.
// Returns true if both succeeded and `*r`, `*c` hold the parsed bodies.
bool compare_envelopes(const HttpResult& ref, const HttpResult& cand, const CompareOptions& o, DiffSink* sink,
                       json* r, json* c) {
  if (!ref.transport_error.empty()) {
    sink->add("no answer", o.ref_name + ": " + ref.transport_error);
    return false;
  }
  if (!cand.transport_error.empty()) {
    sink->add("no answer", o.cand_name + ": " + cand.transport_error);
    return false;
  }
  *r = json::parse(ref.body, nullptr, false);
  *c = json::parse(cand.body, nullptr, false);
  if (r->is_discarded() || !r->is_object()) {
    sink->add("malformed response", o.ref_name + " (HTTP " + std::to_string(ref.status) + "): " + shorten(ref.body));
    return false;
  }
  if (c->is_discarded() || !c->is_object()) {
    sink->add("malformed response", o.cand_name + " (HTTP " + std::to_string(cand.status) + ") is not a JSON object: " +
                                        shorten(cand.body));
    return false;
  }
  const std::string rs = r->value("status", ""), cs = c->value("status", "");
  auto describe = [](const json& j, int http) {
    return "HTTP " + std::to_string(http) + " " + j.value("errorType", std::string("<no errorType>")) + ": " +
           shorten(j.value("error", std::string("<no error>")), 200);
  };
  if (rs != cs) {
    if (rs == "success")
      sink->add("unexpected error", o.cand_name + " failed (" + describe(*c, cand.status) + "), " + o.ref_name + " succeeded");
    else
      sink->add("missing error", o.ref_name + " failed (" + describe(*r, ref.status) + "), " + o.cand_name +
                                     " answered status=" + json(cs).dump());
    return false;
  }
  if (ref.status != cand.status)
    sink->add("HTTP status mismatch", o.ref_name + "=" + std::to_string(ref.status) + " " + o.cand_name + "=" + std::to_string(cand.status));
  const json no_warnings = json::array();
  const json& rw = r->contains("warnings") ? (*r)["warnings"] : no_warnings;
  const json& cw = c->contains("warnings") ? (*c)["warnings"] : no_warnings;
  if (rw != cw) sink->add("warnings mismatch", o.ref_name + "=" + shorten(rw.dump(), 150) + " " + o.cand_name + "=" + shorten(cw.dump(), 150));
  if (rs == "error") {
    const std::string rt = r->value("errorType", ""), ct = c->value("errorType", "");
    if (rt != ct) {
      sink->add("errorType mismatch", o.ref_name + "=" + rt + " " + o.cand_name + "=" + ct + " (" + o.ref_name + ": " +
                                          shorten(r->value("error", ""), 160) + " | " + o.cand_name + ": " +
                                          shorten(c->value("error", ""), 160) + ")");
    } else if (rt == "bad_data" && without_242_item_name(r->value("error", "")) != c->value("error", "")) {
      sink->add("error message mismatch", o.ref_name + "=" + json(r->value("error", "")).dump() + " " + o.cand_name + "=" +
                                              json(c->value("error", "")).dump());
    }
    return false;
  }
  return true;
}

void sort_arrays_of_objects(json* j) {
  if (j->is_array()) {
    for (json& e : *j) sort_arrays_of_objects(&e);
    if (!j->empty() && (*j)[0].is_object())
      std::sort(j->begin(), j->end(), [](const json& a, const json& b) { return a.dump() < b.dump(); });
  } else if (j->is_object()) {
    for (auto& [k, v] : j->items()) sort_arrays_of_objects(&v);
  }
}

}  // namespace

bool floats_equal(double a, double b, double rel_tolerance) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  if (a == b) return true;
  return std::fabs(a - b) <= rel_tolerance * std::max(std::fabs(a), std::fabs(b));
}

bool parse_sample_value(const std::string& s, double* out) {
  if (s.empty() || std::isspace((unsigned char)s[0])) return false;
  const char* begin = s.c_str();
  // Go accepts "NaN", "Inf", "+Inf", "-Inf", "infinity" (any case) and
  // decimal/exponent forms; so does strtod, which also takes hex floats, which
  // Go's ParseFloat takes as well (with a p exponent).
  char* end = nullptr;
  double v = std::strtod(begin, &end);
  if (end != begin + s.size()) return false;
  if (std::isnan(v) && strcasecmp(begin, "nan") != 0) return false;  // no "nan(123)"
  *out = v;
  return true;
}

namespace {

size_t skip_space(const std::string& q, size_t i) {
  while (i < q.size() && std::isspace((unsigned char)q[i])) ++i;
  return i;
}

size_t read_ident(const std::string& q, size_t i) {
  while (i < q.size() && (std::isalnum((unsigned char)q[i]) || q[i] == '_' || q[i] == ':')) ++i;
  return i;
}

// Index just past the parenthesis matching the one at q[i], or npos.
size_t skip_parens(const std::string& q, size_t i) {
  int depth = 0;
  char quote = 0;
  for (; i < q.size(); ++i) {
    const char ch = q[i];
    if (quote) {
      if (ch == '\\' && quote != '`') ++i;
      else if (ch == quote) quote = 0;
      continue;
    }
    if (ch == '"' || ch == '\'' || ch == '`') quote = ch;
    else if (ch == '(') ++depth;
    else if (ch == ')' && --depth == 0) return i + 1;
  }
  return std::string::npos;
}

// Skips an optional `by (...)` / `without (...)` clause at i.
size_t skip_grouping(const std::string& q, size_t i) {
  const size_t s = skip_space(q, i);
  const size_t e = read_ident(q, s);
  const std::string word = q.substr(s, e - s);
  if (word != "by" && word != "without") return i;
  const size_t p = skip_space(q, e);
  if (p >= q.size() || q[p] != '(') return i;
  const size_t end = skip_parens(q, p);
  return end == std::string::npos ? i : end;
}

}  // namespace

std::string outermost_call(const std::string& query) {
  size_t i = skip_space(query, 0);
  const size_t name_end = read_ident(query, i);
  if (name_end == i) return "";
  const std::string name = query.substr(i, name_end - i);
  i = skip_space(query, skip_grouping(query, name_end));
  if (i >= query.size() || query[i] != '(') return "";
  i = skip_parens(query, i);
  if (i == std::string::npos) return "";
  i = skip_space(query, skip_grouping(query, i));
  return i == query.size() ? name : "";
}

void outermost_grouping(const std::string& query, std::vector<std::string>* labels, bool* without) {
  labels->clear();
  *without = false;
  if (outermost_call(query).empty()) return;
  auto take = [&](size_t at) {  // reads a grouping clause at `at`, if any
    const size_t end = skip_grouping(query, at);
    if (end == at) return at;
    const size_t s = skip_space(query, at);
    *without = query.compare(s, 7, "without") == 0;
    const size_t open = query.find('(', s);
    std::string inner = query.substr(open + 1, end - open - 2);
    for (size_t p = 0; p < inner.size();) {
      const size_t b = skip_space(inner, p), e = read_ident(inner, b);
      if (e > b) labels->push_back(inner.substr(b, e - b));
      p = inner.find(',', e);
      if (p == std::string::npos) break;
      ++p;
    }
    return end;
  };
  size_t i = read_ident(query, skip_space(query, 0));
  i = skip_space(query, take(i));
  i = skip_parens(query, i);
  take(i);
}

std::vector<Diff> compare_query_responses(const HttpResult& ref, const HttpResult& cand, const CompareOptions& opts) {
  DiffSink sink(opts.max_details);
  json r, c;
  if (compare_envelopes(ref, cand, opts, &sink, &r, &c)) {
    if (!r.contains("data") || !r["data"].is_object()) {
      sink.add("malformed response", opts.ref_name + ": no data object");
    } else {
      compare_result(r["data"], c.contains("data") ? c["data"] : json(), opts, &sink);
    }
  }
  return sink.take();
}

std::vector<Diff> compare_plain_responses(const HttpResult& ref, const HttpResult& cand, const CompareOptions& opts) {
  DiffSink sink(opts.max_details);
  json r, c;
  if (compare_envelopes(ref, cand, opts, &sink, &r, &c)) {
    json rd = r.contains("data") ? r["data"] : json();
    json cd = c.contains("data") ? c["data"] : json();
    sort_arrays_of_objects(&rd);
    sort_arrays_of_objects(&cd);
    if (rd != cd) {
      std::string detail = opts.ref_name + "=" + shorten(rd.dump(), 200) + " " + opts.cand_name + "=" + shorten(cd.dump(), 200);
      sink.add("data mismatch", detail);
    }
  }
  return sink.take();
}

}  // namespace strata::difftest
