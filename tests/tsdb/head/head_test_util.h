// Helpers shared by the head and WAL tests: a temporary directory, opening a
// head on it, and dumping what a head returns for a selector.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tsdb/head/head.h"

namespace strata::tsdb::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/strata-head-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string wal() const { return path_ + "/wal"; }

 private:
  std::string path_;
};

inline Matcher eq(const std::string& n, const std::string& v) {
  return *Matcher::make(MatchType::kEqual, n, v);
}

inline uint64_t bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}

// (t, value bits) of every sample, per series (labels as text).
using Dump = std::map<std::string, std::vector<std::pair<int64_t, uint64_t>>>;

inline Dump dump(Head& h, const Matchers& ms, int64_t mint = INT64_MIN / 2,
                 int64_t maxt = INT64_MAX / 2) {
  Dump out;
  auto res = read_all(*h.querier(mint, maxt)->select({.sorted = true}, ms));
  EXPECT_TRUE(res.ok()) << res.status();
  if (!res.ok()) return out;
  for (const Series& s : *res) {
    auto it = s.iterator();
    std::vector<std::pair<int64_t, uint64_t>> v;
    while (it.next()) v.push_back({it.t(), bits(it.v())});
    EXPECT_TRUE(it.status().ok()) << it.status();
    if (!v.empty()) out[s.labels().to_string()] = std::move(v);
  }
  return out;
}

inline Dump dump(Head& h, const std::string& name) { return dump(h, {eq("__name__", name)}); }

inline HeadOptions head_options(const std::string& dir, FileSystem* fs = nullptr,
                                WalSyncPolicy sync = WalSyncPolicy::kNever) {
  HeadOptions o;
  o.dir = dir;
  o.fs = fs;
  o.wal.sync = sync;
  o.replay_workers = 2;
  return o;
}

inline std::unique_ptr<Head> open_head(const HeadOptions& o, metrics::Registry* reg) {
  auto h = Head::open(o, reg);
  EXPECT_TRUE(h.ok()) << h.status();
  return h.ok() ? std::move(*h) : nullptr;
}

inline Labels series_labels(int i, const std::string& name = "m") {
  return Labels::from_strings({"__name__", name, "i", std::to_string(i)});
}

// `rounds` commits of one sample for each of `series` series, at t0 + r*step.
inline void append_rounds(Head& h, int series, int rounds, int64_t t0, int64_t step,
                          const std::string& name = "m") {
  for (int r = 0; r < rounds; ++r) {
    auto app = h.appender();
    for (int i = 0; i < series; ++i)
      ASSERT_TRUE(app->append(0, series_labels(i, name), t0 + r * step, i * 1000 + r).ok());
    ASSERT_TRUE(app->commit().ok());
  }
}

inline std::string read_all(const std::string& path) {
  std::string out;
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  fclose(f);
  return out;
}

inline void write_all(const std::string& path, std::string_view data) {
  FILE* f = fopen(path.c_str(), "wb");
  ASSERT_TRUE(f);
  fwrite(data.data(), 1, data.size(), f);
  fclose(f);
}

}  // namespace strata::tsdb::testing
