// Helpers of the promblock tests: every sample a querier holds, keyed by the
// series' label string, compared with what was written; whole-file reads
// and writes for patching block files.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/status.h"
#include "tsdb/storage.h"

namespace strata::tsdb::prom {

using SeriesSamples = std::map<std::string, std::vector<Sample>>;

inline absl::StatusOr<SeriesSamples> read_samples(Querier& q, int64_t mint, int64_t maxt) {
  STRATA_ASSIGN_OR_RETURN(auto all, Matcher::make(MatchType::kRegexMatch, "__name__", ".+"));
  auto set = q.select({.sorted = true}, {all});
  SeriesSamples out;
  std::string prev;
  while (set->next()) {
    const Series& s = set->at();
    std::string key = s.labels().to_string();
    if (!out.empty() && key <= prev) return absl::InternalError("series not sorted: " + key);
    prev = key;
    STRATA_RETURN_IF_ERROR(s.decode(mint, maxt, &out[key]));
  }
  STRATA_RETURN_IF_ERROR(set->status());
  return out;
}

inline absl::StatusOr<SeriesSamples> read_samples(Queryable& qa, int64_t mint, int64_t maxt) {
  STRATA_ASSIGN_OR_RETURN(auto q, qa.querier(mint, maxt));
  return read_samples(*q, mint, maxt);
}

// Equal series, and per series equal samples (values bit for bit).
inline void expect_same_samples(const SeriesSamples& got, const SeriesSamples& want) {
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [key, w] : want) {
    SCOPED_TRACE(key);
    auto it = got.find(key);
    ASSERT_NE(it, got.end());
    const auto& g = it->second;
    ASSERT_EQ(g.size(), w.size());
    for (size_t i = 0; i < w.size(); ++i) {
      ASSERT_EQ(g[i].t, w[i].t) << "sample " << i;
      ASSERT_EQ(std::memcmp(&g[i].v, &w[i].v, sizeof(double)), 0)
          << "sample " << i << ": " << g[i].v << " != " << w[i].v;
    }
  }
}

inline std::string read_file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void write_file_bytes(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), std::streamsize(data.size()));
}

}  // namespace strata::tsdb::prom
