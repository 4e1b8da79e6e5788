// Property test: random appends (out-of-order and duplicate attempts,
// staleness markers) go to a real head; head ranges are cut into blocks as
// the DB does, blocks are compacted (also overlapping ones), reopened from
// disk, tombstoned and cleaned, and after every step random selects through
// the merge querier must give exactly what a naive model holds.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "base/metrics.h"
#include "tests/tsdb/block/block_test_util.h"
#include "tsdb/compact/block_store.h"
#include "tsdb/head/head.h"

namespace strata::tsdb {
namespace {

using testing::bits_of;
using testing::BitSample;
using testing::mk;
using testing::samples_of;
using testing::TempDir;

constexpr uint64_t kStale = kStaleNaNBits;
constexpr int64_t kHour = 3600 * 1000;

class Model {
 public:
  void add(const Labels& l, int64_t t, uint64_t v) { data_[l][t] = v; }
  void erase(const Matchers& ms, int64_t mint, int64_t maxt) {
    for (auto& [l, samples] : data_) {
      if (!matches(l, ms)) continue;
      samples.erase(samples.lower_bound(mint), samples.upper_bound(maxt));
    }
  }
  void erase_before(int64_t t) {
    for (auto& [l, samples] : data_) samples.erase(samples.begin(), samples.lower_bound(t));
  }
  static bool matches(const Labels& l, const Matchers& ms) {
    for (const Matcher& m : ms) {
      if (!m.matches(l.get(m.name()))) return false;
    }
    return true;
  }
  std::map<Labels, std::vector<BitSample>> select(const Matchers& ms, int64_t mint,
                                                  int64_t maxt) const {
    std::map<Labels, std::vector<BitSample>> out;
    for (const auto& [l, samples] : data_) {
      if (!matches(l, ms)) continue;
      std::vector<BitSample> v;
      for (auto it = samples.lower_bound(mint); it != samples.end() && it->first <= maxt; ++it) {
        v.push_back({it->first, it->second});
      }
      if (!v.empty()) out[l] = std::move(v);
    }
    return out;
  }

