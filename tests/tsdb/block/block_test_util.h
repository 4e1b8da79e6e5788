// Helpers shared by the block and compaction tests: a temporary directory,
// bit-exact sample extraction and matcher construction.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <string>
#include <vector>

#include "base/filesystem.h"
#include "tsdb/series.h"
#include "tsdb/labels/matcher.h"

namespace strata::tsdb::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/strata_block_test_XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)posix_file_system()->remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct BitSample {
  int64_t t;
  uint64_t v;
  bool operator==(const BitSample&) const = default;
};

inline uint64_t bits_of(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}
inline double from_bits(uint64_t b) {
  double v;
  std::memcpy(&v, &b, 8);
  return v;
}

inline std::vector<BitSample> samples_of(const Series& s) {
  std::vector<BitSample> out;
  auto it = s.iterator();
  while (it.next()) out.push_back({it.t(), bits_of(it.v())});
  EXPECT_TRUE(it.status().ok()) << it.status();
  return out;
}

inline Matcher mk(MatchType t, const std::string& n, const std::string& v) {
  return *Matcher::make(t, n, v);
}

}  // namespace strata::tsdb::testing
