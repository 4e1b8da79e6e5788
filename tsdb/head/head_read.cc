// HeadQuerier: selects head series by matchers through the postings index and
// hands out their chunks overlapping [mint, maxt]. Sealed chunks are shared by
// reference; open chunks (and out-of-order buffers) are copied under the
// series lock, so appends may continue while a query reads. Samples under a
// tombstone are filtered out by re-encoding the series' chunks.
#include <algorithm>
#include <set>

#include "tsdb/chunkenc/xor_chunk.h"
#include "tsdb/head/head.h"
#include "tsdb/head/select_pin.h"
#include "tsdb/head/select_postings.h"

namespace strata::tsdb {
namespace {

// The series' samples in [mint, maxt] outside the tombstones, as fresh XOR
// chunks. Caller holds the series lock.
void filtered_chunks(const MemSeries& s, const std::vector<Interval>& tombs, int64_t mint,
                     int64_t maxt, SelectPin* pin, std::vector<ChunkRef>* out) {
  std::vector<OooChunks::Entry> keep;
  for (const auto& e : s.all_samples())
    if (e.t >= mint && e.t <= maxt && !in_intervals(tombs, e.t)) keep.push_back(e);
  encode_chunks(keep.begin(), keep.end(), MemSeries::kSamplesPerChunk,
                [&](int64_t cmint, int64_t cmaxt, ChunkBuf* b) {
                  out->push_back({cmint, cmaxt, pin->adopt(b), nullptr});
                });
}

// Chunks of `s` overlapping [mint, maxt]. Caller holds the series lock.
void collect_chunks(const Head& head, const MemSeries& s, int64_t mint, int64_t maxt,
                    SelectPin* pin, std::vector<ChunkRef>* out) {
  if (s.flags & MemSeries::kHasTombstones) {
    filtered_chunks(s, head.tombstones_of(s.id), mint, maxt, pin, out);
    return;
  }
  // Sealed chunks are sorted by time: skip those ending before mint.
  const SealedChunk* it =
      std::lower_bound(s.sealed.begin(), s.sealed.end(), mint,
                       [](const SealedChunk& c, int64_t t) { return c.maxt_ms < t; });
  for (; it != s.sealed.end() && it->mint_ms <= maxt; ++it)
    out->push_back({it->mint_ms, it->maxt_ms, pin->share(it->buf), nullptr});
  if (!s.open.empty() && s.open.t >= mint && s.open.mint_ms() <= maxt)
    out->push_back({s.open.mint_ms(), s.open.t, pin->copy(s.open.bytes()), nullptr});
  if (!s.ooo()) return;
  size_t first_ooo = out->size();
  for (const SealedChunk& c : s.ooo()->sealed) {
    if (c.maxt_ms >= mint && c.mint_ms <= maxt)
      out->push_back({c.mint_ms, c.maxt_ms, pin->share(c.buf), nullptr});
  }
  const auto& v = s.ooo()->open;
  if (!v.empty() && v.back().t >= mint && v.front().t <= maxt) {
    encode_chunks(v.begin(), v.end(), MemSeries::kSamplesPerChunk,
                  [&](int64_t cmint, int64_t cmaxt, ChunkBuf* b) {
                    out->push_back({cmint, cmaxt, pin->adopt(b), nullptr});
                  });
  }
  if (out->size() > first_ooo) {
    // In time order, chunks that do not overlap are read without merging.
    std::stable_sort(out->begin(), out->end(),
                     [](const ChunkRef& a, const ChunkRef& b) { return a.mint_ms < b.mint_ms; });
  }
}

class HeadQuerier final : public Querier {
 public:
  HeadQuerier(Head* head, int64_t mint, int64_t maxt) : head_(head), mint_(mint), maxt_(maxt) {}

