#include "tsdb/block/block_querier.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "base/status.h"
#include "tsdb/block/compact_chunk.h"
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

absl::StatusOr<std::vector<Series>> BlockQuerier::select(bool sorted, const SelectHints* hints,
                                                         const Matchers& matchers) {
  (void)sorted;  // index order is label order
  int64_t mint = mint_, maxt = maxt_;
  if (hints) {
    mint = std::max(mint, hints->start_ms);
    maxt = std::min(maxt, hints->end_ms);
  }
  std::vector<Series> out;
  if (mint > maxt) return out;
  const IndexReader& ix = block_->index();
  PostingList ids = postings_for_matchers(ix, matchers);
  Labels labels;
  std::vector<ChunkMeta> metas;
  for (uint32_t id : ids) {
    STRATA_RETURN_IF_ERROR(annotate(ix.series(id, nullptr, &metas), "block " + block_->meta().ulid));
    std::vector<ChunkRef> chunks;
    for (const ChunkMeta& m : metas) {
      if (!overlaps(m, mint, maxt)) continue;
      auto c = block_->chunks().chunk(m.ref);
      if (!c.ok()) return annotate(c.status(), "block " + block_->meta().ulid);
      c->mint_ms = m.mint_ms;
      c->maxt_ms = m.maxt_ms;
      chunks.push_back(std::move(*c));
    }
    if (chunks.empty()) continue;
    if (const auto* ivs = tombstones_->get(id)) {
      auto kept = apply_tombstones(&chunks, *ivs, mint, maxt);
      if (!kept.ok()) return annotate(kept.status(), "block " + block_->meta().ulid);
      if (!*kept) continue;
    }
    STRATA_RETURN_IF_ERROR(ix.series(id, &labels, nullptr));
    out.emplace_back(std::move(labels), std::move(chunks), mint, maxt);
  }
  return out;
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