 private:
  std::map<Labels, std::map<int64_t, uint64_t>> data_;
};

class PropertyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"a", "b", "c"}) {
      for (const char* job : {"x", "y"}) {
        for (int inst = 0; inst < 4; ++inst) {
          std::string i = std::to_string(inst);
          series_.push_back(Labels::from_strings({"__name__", name, "job", job, "inst", i}));
          if (inst == 3) series_.back() = series_.back().with("opt", "1");
          value_.push_back(0);
        }
      }
    }
    opts_.retention_ms = 30 * 24 * kHour;
    open_store();
  }

  void open_store() {
    store_.reset();
    auto s = BlockStore::open(posix_file_system(), dir_.path(), opts_, &reg_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }

  // One scrape round at time t; some series skip, some attempts are out of
  // order or duplicates with another value and must be rejected.
  void scrape(int64_t t) {
    auto app = head_->appender();
    std::vector<std::pair<size_t, std::pair<int64_t, uint64_t>>> staged;
    for (size_t i = 0; i < series_.size(); ++i) {
      if (rng_() % 10 == 0) continue;
      uint64_t v;
      switch (i % 3) {
        case 0: value_[i] += double(rng_() % 50); v = bits_of(value_[i]); break;
        case 1: value_[i] = double(int64_t(rng_() % 2001) - 1000) / 100; v = bits_of(value_[i]); break;
        default: value_[i] += std::ldexp(double(rng_() % 1000), -12); v = bits_of(value_[i]); break;
      }
      if (rng_() % 40 == 0) v = kStale;
      int64_t ts = t + int64_t(rng_() % 3);
      if (app->append(0, series_[i], ts, testing::from_bits(v)).ok()) staged.push_back({i, {ts, v}});
      if (rng_() % 20 == 0) {
        // Out of order, or a duplicate timestamp with another value, within
        // the batch: dropped (accepted or refused, never stored), as in
        // Prometheus.
        int64_t old = rng_() % 2 ? ts - int64_t(1 + rng_() % 60000) : ts;
        (void)app->append(0, series_[i], old, 12345.678);
      }
    }
    ASSERT_TRUE(app->commit().ok());
    for (const auto& [i, s] : staged) model_.add(series_[i], s.first, s.second);
  }

  // What the DB does after appends: cut head ranges into blocks.
  void maybe_cut() {
    while (true) {
      HeadStats st = head_->stats();
      auto r = head_cut_range(st.min_time_ms, st.max_time_ms, kDefaultBlockRangeMs);
      if (!r) return;
      auto hq = head_->querier(r->first, r->second - 1);
      auto meta = store_->write_head_block(hq.get(), r->first, r->second);
      ASSERT_TRUE(meta.ok()) << meta.status();
      ASSERT_TRUE(head_->truncate(r->second).ok());
      ++cuts_;
    }
  }

  Matchers random_matchers() {
    std::vector<Matchers> pool = {
        {mk(MatchType::kEqual, "__name__", "a")},
        {mk(MatchType::kRegexMatch, "__name__", "a|c"), mk(MatchType::kNotEqual, "job", "x")},
        {mk(MatchType::kRegexMatch, "inst", "1|2|3"), mk(MatchType::kRegexNoMatch, "inst", "2")},
        {mk(MatchType::kRegexMatch, "__name__", ".+"), mk(MatchType::kEqual, "opt", "")},
        {mk(MatchType::kRegexMatch, "__name__", ".+"), mk(MatchType::kNotEqual, "opt", "")},
        {mk(MatchType::kRegexMatch, "job", "x.*"), mk(MatchType::kEqual, "inst", "0")},
        {mk(MatchType::kRegexMatch, "__name__", "[ab]")},
        {mk(MatchType::kRegexMatch, "__name__", ".+")},
    };
    return pool[rng_() % pool.size()];
  }

  void check(const std::string& stage, int queries = 25) {
    SCOPED_TRACE(stage);
    for (int q = 0; q < queries; ++q) {
      Matchers ms = random_matchers();
      int64_t a = start_ + int64_t(rng_() % uint64_t(now_ - start_ + 1));
      int64_t b = a + int64_t(rng_() % uint64_t(6 * kHour));
      if (q == 0) {
        a = start_;
        b = now_ + kHour;
      }
      auto querier = store_->querier(a, b, head_->querier(a, b));
      auto got = read_all(*querier->select({.sorted = true}, ms));
      ASSERT_TRUE(got.ok()) << got.status();
      std::map<Labels, std::vector<BitSample>> actual;
      const Labels* prev = nullptr;
      for (const Series& s : *got) {
        if (prev) {
          ASSERT_TRUE(*prev < s.labels()) << "unsorted or duplicate series";
        }
        prev = &s.labels();
        auto v = samples_of(s);
        if (!v.empty()) actual[s.labels()] = std::move(v);
      }
      auto want = model_.select(ms, a, b);
      ASSERT_EQ(actual.size(), want.size()) << "query " << q << " [" << a << ", " << b << "]";
      for (const auto& [l, v] : want) {
        ASSERT_TRUE(actual.count(l)) << l.to_string();
        ASSERT_EQ(actual[l], v) << l.to_string() << " [" << a << ", " << b << "]";
      }
    }
  }

  void ingest_hours(int hours) {
    for (int64_t end = now_ + hours * kHour; now_ < end;) {
      now_ += 15000 + int64_t(rng_() % 3) * 1000;
      if (rng_() % 200 == 0) now_ += 10 * 60000;  // an outage
      scrape(now_);
      maybe_cut();
    }
  }

  std::mt19937_64 rng_{42};
  metrics::Registry reg_;
  std::unique_ptr<Head> head_ = std::make_unique<Head>(HeadOptions{}, &reg_);
  TempDir dir_;
  BlockStoreOptions opts_;
  std::unique_ptr<BlockStore> store_;
  std::vector<Labels> series_;
  std::vector<double> value_;
  Model model_;
  int64_t start_ = 1000003;
  int64_t now_ = start_;
  int cuts_ = 0;
};

