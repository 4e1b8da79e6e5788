#include "tsdb/block/block_querier.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "base/status.h"
#include "tsdb/chunkenc/compact_chunk.h"
#include "tsdb/block/postings_for_matchers.h"

namespace strata::tsdb {
namespace {

bool overlaps(const ChunkMeta& c, int64_t mint, int64_t maxt) {
  return c.maxt_ms >= mint && c.mint_ms <= maxt;
}

std::vector<std::string> to_vector(const std::set<std::string_view>& s, size_t limit) {
  std::vector<std::string> out;
  for (std::string_view v : s) {
    if (limit > 0 && out.size() >= limit) break;
    out.emplace_back(v);
  }
  return out;
}

}  // namespace

absl::StatusOr<bool> apply_tombstones(std::vector<ChunkRef>* chunks,
                                      const std::vector<Interval>& ivs, int64_t mint,
                                      int64_t maxt) {
  std::vector<int64_t> t;
  std::vector<uint64_t> v;
  for (const ChunkRef& c : *chunks) {
    bool ok = for_each_sample(c, [&](int64_t ts, uint64_t bits) {
      if (ts < mint || ts > maxt || in_intervals(ivs, ts)) return;
      t.push_back(ts);
      v.push_back(bits);
    });
    if (!ok) return absl::DataLossError("corrupt chunk [" + std::to_string(c.mint_ms) + ", " +
                                        std::to_string(c.maxt_ms) + "]");
  }
  chunks->clear();
  for (size_t a = 0; a < t.size(); a += kMaxCompactChunkSamples) {
    size_t b = std::min(t.size(), a + kMaxCompactChunkSamples);
    auto buf = std::make_shared<std::string>();
    encode_compact_chunk(t.data() + a, v.data() + a, b - a, buf.get());
    ChunkRef c{t[a], t[b - 1], *buf, buf, ChunkEncoding::kCompact};
    chunks->push_back(std::move(c));
  }
  return !chunks->empty();
}

BlockQuerier::BlockQuerier(std::shared_ptr<Block> block, int64_t mint_ms, int64_t maxt_ms)
    : block_(std::move(block)), tombstones_(block_->tombstones()), mint_(mint_ms), maxt_(maxt_ms) {}

namespace {

// A block's matching series in index (= label) order, read from the index
// one next() at a time; chunks are zero-copy views of the block's mapping.
class BlockSeriesSet final : public SeriesSet {
 public:
  BlockSeriesSet(std::shared_ptr<Block> block, std::shared_ptr<const Tombstones> tombstones,
                 PostingList ids, int64_t mint, int64_t maxt)
      : block_(std::move(block)), tombstones_(std::move(tombstones)), ids_(std::move(ids)),
        mint_(mint), maxt_(maxt) {}

  bool next() override {
    if (!status_.ok()) return false;
    while (pos_ < ids_.size()) {
      auto found = read(ids_[pos_++]);
      if (!found.ok()) {
        status_ = annotate(found.status(), "block " + block_->meta().ulid);
        return false;
      }
      if (*found) return true;
    }
    return false;
  }
  Series& at() override { return cur_; }
  absl::Status status() const override { return status_; }

 private:
  // Loads series `id` into cur_; false when it has no samples in range.
  absl::StatusOr<bool> read(uint32_t id) {
    const IndexReader& ix = block_->index();
    STRATA_RETURN_IF_ERROR(ix.series(id, nullptr, &metas_));
    std::vector<ChunkRef> chunks;
    for (const ChunkMeta& m : metas_) {
      if (!overlaps(m, mint_, maxt_)) continue;
      STRATA_ASSIGN_OR_RETURN(ChunkRef c, block_->chunks().chunk(m.ref));
      c.mint_ms = m.mint_ms;
      c.maxt_ms = m.maxt_ms;
      chunks.push_back(std::move(c));
    }
    if (chunks.empty()) return false;
    if (const auto* ivs = tombstones_->get(id)) {
      STRATA_ASSIGN_OR_RETURN(bool kept, apply_tombstones(&chunks, *ivs, mint_, maxt_));
      if (!kept) return false;
    }
    Labels labels;
    STRATA_RETURN_IF_ERROR(ix.series(id, &labels, nullptr));
    cur_ = Series(std::move(labels), std::move(chunks), mint_, maxt_);
    return true;
  }

  std::shared_ptr<Block> block_;
  std::shared_ptr<const Tombstones> tombstones_;
  PostingList ids_;
  size_t pos_ = 0;
  int64_t mint_;
  int64_t maxt_;
  std::vector<ChunkMeta> metas_;  // scratch
  Series cur_;
  absl::Status status_;
};

}  // namespace

std::unique_ptr<SeriesSet> BlockQuerier::select(const SelectOptions& opts,
                                                const Matchers& matchers) {
  // Index order is label order, so opts.sorted costs nothing.
  int64_t mint = std::max(mint_, opts.start_ms), maxt = std::min(maxt_, opts.end_ms);
  if (mint > maxt) return std::make_unique<VectorSeriesSet>(std::vector<Series>{});
  return std::make_unique<BlockSeriesSet>(block_, tombstones_,
                                          postings_for_matchers(block_->index(), matchers), mint,
                                          maxt);
}

absl::StatusOr<std::vector<uint32_t>> BlockQuerier::ids_in_range(const Matchers& matchers) {
  const IndexReader& ix = block_->index();
  std::vector<uint32_t> out;
  std::vector<ChunkMeta> metas;
  for (uint32_t id : postings_for_matchers(ix, matchers)) {
    STRATA_RETURN_IF_ERROR(ix.series(id, nullptr, &metas));
    if (std::any_of(metas.begin(), metas.end(),
                    [&](const ChunkMeta& m) { return overlaps(m, mint_, maxt_); })) {
      out.push_back(id);
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> BlockQuerier::label_names(const Matchers& matchers,
                                                                    size_t limit) {
  const IndexReader& ix = block_->index();
  std::set<std::string_view> names;
  if (matchers.empty()) {
    for (std::string_view n : ix.label_names()) names.insert(n);
    return to_vector(names, limit);
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<uint32_t> ids, ids_in_range(matchers));
  Labels labels;
  std::set<std::string> owned;
  for (uint32_t id : ids) {
    STRATA_RETURN_IF_ERROR(ix.series(id, &labels, nullptr));
    for (const Label& l : labels) owned.insert(l.name);
  }
  std::vector<std::string> out;
  for (const auto& n : owned) {
    if (limit > 0 && out.size() >= limit) break;
    out.push_back(n);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> BlockQuerier::label_values(const std::string& name,
                                                                     const Matchers& matchers,
                                                                     size_t limit) {
  const IndexReader& ix = block_->index();
  if (matchers.empty()) {
    std::set<std::string_view> values;
    if (const auto* vs = ix.values(name)) {
      for (const auto& e : *vs) values.insert(e.value);
    }
    return to_vector(values, limit);
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<uint32_t> ids, ids_in_range(matchers));
  Labels labels;
  std::set<std::string> values;
  for (uint32_t id : ids) {
    STRATA_RETURN_IF_ERROR(ix.series(id, &labels, nullptr));
    std::string_view v = labels.get(name);
    if (labels.has(name)) values.insert(std::string(v));
  }
  std::vector<std::string> out;
  for (const auto& v : values) {
    if (limit > 0 && out.size() >= limit) break;
    out.push_back(v);
  }
  return out;
}

}  // namespace strata::tsdb
