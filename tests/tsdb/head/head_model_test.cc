// Property test: random appends (in order, out of order, duplicates, stale
// markers) over many series, truncations and restarts, checked after every
// step against a naive model of Prometheus' append rules — identical answers
// in the head and after replaying its WAL.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "tests/tsdb/head/head_test_util.h"

namespace strata::tsdb {
namespace {

using namespace testing;  // NOLINT

constexpr uint64_t kStale = 0x7ff0000000000002ULL;

// What the head should hold, following the rules documented in head.h.
class Model {
 public:
  explicit Model(int64_t window) : window_(window) {}

  struct SeriesState {
    bool has_in_order = false;
    int64_t last = 0;  // newest in-order sample
    uint64_t last_bits = 0;
    std::map<int64_t, uint64_t> samples;
  };

  // Expected result of Appender::append given the batch staged so far.
  AppendErrorKind check(const Labels& l, int64_t t, uint64_t b) {
    drop_next_ = false;
    if (run_ && *run_ == l) {
      if (t < min_valid_) return AppendErrorKind::kOutOfBounds;
      if (t > run_t_) return AppendErrorKind::kNone;
      // Contradicting the batch itself: accepted and dropped (see head.h).
      drop_next_ = (t == run_t_ && b != run_bits_) || (t < run_t_ && window_ <= 0);
      if (t == run_t_ || window_ <= 0) return AppendErrorKind::kNone;
      if (t < std::max(max_t_, run_t_) - window_) return AppendErrorKind::kTooOld;
      return AppendErrorKind::kNone;
    }
    if (t < min_valid_) return AppendErrorKind::kOutOfBounds;
    auto it = series_.find(l);
    if (it == series_.end() || !it->second.has_in_order || t > it->second.last)
      return AppendErrorKind::kNone;
    const SeriesState& s = it->second;
    if (t == s.last) return b == s.last_bits ? AppendErrorKind::kNone : AppendErrorKind::kDuplicate;
    if (window_ <= 0) return AppendErrorKind::kOutOfOrder;
    if (t < max_t_ - window_) return AppendErrorKind::kTooOld;
    auto f = s.samples.find(t);
    if (f != s.samples.end() && f->second != b) return AppendErrorKind::kDuplicate;
    return AppendErrorKind::kNone;
  }
  void staged(const Labels& l, int64_t t, uint64_t b) {
    if (drop_next_) return;
    if (!(run_ && *run_ == l) || t > run_t_) {
      run_t_ = t;
      run_bits_ = b;
    }
    run_ = l;
    batch_.push_back({l, t, b});
  }
  void commit() {
    for (const auto& [l, t, b] : batch_) {
      if (t < min_valid_) continue;
      SeriesState& s = series_[l];
      if (!s.has_in_order || t > s.last) {
        s.has_in_order = true;
        s.last = t;
        s.last_bits = b;
        s.samples[t] = b;
      } else if (t == s.last || window_ <= 0 || s.samples.count(t)) {
        continue;
      } else {
        s.samples[t] = b;
      }
      max_t_ = std::max(max_t_, t);
    }
    batch_.clear();
    run_.reset();
  }
  void truncate(int64_t mint) {
    min_valid_ = std::max(min_valid_, mint);
    floor_ = std::max(floor_, mint);
    for (auto it = series_.begin(); it != series_.end();) {
      bool keep = !it->second.samples.empty() && it->second.samples.rbegin()->first >= mint;
      it = keep ? std::next(it) : series_.erase(it);
    }
  }
  // After a restart the head holds what the checkpoint and later segments
  // replay: nothing older than the last truncation.
  void restart() {
    min_valid_ = std::numeric_limits<int64_t>::min();
    max_t_ = std::numeric_limits<int64_t>::min();
    for (auto& [l, s] : series_) {
      s.samples.erase(s.samples.begin(), s.samples.lower_bound(floor_));
      if (!s.samples.empty()) max_t_ = std::max(max_t_, s.samples.rbegin()->first);
    }
  }
  Dump expect(const Matchers& ms, int64_t mint, int64_t maxt) const {
    Dump out;
    for (const auto& [l, s] : series_) {
      bool ok = true;
      for (const Matcher& m : ms) ok = ok && m.matches(l.get(m.name()));
      if (!ok) continue;
      std::vector<std::pair<int64_t, uint64_t>> v;
      for (auto it = s.samples.lower_bound(mint); it != s.samples.end() && it->first <= maxt; ++it)
        v.push_back(*it);
      if (!v.empty()) out[l.to_string()] = v;
    }
    return out;
  }
  int64_t floor() const { return floor_; }
  int64_t max_t() const { return max_t_; }