TEST_F(PropertyTest, HeadBlocksCompactionRestartTombstones) {
  ingest_hours(3);
  check("head only, before the first cut");
  ingest_hours(20);
  ASSERT_GE(cuts_, 8);
  ASSERT_GE(store_->blocks().size(), 8u);
  check("after cutting blocks");

  auto n = store_->compact();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_GT(*n, 0);
  check("after compaction");

  // An overlapping block (a backfill of data already stored) is merged away
  // and its duplicates collapse.
  {
    int64_t a = start_ + 3 * kHour, b = start_ + 8 * kHour;
    auto q = store_->querier(a, b - 1, nullptr);
    auto meta = store_->write_head_block(q.get(), a, b);
    ASSERT_TRUE(meta.ok()) << meta.status();
    check("with an overlapping block");
    ASSERT_TRUE(store_->compact().ok());
    check("after compacting the overlap");
  }

  open_store();
  check("after reopening from disk");

  // Deletions in the blocks' range (the head's own deletions are the DB's).
  int64_t head_min = head_->stats().min_time_ms;
  for (int i = 0; i < 3; ++i) {
    Matchers ms = random_matchers();
    int64_t a = start_ + int64_t(rng_() % uint64_t(head_min - start_));
    int64_t b = std::min(head_min - 1, a + int64_t(rng_() % uint64_t(4 * kHour)));
    ASSERT_TRUE(store_->delete_series(ms, a, b).ok());
    model_.erase(ms, a, b);
  }
  check("with tombstones");
  open_store();
  check("tombstones after reopening");
  ASSERT_TRUE(store_->clean_tombstones().ok());
  for (const auto& b : store_->blocks()) EXPECT_TRUE(b->tombstones()->empty());
  check("after clean_tombstones");
  open_store();
  check("after clean_tombstones and reopening");

  ingest_hours(4);
  ASSERT_TRUE(store_->compact().ok());
  check("more data, compacted again");
}

TEST_F(PropertyTest, RetentionDropsOldBlocksVisibly) {
  ingest_hours(30);
  ASSERT_TRUE(store_->compact().ok());
  size_t before = store_->blocks().size();
  ASSERT_GE(before, 3u);
  check("before retention", 5);

  // By time: keep what lies within 6 h of the newest block's end.
  opts_.retention_ms = 6 * kHour;
  open_store();
  auto n = store_->apply_retention(0);
  ASSERT_TRUE(n.ok());
  EXPECT_GT(*n, 0);
  int64_t newest = store_->max_time_ms();
  for (const auto& b : store_->blocks()) EXPECT_LE(newest - b->meta().max_time_ms, 6 * kHour);
  int64_t oldest = store_->blocks().front()->meta().min_time_ms;
  model_.erase_before(oldest);
  start_ = oldest;
  check("after time retention", 10);

  // By size: the limit leaves only as many newest blocks as fit.
  auto bs = store_->blocks();
  ASSERT_GE(bs.size(), 2u);
  uint64_t keep_bytes = bs.back()->size_bytes() + 1000;
  opts_.retention_bytes = int64_t(keep_bytes + 500);
  open_store();
  n = store_->apply_retention(1000);  // pretend the WAL holds 1000 bytes
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(store_->blocks().size(), 1u);
  oldest = store_->blocks().front()->meta().min_time_ms;
  model_.erase_before(oldest);
  start_ = oldest;
  check("after size retention", 10);
  EXPECT_TRUE(reg_.counter_family("strata_tsdb_retention_deletions_total", "", {"reason"})
                  .with({"size"})
                  .value() >= 1);
}

}  // namespace
}  // namespace strata::tsdb
