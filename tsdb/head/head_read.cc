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
    out->push_back({it->mint_ms, it->maxt_ms, pin->share(it->buf), nullptr, it->buf->encoding()});
  if (!s.open.empty() && s.open.t >= mint && s.open.mint_ms() <= maxt)
    out->push_back({s.open.mint_ms(), s.open.t, pin->copy(s.open.bytes()), nullptr});
  if (!s.ooo()) return;
  size_t first_ooo = out->size();
  for (const SealedChunk& c : s.ooo()->sealed) {
    if (c.maxt_ms >= mint && c.mint_ms <= maxt)
      out->push_back({c.mint_ms, c.maxt_ms, pin->share(c.buf), nullptr, c.buf->encoding()});
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

// The head's series, built one next() at a time: a series' chunks are
// collected (under its lock) and its labels copied only when the caller gets
// there, so a reader that stops early pays only for what it read.
class HeadSeriesSet final : public SeriesSet {
 public:
  HeadSeriesSet(Head* head, PostingList ids, int64_t mint, int64_t maxt)
      : head_(head), ids_(std::move(ids)), mint_(mint), maxt_(maxt),
        pin_(std::make_shared<SelectPin>()), owner_(pin_) {}

  bool next() override {
    while (pos_ < ids_.size()) {
      uint32_t id = ids_[pos_++];
      MemSeries* s = head_->by_id(id);
      if (!s) continue;  // removed by truncation since select()
      chunks_.clear();
      {
        std::lock_guard<std::mutex> lock(head_->series_lock(id));
        collect_chunks(*head_, *s, mint_, maxt_, pin_.get(), &chunks_);
      }
      if (chunks_.empty()) continue;
      for (ChunkRef& c : chunks_) c.owner = owner_;
      // Copied (not moved) out of the scratch list: the copy is exactly sized.
      cur_ = Series(head_->labels_of(*s), chunks_, mint_, maxt_);
      return true;
    }
    return false;
  }
  Series& at() override { return cur_; }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  Head* head_;
  PostingList ids_;
  size_t pos_ = 0;
  int64_t mint_;
  int64_t maxt_;
  // One pin per select() keeps every handed-out chunk alive (select_pin.h).
  // Only next() adds to it; Series already handed out only read their bytes.
  std::shared_ptr<SelectPin> pin_;
  std::shared_ptr<const void> owner_;
  std::vector<ChunkRef> chunks_;  // scratch
  Series cur_;
};

// Orders `ids` by their series' labels, comparing interned views rather than
// copying every label set; drops ids of series removed meanwhile.
void sort_by_labels(const Head& head, PostingList* ids) {
  struct Entry {
    uint32_t id;
    uint32_t begin;  // range in `views`
    uint32_t end;
  };
  std::vector<LabelView> views, one;
  std::vector<Entry> entries;
  entries.reserve(ids->size());
  for (uint32_t id : *ids) {
    const MemSeries* s = head.by_id(id);
    if (!s) continue;
    head.label_views(*s, &one);
    entries.push_back({id, uint32_t(views.size()), uint32_t(views.size() + one.size())});
    views.insert(views.end(), one.begin(), one.end());
  }
  // Pairwise (name, value), then length: Labels::compare's order.
  std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    return std::lexicographical_compare(views.begin() + a.begin, views.begin() + a.end,
                                        views.begin() + b.begin, views.begin() + b.end);
  });
  ids->clear();
  for (const Entry& e : entries) ids->push_back(e.id);
}

class HeadQuerier final : public Querier {
 public:
  HeadQuerier(Head* head, int64_t mint, int64_t maxt) : head_(head), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> select(const SelectOptions& opts, const Matchers& matchers) override {
    PostingList ids = postings_for(matchers);
    if (opts.sorted) sort_by_labels(*head_, &ids);
    return std::make_unique<HeadSeriesSet>(head_, std::move(ids), std::max(mint_, opts.start_ms),
                                           std::min(maxt_, opts.end_ms));
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
