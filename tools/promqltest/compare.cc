#include "tools/promqltest/compare.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "base/float_format.h"
#include "re2/re2.h"
#include "tsdb/series.h"

namespace strata::promqltest {
namespace {

bool stale(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b == tsdb::kStaleNaNBits;
}

std::string fmt(double v) {
  std::string s;
  append_float_go_g(&s, v);
  return s;
}

bool text_matches(const Expectation& e, const std::string& text) {
  switch (e.match) {
    case Expectation::Match::kAny: return true;
    case Expectation::Match::kMsg: return text == e.text;
    case Expectation::Match::kRegex: return RE2::PartialMatch(text, RE2(e.text));
  }
  return false;
}

}  // namespace

bool almost_equal(double a, double b, double eps) {
  if (stale(a) || stale(b)) return stale(a) && stale(b);
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  constexpr double kMinNormal = 2.2250738585072014e-308;
  double diff = std::fabs(a - b);
  double sum = std::fabs(a) + std::fabs(b);
  if (a == 0 || b == 0 || sum < kMinNormal) return diff < eps * kMinNormal;
  return diff / std::min(sum, std::numeric_limits<double>::max()) < eps;
}

std::string compare_error(const EvalCmd& cmd, const std::string& error) {
  for (const Expectation& e : cmd.expects) {
    if (e.kind != Expectation::Kind::kFail) continue;
    if (text_matches(e, error)) return "";
    return "expected error " + std::string(e.match == Expectation::Match::kRegex ? "matching " : "") +
           "\"" + e.text + "\" but got \"" + error + "\"";
  }
  return "unexpected error: " + error;
}

std::string compare_annotations(const EvalCmd& cmd, const promql::QueryResult& r) {
  using K = Expectation::Kind;
  auto check = [&](K want, K none, const std::vector<std::string>& got, const char* what) -> std::string {
    bool any_expect = false;
    for (const Expectation& e : cmd.expects) {
      if (e.kind == none && !got.empty()) return std::string("expected no ") + what + " but got: " + got[0];
      if (e.kind != want) continue;
      any_expect = true;
      bool found = false;
      for (const std::string& g : got) found = found || text_matches(e, g);
      if (!found)
        return std::string("expected ") + what + (e.text.empty() ? "" : " \"" + e.text + "\"") +
               " but got " + (got.empty() ? "none" : "\"" + got[0] + "\"");
    }
    if (any_expect) {
      // Every annotation must be expected by some line.
      for (const std::string& g : got) {
        bool covered = false;
        for (const Expectation& e : cmd.expects)
          covered = covered || (e.kind == want && text_matches(e, g));
        if (!covered) return std::string("unexpected ") + what + ": " + g;
      }
    }
    return "";
  };
  if (auto s = check(K::kWarn, K::kNoWarn, r.warnings, "warning"); !s.empty()) return s;
  return check(K::kInfo, K::kNoInfo, r.infos, "info");
}

std::string compare_instant(const EvalCmd& cmd, const std::vector<SeriesDesc>& expected,
                            const promql::Value& got, bool ordered) {
  if (cmd.expect_scalar) {
    const auto* s = std::get_if<promql::Scalar>(&got);
    if (!s) return std::string("expected scalar result, got ") + promql::result_type_name(got);
    if (!almost_equal(*cmd.expect_scalar, s->v))
      return "expected scalar " + fmt(*cmd.expect_scalar) + " but got " + fmt(s->v);
    return "";
  }
  if (cmd.expect_string) {
    const auto* s = std::get_if<promql::String>(&got);
    if (!s) return std::string("expected string result, got ") + promql::result_type_name(got);
    if (s->v != *cmd.expect_string) return "expected string \"" + *cmd.expect_string + "\" but got \"" + s->v + "\"";
    return "";
  }
  const auto* vec = std::get_if<promql::Vector>(&got);
  if (!vec) {
    if (const auto* m = std::get_if<promql::Matrix>(&got); m && m->empty() && expected.empty()) return "";
    return std::string("expected instant vector, got ") + promql::result_type_name(got);
  }
  for (const SeriesDesc& e : expected) {
    if (e.values.size() != 1)
      return "expected instant series " + e.labels.to_string() + " must have exactly one value";
  }
  if (vec->size() != expected.size()) {
    std::string list;
    for (const auto& s : *vec) list += "\n    " + s.metric.to_string() + " => " + fmt(s.v);
    return "expected " + std::to_string(expected.size()) + " series but got " +
           std::to_string(vec->size()) + ":" + list;
  }
  std::map<std::string, const SeriesDesc*> by_labels;
  for (const SeriesDesc& e : expected) by_labels[e.labels.to_string()] = &e;
  for (size_t i = 0; i < vec->size(); ++i) {
    const auto& s = (*vec)[i];
    const SeriesDesc* e = nullptr;
    if (ordered) {
      e = &expected[i];
      if (!(e->labels == s.metric))
        return "expected " + e->labels.to_string() + " at position " + std::to_string(i + 1) +
               " but got " + s.metric.to_string();
    } else {
      auto it = by_labels.find(s.metric.to_string());
      if (it == by_labels.end()) return "unexpected series " + s.metric.to_string() + " => " + fmt(s.v);
      e = it->second;
    }
    if (!e->values[0].has_value()) return "expected no value for " + e->labels.to_string();
    if (!almost_equal(e->values[0].value, s.v))
      return "expected " + fmt(e->values[0].value) + " for " + s.metric.to_string() + " but got " + fmt(s.v);
  }
  return "";
}

std::string compare_matrix(const std::vector<SeriesDesc>& expected, const promql::Value& got,
                           int64_t start_ms, int64_t step_ms, int64_t end_ms) {
  const auto* m = std::get_if<promql::Matrix>(&got);
  if (!m) return std::string("expected range vector, got ") + promql::result_type_name(got);
  for (size_t i = 1; i < m->size(); ++i) {
    if (!((*m)[i - 1].metric < (*m)[i].metric)) return "range result is not sorted by labels";
  }
  std::map<std::string, const SeriesDesc*> by_labels;
  for (const SeriesDesc& e : expected) {
    int64_t last = start_ms + int64_t(e.values.size() - 1) * step_ms;
    if (!e.values.empty() && last > end_ms)
      return "expected series " + e.labels.to_string() + " has more values than steps";
    by_labels[e.labels.to_string()] = &e;
  }
  if (m->size() != expected.size()) {
    std::string list;
    for (const auto& s : *m) list += "\n    " + s.metric.to_string();
    return "expected " + std::to_string(expected.size()) + " series but got " +
           std::to_string(m->size()) + ":" + list;
  }
  for (const auto& s : *m) {
    auto it = by_labels.find(s.metric.to_string());
    if (it == by_labels.end()) return "unexpected series " + s.metric.to_string();
    const SeriesDesc& e = *it->second;
    std::vector<std::pair<int64_t, double>> want;
    for (size_t i = 0; i < e.values.size(); ++i)
      if (e.values[i].has_value()) want.push_back({start_ms + int64_t(i) * step_ms, e.values[i].value});
    if (want.size() != s.points.size())
      return "expected " + std::to_string(want.size()) + " points for " + s.metric.to_string() +
             " but got " + std::to_string(s.points.size());
    for (size_t i = 0; i < want.size(); ++i) {
      if (want[i].first != s.points[i].t)
        return "expected a point at " + std::to_string(want[i].first) + "ms for " +
               s.metric.to_string() + " but got one at " + std::to_string(s.points[i].t) + "ms";
      if (!almost_equal(want[i].second, s.points[i].v))
        return "expected " + fmt(want[i].second) + " at " + std::to_string(want[i].first) +
               "ms for " + s.metric.to_string() + " but got " + fmt(s.points[i].v);
    }
  }
  return "";
}

}  // namespace strata::promqltest
