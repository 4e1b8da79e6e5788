#include "tsdb/head/mem_series.h"

#include <algorithm>
#include <limits>
#include <new>
#include <string>

#include "base/coding.h"
#include "tsdb/chunkenc/chunk_ref.h"

namespace strata::tsdb {
namespace {

uint8_t* put_uvarint32(uint8_t* p, uint32_t v) {
  while (v >= 0x80) {
    *p++ = uint8_t(v | 0x80);
    v >>= 7;
  }
  *p++ = uint8_t(v);
  return p;
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// A chunk held by the head, as the encoding-aware readers take it.
ChunkRef as_ref(const ChunkBuf* b) { return {0, 0, b->view(), nullptr, b->encoding()}; }

bool find_in_chunk(const ChunkRef& c, int64_t t_ms, uint64_t* bits) {
  if (c.encoding == ChunkEncoding::kCompact) {
    thread_local CompactChunkDecoder d;
    if (!d.decode(c.data)) return false;
    const int64_t* t = std::lower_bound(d.t(), d.t() + d.size(), t_ms);
    if (t == d.t() + d.size() || *t != t_ms) return false;
    *bits = d.v_bits()[t - d.t()];
    return true;
  }
  XorIterator it(c.data);
  while (it.next()) {
    if (it.t() == t_ms) {
      *bits = it.v_bits();
      return true;
    }
    if (it.t() > t_ms) return false;
  }
  return false;
}

// A sealed chunk never changes again, so it can take the compact encoding
// blocks use: on typical exporter values (integer counters, rounded gauges)
// about half the XOR bytes, and sealed chunks are most of the head's memory.
// It stays XOR when that is not smaller (full-precision random values).
// Costs one decode and encode of ≤120 samples per 120 appended. nullptr
// when the XOR bytes are to be kept.
ChunkBuf* compact_copy(std::string_view xor_bytes) {
  thread_local std::vector<int64_t> t;
  thread_local std::vector<uint64_t> v;
  thread_local std::string out;
  t.clear();
  v.clear();
  out.clear();
  XorIterator it(xor_bytes);
  while (it.next()) {
    t.push_back(it.t());
    v.push_back(it.v_bits());
  }
  if (t.empty()) return nullptr;
  encode_compact_chunk(t.data(), v.data(), t.size(), &out);
  if (out.size() >= xor_bytes.size()) return nullptr;
  return ChunkBuf::copy_of(out, ChunkEncoding::kCompact);
}

}  // namespace

MemSeries* MemSeries::create(uint32_t id, uint64_t hash,
                             std::span<const std::pair<uint32_t, uint32_t>> syms) {
  size_t n = 0;
  for (const auto& [a, b] : syms) n += uvarint_len(a) + uvarint_len(b);
  void* mem = ::operator new(sizeof(MemSeries) + n);
  MemSeries* s = new (mem) MemSeries(id, hash);
  s->num_labels_ = uint16_t(syms.size());
  s->label_bytes_ = uint16_t(n);
  uint8_t* p = reinterpret_cast<uint8_t*>(s + 1);
  for (const auto& [a, b] : syms) p = put_uvarint32(put_uvarint32(p, a), b);
  return s;
}

void MemSeries::destroy(MemSeries* s) {
  s->~MemSeries();
  ::operator delete(static_cast<void*>(s));
}

MemSeries::~MemSeries() {
  open.reset();
  delete ooo();
  set_ooo(nullptr);
  sealed.clear();
}

std::vector<std::pair<uint32_t, uint32_t>> MemSeries::label_syms() const {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  out.reserve(num_labels_);
  for_each_label([&](uint32_t n, uint32_t v) { out.emplace_back(n, v); });
  return out;
}

void MemSeries::seal_open() {
  int64_t mint = open.mint_ms(), maxt = open.t;
  // Re-encoded from the open buffer before it is released, so a chunk that
  // becomes compact skips release()'s shrinking realloc.
  ChunkBuf* b = compact_copy(open.bytes());
  if (b) {
    open.reset();
  } else {
    b = open.release();
  }
  sealed.push_back({mint, maxt, b});
}

void MemSeries::append(int64_t t_ms, uint64_t bits, int64_t chunk_range_ms) {
  if (!open.empty()) {
    // Cut at the sample budget and at chunk-range boundaries, so that a
    // block boundary never falls inside a chunk. All samples of a chunk lie
    // in one range, so the newest one tells which.
    int64_t range_end = (floor_div(open.t, chunk_range_ms) + 1) * chunk_range_ms;
    if (open.n >= kSamplesPerChunk || t_ms >= range_end || !open.fits(t_ms)) seal_open();
  }
  open.append(t_ms, bits);
}

bool MemSeries::find(int64_t t_ms, uint64_t* bits) const {
  const SealedChunk* it =
      std::lower_bound(sealed.begin(), sealed.end(), t_ms,
                       [](const SealedChunk& c, int64_t t) { return c.maxt_ms < t; });
  if (it != sealed.end() && it->mint_ms <= t_ms && find_in_chunk(as_ref(it->buf), t_ms, bits))
    return true;
  if (!open.empty() && t_ms >= open.mint_ms() && t_ms <= open.t &&
      find_in_chunk(as_ref(open.buf), t_ms, bits))
    return true;
  const OooChunks* ooo = this->ooo();
  if (!ooo) return false;
  auto o = std::lower_bound(ooo->open.begin(), ooo->open.end(), t_ms,
                            [](const OooChunks::Entry& e, int64_t t) { return e.t < t; });
  if (o != ooo->open.end() && o->t == t_ms) {
    *bits = o->bits;
    return true;
  }
  for (const SealedChunk& c : ooo->sealed) {
    if (c.mint_ms <= t_ms && t_ms <= c.maxt_ms && find_in_chunk(as_ref(c.buf), t_ms, bits))
      return true;
  }
  return false;
}

InsertResult MemSeries::insert_ooo(int64_t t_ms, uint64_t bits) {
  uint64_t have;
  if (find(t_ms, &have)) return have == bits ? InsertResult::kSame : InsertResult::kDuplicate;
  OooChunks* ooo = this->ooo();
  if (!ooo) set_ooo(ooo = new OooChunks());
  auto& v = ooo->open;
  auto it = std::lower_bound(v.begin(), v.end(), t_ms,
                             [](const OooChunks::Entry& e, int64_t t) { return e.t < t; });
  v.insert(it, OooChunks::Entry{t_ms, bits});
  if (v.size() >= OooChunks::kMaxOpen) {
    encode_chunks(v.begin(), v.end(), kSamplesPerChunk,
                  [&](int64_t mint, int64_t maxt, ChunkBuf* b) {
                    ooo->sealed.push_back({mint, maxt, b});
                  });
    v.clear();
    v.shrink_to_fit();
  }
  return InsertResult::kInserted;
}

void MemSeries::truncate_before(int64_t mint_ms) {
  uint32_t drop = 0;
  while (drop < sealed.size() && sealed[drop].maxt_ms < mint_ms) ++drop;
  sealed.erase_front(drop);
  if (!open.empty() && open.t < mint_ms) open.reset();
  OooChunks* ooo = this->ooo();
  if (!ooo) return;
  ChunkList keep;
  for (const SealedChunk& c : ooo->sealed) {
    if (c.maxt_ms < mint_ms) continue;
    c.buf->ref();
    keep.push_back(c);
  }
  ooo->sealed.swap(keep);
  auto& v = ooo->open;
  v.erase(v.begin(),
          std::lower_bound(v.begin(), v.end(), mint_ms,
                           [](const OooChunks::Entry& e, int64_t t) { return e.t < t; }));
  if (v.empty() && ooo->sealed.empty()) {
    delete ooo;
    set_ooo(nullptr);
  }
}

int64_t MemSeries::min_time() const {
  int64_t t = std::numeric_limits<int64_t>::max();
  if (!sealed.empty()) {
    t = sealed[0].mint_ms;
  } else if (!open.empty()) {
    t = open.mint_ms();
  }
  if (const OooChunks* o = ooo()) {
    for (const SealedChunk& c : o->sealed) t = std::min(t, c.mint_ms);
    if (!o->open.empty()) t = std::min(t, o->open.front().t);
  }
  return t;
}

std::vector<OooChunks::Entry> MemSeries::all_samples() const {
  std::vector<OooChunks::Entry> in, out;
  auto add = [&](int64_t t, uint64_t b) { in.push_back({t, b}); };
  for (const SealedChunk& c : sealed) for_each_sample(as_ref(c.buf), add);
  if (!open.empty()) for_each_sample(as_ref(open.buf), add);
  if (const OooChunks* ooo = this->ooo()) {
    for (const SealedChunk& c : ooo->sealed) for_each_sample(as_ref(c.buf), add);
    for (const auto& e : ooo->open) in.push_back(e);
  }
  // Later entries win on equal timestamps, as when queries merge chunks.
  std::stable_sort(in.begin(), in.end(), [](const auto& a, const auto& b) { return a.t < b.t; });
  for (size_t i = 0; i < in.size(); ++i) {
    if (i + 1 < in.size() && in[i + 1].t == in[i].t) continue;
    out.push_back(in[i]);
  }
  return out;
}

void MemSeries::rewrite(const std::vector<OooChunks::Entry>& samples, int64_t chunk_range_ms) {
  open.reset();
  delete ooo();
  set_ooo(nullptr);
  sealed.clear();
  for (const auto& e : samples) append(e.t, e.bits, chunk_range_ms);
}

size_t MemSeries::allocated_bytes() const {
  size_t n = sizeof(MemSeries) + label_bytes_;
  if (open.buf) n += open.buf->allocated_bytes();
  n += sealed.allocated_bytes();
  if (const OooChunks* ooo = this->ooo())
    n += sizeof(OooChunks) + ooo->open.capacity() * sizeof(OooChunks::Entry) +
         ooo->sealed.allocated_bytes();
  return n;
}

}  // namespace strata::tsdb