 private:
  int64_t window_;
  std::map<Labels, SeriesState> series_;
  int64_t min_valid_ = std::numeric_limits<int64_t>::min();
  int64_t max_t_ = std::numeric_limits<int64_t>::min();
  int64_t floor_ = std::numeric_limits<int64_t>::min();
  std::optional<Labels> run_;
  bool drop_next_ = false;  // the last checked sample is accepted but dropped
  int64_t run_t_ = 0;
  uint64_t run_bits_ = 0;
  std::vector<std::tuple<Labels, int64_t, uint64_t>> batch_;
};

Matcher mk(MatchType t, const std::string& n, const std::string& v) {
  return *Matcher::make(t, n, v);
}

void run_model(int64_t window, uint32_t seed) {
  SCOPED_TRACE("window " + std::to_string(window) + " seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  TempDir d;
  HeadOptions o = head_options(d.path());
  o.ooo_window_ms = window;
  o.chunk_range_ms = 60000;  // many chunk cuts at range boundaries
  auto reg_holder = std::make_unique<metrics::Registry>();
  auto h = open_head(o, reg_holder.get());
  Model model(window);

  const std::vector<std::string> values = {"", "x", "y", "zz", "x\ny"};
  std::vector<Labels> all;
  for (int i = 0; i < 150; ++i) {
    std::vector<Label> ls = {{"__name__", "m" + std::to_string(rng() % 3)}};
    for (const char* n : {"a", "b", "c"}) {
      const std::string& v = values[rng() % values.size()];
      if (!v.empty()) ls.push_back({n, v});
    }
    ls.push_back({"id", std::to_string(i)});
    all.push_back(Labels::from_unsorted(ls));
  }
  const std::vector<Matchers> selectors = {
      {mk(MatchType::kEqual, "__name__", "m1")},
      {mk(MatchType::kRegexMatch, "__name__", "m.*"), mk(MatchType::kEqual, "a", "")},
      {mk(MatchType::kNotEqual, "b", "x"), mk(MatchType::kRegexMatch, "__name__", ".+")},
      {mk(MatchType::kRegexNoMatch, "c", "x|y"), mk(MatchType::kRegexMatch, "a", "x|zz")},
      {mk(MatchType::kRegexMatch, "b", ".*y|")},
      {mk(MatchType::kRegexMatch, "id", ".+")},
  };
  auto check = [&](const char* when) {
    SCOPED_TRACE(when);
    for (size_t si = 0; si < selectors.size(); ++si) {
      SCOPED_TRACE(si);
      int64_t lo = std::max<int64_t>(model.floor(), 0);
      int64_t mint = lo + int64_t(rng() % 200000);
      int64_t maxt = mint + int64_t(rng() % 400000);
      if (si == 0) mint = lo, maxt = INT64_MAX / 2;
      Dump want = model.expect(selectors[si], mint, maxt);
      Dump got = dump(*h, selectors[si], mint, maxt);
      ASSERT_EQ(got.size(), want.size());
      for (auto& [l, v] : want) {
        ASSERT_TRUE(got.count(l)) << l;
        ASSERT_EQ(got[l], v) << l;
      }
    }
  };

  int64_t clock = 100000;
  for (int step = 0; step < 150; ++step) {
    SCOPED_TRACE(step);
    uint32_t op = rng() % 100;
    if (op < 80) {
      auto app = h->appender();
      int n = 1 + int(rng() % 60);
      const Labels* prev = nullptr;
      for (int k = 0; k < n; ++k) {
        // Runs of one series exercise the in-batch rules.
        const Labels& l = prev && rng() % 3 == 0 ? *prev : all[rng() % all.size()];
        prev = &l;
        int64_t t;
        switch (rng() % 8) {
          case 0:
            t = clock - int64_t(rng() % 60000);
            break;  // late
          case 1:
            t = clock - int64_t(rng() % 5000);
            break;
          default:
            t = clock + int64_t(rng() % 2000);
        }
        // Below the last truncation only "out of bounds" is interesting, and
        // other tests cover it; the model keeps no data there after restarts.
        if (t < model.floor()) t = model.floor() + int64_t(rng() % 1000);
        uint64_t b;
        switch (rng() % 10) {
          case 0:
            b = kStale;
            break;
          case 1:
            b = bits(double(rng() % 3));
            break;  // repeats make duplicates likely
          default:
            b = bits(double(rng() % 100000) / 7);
        }
        AppendErrorKind want = model.check(l, t, b);
        double v;
        std::memcpy(&v, &b, 8);
        auto r = app->append(0, l, t, v);
        ASSERT_EQ(append_error_kind(r.status()), want)
            << l.to_string() << " t=" << t << " " << r.status();
        if (r.ok()) model.staged(l, t, b);
      }
      ASSERT_TRUE(app->commit().ok());
      model.commit();
      clock += 500 + int64_t(rng() % 3000);
    } else if (op < 88) {
      int64_t mint = std::max(model.floor(), clock - 200000 + int64_t(rng() % 100000));
      ASSERT_TRUE(h->truncate(mint).ok());
      model.truncate(mint);
    } else if (op < 96) {
      if (rng() % 2) {
        ASSERT_TRUE(h->close().ok());
      }  // else like a crash: no close (close only fsyncs)
      h.reset();
      reg_holder = std::make_unique<metrics::Registry>();
      h = open_head(o, reg_holder.get());
      ASSERT_NE(h, nullptr);
      model.restart();
    }
    check("after step");
    if (::testing::Test::HasFatalFailure()) return;
  }
  // A final restart replays everything.
  h.reset();
  reg_holder = std::make_unique<metrics::Registry>();
  h = open_head(o, reg_holder.get());
  model.restart();
  check("final restart");
}

TEST(HeadModelTest, InOrderOnlyMatchesModelAcrossRestarts) {
  for (uint32_t seed : {1u, 2u, 3u}) run_model(0, seed);
}

TEST(HeadModelTest, OutOfOrderWindowMatchesModelAcrossRestarts) {
  for (uint32_t seed : {4u, 5u, 6u}) run_model(30000, seed);
}

}  // namespace
}  // namespace strata::tsdb