  absl::StatusOr<std::vector<Series>> select(bool sorted, const SelectHints* hints,
                                             const Matchers& matchers) override {
    int64_t mint = mint_, maxt = maxt_;
    if (hints) {
      mint = std::max(mint, hints->start_ms);
      maxt = std::min(maxt, hints->end_ms);
    }
    PostingList ids = postings_for(matchers);
    std::vector<Series> out;
    out.reserve(ids.size());
    auto pin = std::make_shared<SelectPin>();
    std::shared_ptr<const void> owner = pin;
    std::vector<ChunkRef> chunks;
    for (uint32_t id : ids) {
      MemSeries* s = head_->by_id(id);
      if (!s) continue;
      chunks.clear();
      {
        std::lock_guard<std::mutex> lock(head_->series_lock(id));
        collect_chunks(*head_, *s, mint, maxt, pin.get(), &chunks);
      }
      if (chunks.empty()) continue;
      for (ChunkRef& c : chunks) c.owner = owner;
      out.emplace_back(head_->labels_of(*s), chunks, mint, maxt);
    }
    if (sorted) {
      std::sort(out.begin(), out.end(),
                [](const Series& a, const Series& b) { return a.labels() < b.labels(); });
    }
    return out;
  }

  absl::StatusOr<std::vector<std::string>> label_names(const Matchers& matchers,
                                                       size_t limit) override {
    if (!overlaps_head()) return std::vector<std::string>{};
    std::set<std::string_view> names;
    SymbolTable& syms = head_->symbols();
    if (matchers.empty()) {
      for (uint32_t n : head_->postings().names()) names.insert(syms.get(n));
    } else {
      for (uint32_t id : postings_for(matchers)) {
        MemSeries* s = head_->by_id(id);
        if (!s || !has_samples_in_range(s)) continue;
        s->for_each_label([&](uint32_t n, uint32_t) { names.insert(syms.get(n)); });
      }
    }
    return to_vector(names, limit);
  }

  absl::StatusOr<std::vector<std::string>> label_values(const std::string& name,
                                                        const Matchers& matchers,
                                                        size_t limit) override {
    if (!overlaps_head()) return std::vector<std::string>{};
    std::set<std::string_view> values;
    SymbolTable& syms = head_->symbols();
    auto name_id = syms.find(name);
    if (!name_id) return std::vector<std::string>{};
    if (matchers.empty()) {
      for (uint32_t v : head_->postings().values(*name_id)) values.insert(syms.get(v));
    } else {
      for (uint32_t id : postings_for(matchers)) {
        MemSeries* s = head_->by_id(id);
        if (!s || !has_samples_in_range(s)) continue;
        s->for_each_label([&](uint32_t n, uint32_t v) {
          if (n == *name_id) values.insert(syms.get(v));
        });
      }
    }
    return to_vector(values, limit);
  }

 private:
  static std::vector<std::string> to_vector(const std::set<std::string_view>& s, size_t limit) {
    std::vector<std::string> out;
    for (std::string_view v : s) {
      if (limit > 0 && out.size() >= limit) break;
      out.emplace_back(v);
    }
    return out;
  }

  // Like Prometheus' head index reader: names and values come from the
  // whole index, but only when the range overlaps the head's data at all.
  bool overlaps_head() const {
    HeadStats st = head_->stats();
    return st.min_time_ms <= maxt_ && st.max_time_ms >= mint_;
  }

  bool has_samples_in_range(MemSeries* s) {
    std::lock_guard<std::mutex> lock(head_->series_lock(s->id));
    if (!s->open.empty() && s->open.t >= mint_ && s->open.mint_ms() <= maxt_) return true;
    for (const SealedChunk& c : s->sealed)
      if (c.maxt_ms >= mint_ && c.mint_ms <= maxt_) return true;
    if (s->ooo()) {
      for (const SealedChunk& c : s->ooo()->sealed)
        if (c.maxt_ms >= mint_ && c.mint_ms <= maxt_) return true;
      for (const auto& e : s->ooo()->open)
        if (e.t >= mint_ && e.t <= maxt_) return true;
    }
    return false;
  }

  PostingList postings_for(const Matchers& matchers) {
    return select_postings(head_->symbols(), head_->postings(), matchers);
  }

  Head* head_;
  int64_t mint_;
  int64_t maxt_;
};

}  // namespace

std::unique_ptr<Querier> Head::querier(int64_t mint_ms, int64_t maxt_ms) {
  return std::make_unique<HeadQuerier>(this, mint_ms, maxt_ms);
}

}  // namespace strata::tsdb
