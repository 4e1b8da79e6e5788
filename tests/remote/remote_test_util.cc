#include "tests/remote/remote_test_util.h"

#include <zlib.h>

#include <gtest/gtest.h>

namespace strata::remote::testing {

std::vector<std::pair<int64_t, double>> read_series(tsdb::Queryable& db, const tsdb::Labels& labels,
                                                    int64_t mint_ms, int64_t maxt_ms) {
  std::vector<std::pair<int64_t, double>> out;
  tsdb::Matchers ms;
  for (const tsdb::Label& l : labels)
    ms.push_back(*tsdb::Matcher::make(tsdb::MatchType::kEqual, l.name, l.value));
  auto q = db.querier(mint_ms, maxt_ms);
  EXPECT_TRUE(q.ok()) << q.status();
  if (!q.ok()) return out;
  auto set = tsdb::read_all(*(*q)->select({.sorted = true}, ms));
  EXPECT_TRUE(set.ok()) << set.status();
  if (!set.ok()) return out;
  for (const tsdb::Series& s : *set) {
    if (!(s.labels() == labels)) continue;  // a superset of the labels
    auto it = s.iterator();
    while (it.next()) out.emplace_back(it.t(), it.v());
    EXPECT_TRUE(it.status().ok()) << it.status();
  }
  return out;
}

size_t count_series(tsdb::Queryable& db, const std::string& name) {
  auto q = db.querier(INT64_MIN / 2, INT64_MAX / 2);
  if (!q.ok()) return 0;
  auto set = tsdb::read_all(*(*q)->select(
      {}, {*tsdb::Matcher::make(tsdb::MatchType::kEqual, "__name__", name)}));
  return set.ok() ? set->size() : 0;
}

namespace {

class FakeAppender : public tsdb::Appender {
 public:
  explicit FakeAppender(FakeAppendable* parent) : parent_(parent) {}

  absl::StatusOr<tsdb::SeriesRef> append(tsdb::SeriesRef ref, const tsdb::Labels& labels,
                                         int64_t t_ms, double v) override {
    switch (t_ms) {
      case -1: return tsdb::append_error(tsdb::AppendErrorKind::kOutOfBounds);
      case -2: return tsdb::append_error(tsdb::AppendErrorKind::kTooOld);
      case -3: return absl::InvalidArgumentError("sample rejected by policy");
      case -4: return absl::UnavailableError("disk full");
      default: break;
    }
    staged_.push_back({labels, t_ms, v});
    return ref ? ref : tsdb::SeriesRef(labels.hash() | 1);
  }
  void update_metadata(const std::string& family, const tsdb::MetricMetadata& md) override {
    md_.emplace_back(family, md);
  }
  absl::Status commit() override {
    ++parent_->commits;
    if (!parent_->commit_status.ok()) return parent_->commit_status;
    for (auto& c : staged_) parent_->committed.push_back(std::move(c));
    for (auto& m : md_) parent_->metadata.push_back(std::move(m));
    return absl::OkStatus();
  }
  void rollback() override { ++parent_->rollbacks; }

 private:
  FakeAppendable* parent_;
  std::vector<FakeAppendable::Committed> staged_;
  std::vector<std::pair<std::string, tsdb::MetricMetadata>> md_;
};

}  // namespace

std::unique_ptr<tsdb::Appender> FakeAppendable::appender() {
  return std::make_unique<FakeAppender>(this);
}

std::string gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, uLong(in.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace strata::remote::testing
