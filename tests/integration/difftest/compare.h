// Compares a reference server's answer (Prometheus 2.42) with a candidate's
// (Strata, or a second Prometheus for the harness self-check) for the same
// API request, the way a Grafana user would notice differences:
//
//   * both succeed: same HTTP status, same `warnings`, same resultType, same
//     series (label sets; order only matters for top-level sort()/
//     sort_desc(), and then only the order of values, since ties may come in
//     any order), same timestamps (to the millisecond), values equal within
//     1e-9 relative (NaN = NaN, +-Inf exact), strings exact;
//   * for a top-level topk()/bottomk(), which series win a tie is not
//     defined (Prometheus itself answers differently from run to run: its
//     range evaluation collects series in a Go map), so the comparison is per
//     timestamp: the same values, and the same series for every value that
//     is neither tied with another returned value nor equal to its group's
//     boundary (the k-th value, which may tie with a series left out);
//   * both fail: same errorType and HTTP status; for bad_data (parse errors,
//     bad parameters) also the same `error` text;
//   * anything else is a difference.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata::difftest {

struct HttpResult {
  int status = 0;               // 0 when the request never got an answer
  std::string body;
  std::string transport_error;  // why there is no answer
};

struct Diff {
  std::string kind;    // a short category, e.g. "value mismatch"
  std::string detail;  // one line, e.g. `{job="a"} @1700000000: prometheus=1 strata=2`
};

struct CompareOptions {
  std::string ref_name = "prometheus";
  std::string cand_name = "strata";
  bool ordered = false;      // instant query whose outermost call is sort()/sort_desc()
  // Outermost call is topk() (tie_kind "topk") or bottomk() ("bottomk"),
  // grouped by (or without) tie_grouping.
  std::string tie_kind;
  std::vector<std::string> tie_grouping;
  bool tie_grouping_without = false;
  double rel_tolerance = 1e-9;
  size_t max_details = 4;  // per kind; the rest are counted
  int64_t origin_ms = 0;   // if set, timestamps are also shown relative to it ("end+5m")
};

// /api/v1/query and /api/v1/query_range answers.
std::vector<Diff> compare_query_responses(const HttpResult& ref, const HttpResult& cand,
                                          const CompareOptions& opts);

// Answers whose `data` is a plain JSON value (label values, series lists):
// compared exactly, after sorting arrays of objects.
std::vector<Diff> compare_plain_responses(const HttpResult& ref, const HttpResult& cand,
                                          const CompareOptions& opts);

// NaN equals NaN; infinities compare exactly; otherwise |a-b| <= tol*max(|a|,|b|).
bool floats_equal(double a, double b, double rel_tolerance);

// Parses a sample value as Go's strconv.ParseFloat would ("NaN", "+Inf",
// "-Inf", "1e-07", ...). False if `s` is not a number.
bool parse_sample_value(const std::string& s, double* out);

// The function or aggregation whose call is the whole query: "sort" for
// `sort(x)`, "topk" for `topk by (a) (5, x)` or `topk(5, x) by (a)`; "" if the
// query is not a single call (`sort(a) + b`, `a`).
std::string outermost_call(const std::string& query);

// The `by (...)` / `without (...)` labels of the outermost aggregation, if
// any (either position: `topk by (a) (...)` or `topk(...) by (a)`).
void outermost_grouping(const std::string& query, std::vector<std::string>* labels, bool* without);

}  // namespace strata::difftest
