// HeadQuerier: selects head series by matchers through the postings index and
// hands out their chunks overlapping [mint, maxt]. Sealed chunks are shared;
// the open chunk is copied under the series lock (it is at most ~1 KiB).
#include <algorithm>
#include <set>

#include "tsdb/head/head.h"

namespace strata::tsdb {
namespace {

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
    for (uint32_t id : ids) {
      MemSeries* s = head_->by_id(id);
      if (!s) continue;
      std::vector<ChunkRef> chunks;
      {
        std::lock_guard<std::mutex> lock(head_->series_lock(id));
        // Sealed chunks are sorted by time: skip those ending before mint.
        auto it = std::lower_bound(s->sealed.begin(), s->sealed.end(), mint,
                                   [](const SealedChunk& c, int64_t t) { return c.maxt_ms < t; });
        for (; it != s->sealed.end() && it->mint_ms <= maxt; ++it) {
          chunks.push_back({it->mint_ms, it->maxt_ms, *it->data, it->data});
        }
        if (s->open && s->open_maxt_ms >= mint && s->open_mint_ms <= maxt) {
          auto copy = std::make_shared<const std::string>(s->open->bytes());
          chunks.push_back({s->open_mint_ms, s->open_maxt_ms, *copy, copy});
        }
      }
      if (chunks.empty()) continue;
      out.emplace_back(head_->labels_of(*s), std::move(chunks), mint, maxt);
    }
    if (sorted) {
      std::sort(out.begin(), out.end(),
                [](const Series& a, const Series& b) { return a.labels() < b.labels(); });
    }
    return out;
  }

  absl::StatusOr<std::vector<std::string>> label_names(const Matchers& matchers,
                                                        size_t limit) override {
    std::set<std::string_view> names;
    SymbolTable& syms = head_->symbols();
    if (matchers.empty()) {
      for (uint32_t n : head_->postings().names()) names.insert(syms.get(n));
    } else {
      for (uint32_t id : postings_for(matchers)) {
        MemSeries* s = head_->by_id(id);
        if (!s || !has_samples_in_range(s)) continue;
        for (size_t i = 0; i < s->num_labels; ++i) names.insert(syms.get(s->syms[2 * i]));
      }
    }
    return to_vector(names, limit);
  }

  absl::StatusOr<std::vector<std::string>> label_values(const std::string& name,
                                                         const Matchers& matchers,
                                                         size_t limit) override {
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
        for (size_t i = 0; i < s->num_labels; ++i) {
          if (s->syms[2 * i] == *name_id) values.insert(syms.get(s->syms[2 * i + 1]));
        }
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

  bool has_samples_in_range(MemSeries* s) {
    std::lock_guard<std::mutex> lock(head_->series_lock(s->id));
    if (s->open && s->open_maxt_ms >= mint_ && s->open_mint_ms <= maxt_) return true;
    for (const SealedChunk& c : s->sealed) {
      if (c.maxt_ms >= mint_ && c.mint_ms <= maxt_) return true;
    }
    return false;
  }

  // Postings of the series whose `name` label value matches m (absent
  // labels are not included).
  PostingList matching_values(const Matcher& m) {
    SymbolTable& syms = head_->symbols();
    auto name_id = syms.find(m.name());
    if (!name_id) return {};
    const MemPostings& p = head_->postings();
    if (m.type() == MatchType::kEqual) {
      auto v = syms.find(m.value());
      return v ? p.get(*name_id, *v) : PostingList{};
    }
    if (m.type() == MatchType::kRegexMatch && !m.literal_set().empty()) {
      std::vector<PostingList> lists;
      for (const std::string& lit : m.literal_set()) {
        if (auto v = syms.find(lit)) lists.push_back(p.get(*name_id, *v));
      }
      std::vector<const PostingList*> ptrs;
      for (auto& l : lists) ptrs.push_back(&l);
      return merge_union(ptrs);
    }
    return p.union_where(*name_id, [&](uint32_t v) { return m.matches(syms.get(v)); });
  }

  // Series ids matching all matchers, following Prometheus: matchers that do
  // not match "" select; those that do are applied by subtracting the series
  // their inverse selects (so absent labels count as "").
  PostingList postings_for(const Matchers& matchers) {
    std::vector<PostingList> positive;
    std::vector<PostingList> negative;
    for (const Matcher& m : matchers) {
      if (!m.matches_empty()) {
        if (m.is_negative()) {
          // e.g. l!="" or l!~".*x|": the series having l with a matching value.
          auto name_id = head_->symbols().find(m.name());
          SymbolTable& syms = head_->symbols();
          positive.push_back(name_id ? head_->postings().union_where(
                                           *name_id, [&](uint32_t v) { return m.matches(syms.get(v)); })
                                     : PostingList{});
        } else {
          positive.push_back(matching_values(m));
        }
        if (positive.back().empty()) return {};
        continue;
      }
      // m matches "": drop series whose value does not match.
      SymbolTable& syms = head_->symbols();
      auto name_id = syms.find(m.name());
      if (!name_id) continue;  // nobody has the label: everyone matches
      negative.push_back(head_->postings().union_where(
          *name_id, [&](uint32_t v) { return !m.matches(syms.get(v)); }));
    }
    PostingList result;
    if (positive.empty()) {
      result = head_->postings().all();
    } else {
      std::sort(positive.begin(), positive.end(),
                [](const PostingList& a, const PostingList& b) { return a.size() < b.size(); });
      result = std::move(positive[0]);
      for (size_t i = 1; i < positive.size() && !result.empty(); ++i)
        result = intersect(result, positive[i]);
    }
    for (const PostingList& n : negative) {
      if (result.empty()) break;
      result = subtract(result, n);
    }
    return result;
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
