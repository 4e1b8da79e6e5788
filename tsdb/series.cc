#include "tsdb/series.h"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace strata::tsdb {
namespace {

absl::Status corrupt(const ChunkRef& c) {
  return absl::DataLossError("corrupt chunk [" + std::to_string(c.mint_ms) + ", " +
                             std::to_string(c.maxt_ms) + "]");
}

}  // namespace

void Series::absorb(Series&& o) {
  if (chunks_.empty()) {
    chunks_ = std::move(o.chunks_);
  } else {
    chunks_.insert(chunks_.end(), std::make_move_iterator(o.chunks_.begin()),
                   std::make_move_iterator(o.chunks_.end()));
  }
  mint_ms_ = std::min(mint_ms_, o.mint_ms_);
  maxt_ms_ = std::max(maxt_ms_, o.maxt_ms_);
}

absl::StatusOr<std::vector<Series>> read_all(SeriesSet& set) {
  std::vector<Series> out;
  while (set.next()) out.push_back(std::move(set.at()));
  if (!set.status().ok()) return set.status();
  return out;
}

SampleIterator Series::iterator() const { return SampleIterator(this); }

bool Series::chunks_overlap() const {
  for (size_t i = 1; i < chunks_.size(); ++i) {
    if (chunks_[i].mint_ms <= chunks_[i - 1].maxt_ms) return true;
  }
  return false;
}

absl::Status Series::decode(int64_t from_ms, int64_t to_ms, std::vector<Sample>* out) const {
  // Reserve from the chunk headers' sample counts (an upper bound): growing
  // the vector sample by sample copied every sample about twice.
  size_t hint = 0;
  for (const ChunkRef& c : chunks_) {
    if (c.maxt_ms >= from_ms && c.mint_ms <= to_ms) hint += chunk_num_samples(c);
  }
  out->reserve(out->size() + hint);
  const int64_t lo = std::max(from_ms, mint_ms_), hi = std::min(to_ms, maxt_ms_);
  if (chunks_overlap()) {
    SampleIterator it(this);
    if (!it.seek(lo)) return it.status();
    do {
      if (it.t() > hi) break;
      out->push_back({it.t(), it.v()});
    } while (it.next());
    return it.status();
  }
  // Chunks in time order, none overlapping: decode chunk by chunk in tight
  // loops (compact chunks as whole arrays), no per-sample iterator state.
  // This is the query engine's inner loop: most selected samples pass here.
  thread_local CompactChunkDecoder dec;
  for (const ChunkRef& c : chunks_) {
    if (c.maxt_ms < lo) continue;
    if (c.mint_ms > hi) break;
    if (c.encoding == ChunkEncoding::kCompact) {
      if (!dec.decode(c.data)) return corrupt(c);
      const int64_t* t = dec.t();
      const uint64_t* v = dec.v_bits();
      size_t n = dec.size();
      size_t b = size_t(std::lower_bound(t, t + n, lo) - t);
      size_t e = size_t(std::upper_bound(t + b, t + n, hi) - t);
      size_t base = out->size();
      out->resize(base + (e - b));
      Sample* o = out->data() + base;
      for (size_t i = b; i < e; ++i) {
        o[i - b].t = t[i];
        std::memcpy(&o[i - b].v, &v[i], 8);
      }
      continue;
    }
    if (c.encoding != ChunkEncoding::kXor) return corrupt(c);
    XorIterator it(c.data);
    while (it.next()) {
      if (it.t() < lo) continue;
      if (it.t() > hi) return absl::OkStatus();
      out->push_back({it.t(), it.v()});
    }
    if (!it.ok()) return corrupt(c);
  }
  return absl::OkStatus();
}

SampleIterator::SampleIterator(const Series* s) : s_(s) {
  const auto& cs = s->chunks();
  use_merged_ = s->chunks_overlap();
  if (!use_merged_) return;
  // Overlaps are rare (out-of-order data, block/head overlap): merge them
  // once, later chunks winning on equal timestamps.
  std::vector<std::pair<Sample, size_t>> all;
  for (size_t i = 0; i < cs.size(); ++i) {
    bool ok = for_each_sample(cs[i], [&](int64_t t, uint64_t bits) {
      if (t < s->mint_ms() || t > s->maxt_ms()) return;
      double v;
      std::memcpy(&v, &bits, 8);
      all.push_back({{t, v}, i});
    });
    if (!ok) status_ = corrupt(cs[i]);
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first.t < b.first.t || (a.first.t == b.first.t && a.second < b.second);
  });
  for (size_t i = 0; i < all.size(); ++i) {
    if (i + 1 < all.size() && all[i + 1].first.t == all[i].first.t) continue;
    merged_.push_back(all[i].first);
  }
}

bool SampleIterator::next_raw() {
  const auto& cs = s_->chunks();
  while (true) {
    if (!started_) {
      if (chunk_ >= cs.size()) return false;
      const ChunkRef& c = cs[chunk_];
      compact_ = c.encoding == ChunkEncoding::kCompact;
      if (compact_) {
        dec_pos_ = 0;
        if (!dec_.decode(c.data)) {
          status_ = corrupt(c);
          return false;
        }
      } else if (c.encoding == ChunkEncoding::kXor) {
        it_.reset(c.data);
      } else {
        status_ = corrupt(c);
        return false;
      }
      started_ = true;
    }
    if (compact_) {
      if (dec_pos_ < dec_.size()) {
        uint64_t bits = dec_.v_bits()[dec_pos_];
        cur_.t = dec_.t()[dec_pos_++];
        std::memcpy(&cur_.v, &bits, 8);
        return true;
      }
      ++chunk_;
      started_ = false;
      continue;
    }
    if (it_.next()) {
      cur_ = {it_.t(), it_.v()};
      return true;
    }
    if (!it_.ok()) {
      status_ = corrupt(cs[chunk_]);
      return false;
    }
    ++chunk_;
    started_ = false;
  }
}

bool SampleIterator::next() {
  if (use_merged_) {
    if (pos_ >= merged_.size()) return false;
    cur_ = merged_[pos_++];
    return true;
  }
  while (next_raw()) {
    if (cur_.t < s_->mint_ms()) continue;
    if (cur_.t > s_->maxt_ms()) {
      chunk_ = s_->chunks().size();
      started_ = false;
      return false;
    }
    return true;
  }
  return false;
}

bool SampleIterator::seek(int64_t t_ms) {
  if (use_merged_) {
    if (pos_ > 0 && cur_.t >= t_ms) return true;
    auto it = std::lower_bound(merged_.begin() + pos_, merged_.end(), t_ms,
                               [](const Sample& s, int64_t t) { return s.t < t; });
    pos_ = size_t(it - merged_.begin());
    return next();
  }
  if (started_ && cur_.t >= t_ms && cur_.t >= s_->mint_ms()) return true;
  // Skip whole chunks that end before t.
  const auto& cs = s_->chunks();
  while (chunk_ < cs.size() && cs[chunk_].maxt_ms < t_ms) {
    ++chunk_;
    started_ = false;
  }
  while (next()) {
    if (cur_.t >= t_ms) return true;
  }
  return false;
}

}  // namespace strata::tsdb
