// PromBlock::querier(): selects by intersecting the postings of the
// matchers that require their label (every series when there is none), then
// checks each candidate's labels against all matchers as its series is read.
#include <algorithm>
#include <set>

#include "base/status.h"
#include "tsdb/block/block_querier.h"
#include "tsdb/promblock/prom_block.h"

namespace strata::tsdb::prom {
namespace {

bool matches_all(const Labels& labels, const Matchers& ms) {
  for (const Matcher& m : ms) {
    if (!m.matches(labels.get(m.name()))) return false;
  }
  return true;
}

// The ids of the series whose `m.name()` label has a value `m` accepts: the
// union of those values' postings (the postings offset table lists them).
absl::StatusOr<std::vector<uint32_t>> matching_ids(const PromIndex& ix, const Matcher& m) {
  if (m.type() == MatchType::kEqual) return ix.postings(m.name(), m.value());
  std::vector<uint32_t> ids;
  for (const std::string& v : ix.label_values(m.name())) {
    if (!m.matches(v)) continue;
    STRATA_ASSIGN_OR_RETURN(std::vector<uint32_t> p, ix.postings(m.name(), v));
    std::vector<uint32_t> both;
    std::set_union(ids.begin(), ids.end(), p.begin(), p.end(), std::back_inserter(both));
    ids = std::move(both);
  }
  return ids;
}

// The candidate ids: the intersection over the matchers that reject the
// empty string (`a="x"`, `a=~"x.*"`: the label must be present) of the series
// they accept, or every series when there is none. Negative matchers and
// those accepting "" are checked on each series' labels as it is read.
absl::StatusOr<std::vector<uint32_t>> candidates(const PromIndex& ix, const Matchers& ms) {
  std::vector<uint32_t> ids;
  bool first = true;
  for (const Matcher& m : ms) {
    if (m.is_negative() || m.matches_empty()) continue;
    STRATA_ASSIGN_OR_RETURN(std::vector<uint32_t> p, matching_ids(ix, m));
    if (first) {
      ids = std::move(p);
      first = false;
    } else {
      std::vector<uint32_t> both;
      std::set_intersection(ids.begin(), ids.end(), p.begin(), p.end(), std::back_inserter(both));
      ids = std::move(both);
    }
    if (ids.empty()) return ids;
  }
  if (first) return ix.postings("", "");
  return ids;
}

class PromSeriesSet final : public SeriesSet {
 public:
  PromSeriesSet(std::shared_ptr<PromBlock> block, std::vector<uint32_t> ids, Matchers ms,
                int64_t mint, int64_t maxt)
      : block_(std::move(block)), ids_(std::move(ids)), ms_(std::move(ms)), mint_(mint),
        maxt_(maxt) {}

  bool next() override {
    while (status_.ok() && pos_ < ids_.size()) {
      auto found = read(ids_[pos_++]);
      if (!found.ok()) {
        status_ = annotate(found.status(), "reading Prometheus block " + block_->dir());
        return false;
      }
      if (*found) return true;
    }
    return false;
  }
  Series& at() override { return cur_; }
  absl::Status status() const override { return status_; }

 private:
  // Loads series `id` into cur_; false when it does not match or has no
  // float sample in range.
  absl::StatusOr<bool> read(uint32_t id) {
    Labels labels;
    STRATA_RETURN_IF_ERROR(block_->index().series(id, &labels, &metas_));
    if (!matches_all(labels, ms_)) return false;
    std::vector<ChunkRef> chunks;
    bool skipped = false;
    for (const PromChunkMeta& m : metas_) {
      if (m.maxt_ms < mint_ || m.mint_ms > maxt_) continue;
      STRATA_ASSIGN_OR_RETURN(PromChunk c, block_->chunks().chunk(m.ref));
      if (c.encoding != kPromEncXor) {
        skipped = true;  // a native histogram chunk: no Strata representation
        continue;
      }
      c.chunk.mint_ms = m.mint_ms;
      c.chunk.maxt_ms = m.maxt_ms;
      chunks.push_back(std::move(c.chunk));
    }
    if (skipped) block_->count_skipped_histogram_series();
    if (chunks.empty()) return false;
    if (const auto* ivs = block_->tombstones().get(id)) {
      STRATA_ASSIGN_OR_RETURN(bool kept, apply_tombstones(&chunks, *ivs, mint_, maxt_));
      if (!kept) return false;
    }
    cur_ = Series(std::move(labels), std::move(chunks), mint_, maxt_);
    return true;
  }

  std::shared_ptr<PromBlock> block_;
  std::vector<uint32_t> ids_;
  Matchers ms_;
  size_t pos_ = 0;
  int64_t mint_;
  int64_t maxt_;
  std::vector<PromChunkMeta> metas_;  // scratch
  Series cur_;
  absl::Status status_;
};

class PromBlockQuerier final : public Querier {
 public:
  PromBlockQuerier(std::shared_ptr<PromBlock> block, int64_t mint, int64_t maxt)
      : block_(std::move(block)), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> select(const SelectOptions& opts, const Matchers& ms) override {
    // Index order is label order, so opts.sorted costs nothing.
    const int64_t mint = std::max(mint_, opts.start_ms), maxt = std::min(maxt_, opts.end_ms);
    if (mint > maxt || ms.empty()) return std::make_unique<VectorSeriesSet>(std::vector<Series>{});
    auto ids = candidates(block_->index(), ms);
    if (!ids.ok()) {
      return std::make_unique<VectorSeriesSet>(
          annotate(ids.status(), "reading Prometheus block " + block_->dir()));
    }
    return std::make_unique<PromSeriesSet>(block_, *std::move(ids), ms, mint, maxt);
  }

  absl::StatusOr<std::vector<std::string>> label_names(const Matchers& ms, size_t limit) override {
    std::vector<std::string> out;
    if (ms.empty()) {
      out = block_->index().label_names();
    } else {
      std::set<std::string> names;
      STRATA_RETURN_IF_ERROR(for_each_series(ms, [&](const Labels& l) {
        for (const Label& x : l) names.insert(x.name);
      }));
      out.assign(names.begin(), names.end());
    }
    if (limit > 0 && out.size() > limit) out.resize(limit);
    return out;
  }

  absl::StatusOr<std::vector<std::string>> label_values(const std::string& name,
                                                         const Matchers& ms,
                                                         size_t limit) override {
    std::vector<std::string> out;
    if (ms.empty()) {
      out = block_->index().label_values(name);
    } else {
      std::set<std::string> values;
      STRATA_RETURN_IF_ERROR(for_each_series(ms, [&](const Labels& l) {
        std::string_view v = l.get(name);
        if (!v.empty()) values.emplace(v);
      }));
      out.assign(values.begin(), values.end());
    }
    if (limit > 0 && out.size() > limit) out.resize(limit);
    return out;
  }

 private:
  template <typename F>
  absl::Status for_each_series(const Matchers& ms, F&& f) {
    auto set = select(SelectOptions{}, ms);
    while (set->next()) f(set->at().labels());
    return set->status();
  }

  std::shared_ptr<PromBlock> block_;
  int64_t mint_;
  int64_t maxt_;
};

}  // namespace

std::unique_ptr<Querier> PromBlock::querier(int64_t mint_ms, int64_t maxt_ms) {
  return std::make_unique<PromBlockQuerier>(shared_from_this(), mint_ms, maxt_ms);
}

}  // namespace strata::tsdb::prom
