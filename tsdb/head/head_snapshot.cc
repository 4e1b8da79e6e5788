// Head::write_snapshot and Head::load_snapshot (format in
// tsdb/docs/format/head_snapshot.md). Loading checks every section's CRC and
// decodes every series once without touching the head, so a snapshot that
// turns out to be unusable leaves the head empty for a full WAL replay; only
// then are series built, by up to two threads (one per core of the machines
// we size for), each taking whole series sections.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#include "base/clock.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/log.h"
#include "base/status.h"
#include "tsdb/head/head.h"
#include "tsdb/head/head_snapshot.h"
#include "tsdb/wal/checkpoint.h"
#include "tsdb/wal/segment.h"

namespace strata::tsdb {
namespace {

// 65 536 series per section: a unit two loader threads can share out
// evenly at 1 M series, small enough to build in memory before writing.
constexpr uint32_t kSeriesPerSection = 1 << 16;
constexpr size_t kFrameHeader = 9;  // type u8, length u32, crc32c u32

void put_section(std::string* out, SnapshotSection type, std::string_view payload) {
  char t = char(type);
  out->push_back(t);
  put_fixed32(out, uint32_t(payload.size()));
  put_fixed32(out, crc32c_extend(crc32c_extend(0, &t, 1), payload.data(), payload.size()));
  out->append(payload);
}

void put_lenstr(std::string* out, std::string_view s) {
  put_uvarint(out, s.size());
  out->append(s);
}

void put_chunks(std::string* out, const ChunkList& l) {
  put_uvarint(out, l.size());
  for (const SealedChunk& c : l) {
    put_varint(out, c.mint_ms);
    put_varint(out, c.maxt_ms);
    out->push_back(char(c.buf->encoding()));
    put_lenstr(out, c.buf->view());
  }
}

// Bounds-checked reader over one section's payload.
struct Cursor {
  const char* p;
  const char* end;
  bool ok = true;

  uint64_t uv() {
    uint64_t v = 0;
    if (ok && !get_uvarint(&p, end, &v)) ok = false;
    return v;
  }
  int64_t sv() { return zigzag_decode(uv()); }
  uint8_t u8() {
    if (!ok || p >= end) return ok = false, 0;
    return uint8_t(*p++);
  }
  uint64_t f64() {
    if (!ok || end - p < 8) return ok = false, 0;
    uint64_t v = get_fixed64(p);
    p += 8;
    return v;
  }
  uint32_t f32() {
    if (!ok || end - p < 4) return ok = false, 0;
    uint32_t v = get_fixed32(p);
    p += 4;
    return v;
  }
  std::string_view str() {
    uint64_t n = uv();
    if (!ok || uint64_t(end - p) < n) return ok = false, std::string_view();
    std::string_view s(p, n);
    p += n;
    return s;
  }
};

struct Header {
  uint32_t wal_segment = 0;
  uint64_t wal_offset = 0;
  uint32_t next_id = 0;
  int64_t min_time = 0, max_time = 0, min_valid_time = 0;
  uint64_t num_series = 0;
};

// A decoded series; views point into the mapped file. One is reused for
// every series of a section, so decoding allocates nothing once warm.
struct SnapChunk {
  int64_t mint, maxt;
  ChunkEncoding encoding;
  std::string_view bytes;
};
struct SnapSeries {
  uint32_t id;
  uint64_t hash;
  uint8_t flags;
  std::vector<std::pair<uint32_t, uint32_t>> labels;  // snapshot symbol indexes
  std::vector<SnapChunk> sealed;
  bool has_open = false;
  std::string_view open_bytes;
  OpenChunk open_state;  // buf unset
  bool has_ooo = false;
  std::vector<OooChunks::Entry> ooo_open;
  std::vector<SnapChunk> ooo_sealed;
};

bool read_chunks(Cursor* c, std::vector<SnapChunk>* out) {
  out->clear();
  uint64_t n = c->uv();
  if (!c->ok || n > uint64_t(c->end - c->p)) return false;
  for (uint64_t i = 0; i < n && c->ok; ++i) {
    SnapChunk k;
    k.mint = c->sv();
    k.maxt = c->sv();
    uint8_t enc = c->u8();
    if (enc != uint8_t(ChunkEncoding::kXor) && enc != uint8_t(ChunkEncoding::kCompact))
      return false;
    k.encoding = ChunkEncoding(enc);
    k.bytes = c->str();
    if (k.bytes.empty() || k.mint > k.maxt) return false;
    out->push_back(k);
  }
  return c->ok;
}

// Decodes one series section, calling sink(series) for each: ids strictly
// increasing and below next_id, labels referring to known symbols, chunk
// state within its ranges. False when anything is off.
template <typename Sink>
bool parse_series(std::string_view payload, uint64_t num_symbols, uint32_t next_id, Sink&& sink) {
  Cursor c{payload.data(), payload.data() + payload.size()};
  uint64_t n = c.uv();
  if (!c.ok || n > payload.size()) return false;
  SnapSeries s;
  int64_t prev = -1;
  for (uint64_t k = 0; k < n; ++k) {
    uint64_t id = c.uv();
    if (!c.ok || int64_t(id) <= prev || id >= next_id) return false;
    prev = int64_t(id);
    s.id = uint32_t(id);
    s.hash = c.f64();
    s.flags = c.u8() & MemSeries::kHasTombstones;
    uint64_t nl = c.uv();
    if (!c.ok || nl > 0xffff || nl > uint64_t(c.end - c.p)) return false;
    s.labels.resize(nl);
    for (auto& [a, b] : s.labels) {
      uint64_t x = c.uv(), y = c.uv();
      if (!c.ok || x >= num_symbols || y >= num_symbols) return false;
      a = uint32_t(x);
      b = uint32_t(y);
    }
    if (!read_chunks(&c, &s.sealed)) return false;
    s.has_open = c.u8() != 0;
    if (s.has_open) {
      s.open_bytes = c.str();
      OpenChunk& o = s.open_state;
      o.t = int64_t(c.f64());
      o.v_bits = c.f64();
      o.t_delta = int32_t(c.f32());
      o.n = c.u8();
      o.free_bits = c.u8();
      o.leading = c.u8();
      o.trailing = c.u8();
      if (!c.ok || s.open_bytes.empty() || o.n == 0 || o.free_bits > 7) return false;
    }
    s.has_ooo = c.u8() != 0;
    s.ooo_open.clear();
    if (s.has_ooo) {
      uint64_t m = c.uv();
      if (!c.ok || m > OooChunks::kMaxOpen) return false;
      s.ooo_open.resize(m);
      for (auto& e : s.ooo_open) {
        e.t = c.sv();
        e.bits = c.f64();
      }
      if (!read_chunks(&c, &s.ooo_sealed)) return false;
    }
    if (!c.ok) return false;
    sink(s);
  }
  return c.ok && c.p == c.end;
}

// A fixed label set whose hash the snapshot records: series hashes are
// stored (so loading need not read every label string), and they are only
// valid while the head hashes labels the same way.
constexpr LabelView kProbeLabels[] = {{"__name__", "strata_head_snapshot_probe"},
                                      {"job", "\x01\xff"}};

// Runs f(i) for i in [0, n) on up to two threads.
template <typename F>
void parallel_for(size_t n, F&& f) {
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) f(i);
  };
  if (n < 2 || std::thread::hardware_concurrency() < 2) {
    run();
    return;
  }
  std::thread helper(run);
  run();
  helper.join();
}

// A set of series ids as dense as the ids themselves: flags in pages of 64k
// allocated where ids are, so a sparse id (up to 2^32, from a damaged WAL)
// costs one page, not a flag for every id below it. insert() from one
// thread; contains() from any, once the inserts are done.
class IdSet {
 public:
  void insert(uint32_t id) { flags_.ensure(id) = 1; }
  bool contains(uint32_t id) const {
    const uint8_t* f = flags_.slot(id);
    return f != nullptr && *f != 0;
  }

 private:
  PagedArray<uint8_t, 16, 65536> flags_;
};

}  // namespace

std::string Head::snapshot_path() const { return join_path(opts_.dir, kHeadSnapshotFile); }

absl::Status Head::remove_snapshot() {
  FileSystem* fs = opts_.fs;
  std::string path = snapshot_path();
  if (!fs->exists(path)) return absl::OkStatus();
  STRATA_RETURN_IF_ERROR(fs->remove(path));
  // Durable before the caller goes on (a checkpoint deleting segments the
  // snapshot relies on must never be seen without this removal).
  return fs->sync_dir(opts_.dir);
}

absl::Status Head::write_snapshot() {
  double t0 = monotonic_seconds();
  FileSystem* fs = opts_.fs;
  std::string wal_dir = join_path(opts_.dir, "wal");
  // The WAL is closed: its newest segment and that segment's size are final.
  STRATA_ASSIGN_OR_RETURN(std::vector<uint32_t> segs, list_wal_segments(fs, wal_dir));
  if (segs.empty()) return absl::FailedPreconditionError("no WAL segment");
  Header h;
  h.wal_segment = segs.back();
  STRATA_ASSIGN_OR_RETURN(h.wal_offset,
                          fs->file_size(join_path(wal_dir, wal_segment_name(h.wal_segment))));
  h.next_id = next_id_.load();
  h.min_time = min_time_.load();
  h.max_time = max_time_.load();
  h.min_valid_time = min_valid_time_.load();

  std::string tmp = snapshot_path() + ".tmp";
  // A failed write (a full disk) leaves no half-written file taking space.
  struct RemoveUnlessDone {
    FileSystem* fs;
    const std::string& path;
    bool done = false;
    ~RemoveUnlessDone() {
      if (!done) (void)fs->remove(path);
    }
  } cleanup{fs, tmp};
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs->open_writable(tmp));
  std::string out, payload;
  put_fixed32(&out, kHeadSnapshotMagic);
  out.push_back(char(kHeadSnapshotVersion));
  uint64_t sections = 0;
  auto flush = [&]() -> absl::Status {
    absl::Status s = f->append(out);
    out.clear();
    return s;
  };
  auto section = [&](SnapshotSection type) -> absl::Status {
    put_section(&out, type, payload);
    payload.clear();
    ++sections;
    // Bounded buffering: sections are written as they are built.
    return out.size() > (size_t(4) << 20) ? flush() : absl::OkStatus();
  };

  // Series first (into a buffer), since the header counts them.
  std::string series_part;
  std::vector<std::string> series_sections;
  uint32_t in_part = 0;
  auto end_part = [&] {
    std::string p;
    put_uvarint(&p, in_part);
    p += series_part;
    series_sections.push_back(std::move(p));
    series_part.clear();
    in_part = 0;
  };
  IdSet written;
  for_each_series([&](uint32_t id, MemSeries* s) {
    if (s->id != id || id >= h.next_id) return;
    std::lock_guard<std::mutex> lock(series_lock(id));
    // A series without a series record has no committed sample either.
    if (!s->logged.load() && s->empty()) return;
    written.insert(id);
    std::string& o = series_part;
    put_uvarint(&o, id);
    put_fixed64(&o, s->hash);
    o.push_back(char(s->flags & MemSeries::kHasTombstones));
    put_uvarint(&o, s->num_labels());
    s->for_each_label([&](uint32_t n, uint32_t v) {
      put_uvarint(&o, n);
      put_uvarint(&o, v);
    });
    put_chunks(&o, s->sealed);
    o.push_back(char(!s->open.empty()));
    if (!s->open.empty()) {
      put_lenstr(&o, s->open.bytes());
      put_fixed64(&o, uint64_t(s->open.t));
      put_fixed64(&o, s->open.v_bits);
      put_fixed32(&o, uint32_t(s->open.t_delta));
      o.push_back(char(s->open.n));
      o.push_back(char(s->open.free_bits));
      o.push_back(char(s->open.leading));
      o.push_back(char(s->open.trailing));
    }
    const OooChunks* ooo = s->ooo();
    o.push_back(char(ooo != nullptr));
    if (ooo) {
      put_uvarint(&o, ooo->open.size());
      for (const auto& e : ooo->open) {
        put_varint(&o, e.t);
        put_fixed64(&o, e.bits);
      }
      put_chunks(&o, ooo->sealed);
    }
    ++h.num_series;
    if (++in_part == kSeriesPerSection) end_part();
  });
  if (in_part > 0) end_part();

  // The postings, one section per label name, so that loading copies lists
  // instead of re-deriving ~10 list entries per series.
  std::vector<std::string> postings_sections;
  {
    std::string body;
    uint32_t cur_name = 0;
    uint64_t nvalues = 0;
    std::vector<uint32_t> ids;
    auto end_name = [&] {
      if (nvalues == 0) return;
      std::string p;
      put_uvarint(&p, cur_name);
      put_uvarint(&p, nvalues);
      p += body;
      postings_sections.push_back(std::move(p));
      body.clear();
      nvalues = 0;
    };
    postings_.for_each_list([&](uint32_t name, uint32_t value, const PostingList& list) {
      if (name != cur_name) end_name();
      cur_name = name;
      ids.clear();
      // Series left out above (never logged) drop out of their lists too.
      for (uint32_t id : list)
        if (written.contains(id)) ids.push_back(id);
      if (ids.empty()) return;
      put_uvarint(&body, value);
      put_uvarint(&body, ids.size());
      for (uint32_t id : ids) put_fixed32(&body, id);
      ++nvalues;
    });
    end_name();
  }

  put_fixed32(&payload, h.wal_segment);
  put_fixed64(&payload, h.wal_offset);
  put_fixed32(&payload, h.next_id);
  put_fixed64(&payload, uint64_t(h.min_time));
  put_fixed64(&payload, uint64_t(h.max_time));
  put_fixed64(&payload, uint64_t(h.min_valid_time));
  put_fixed64(&payload, h.num_series);
  put_fixed32(&payload, uint32_t(series_sections.size()));
  put_fixed64(&payload, hash_labels(std::span<const LabelView>(kProbeLabels)));
  put_fixed32(&payload, uint32_t(postings_sections.size()));
  STRATA_RETURN_IF_ERROR(section(SnapshotSection::kHeader));

  // Every interned string, by id (series refer to them by id).
  size_t nsyms = symbols_.size();
  put_uvarint(&payload, nsyms);
  for (size_t i = 0; i < nsyms; ++i) put_lenstr(&payload, symbols_.get(uint32_t(i)));
  STRATA_RETURN_IF_ERROR(section(SnapshotSection::kSymbols));

  for (std::string& p : series_sections) {
    payload.swap(p);
    STRATA_RETURN_IF_ERROR(section(SnapshotSection::kSeries));
    std::string().swap(p);
  }
  for (std::string& p : postings_sections) {
    payload.swap(p);
    STRATA_RETURN_IF_ERROR(section(SnapshotSection::kPostings));
    std::string().swap(p);
  }
  {
    std::lock_guard<std::mutex> lock(tomb_mu_);
    put_uvarint(&payload, tombstones_.size());
    for (const auto& [id, ivs] : tombstones_) {
      put_uvarint(&payload, id);
      put_uvarint(&payload, ivs.size());
      for (const Interval& iv : ivs) {
        put_varint(&payload, iv.mint_ms);
        put_varint(&payload, iv.maxt_ms);
      }
    }
  }
  STRATA_RETURN_IF_ERROR(section(SnapshotSection::kTombstones));
  auto md = metadata_.snapshot();
  put_uvarint(&payload, md.size());
  for (const auto& [family, m] : md) {
    put_lenstr(&payload, family);
    put_lenstr(&payload, m.type);
    put_lenstr(&payload, m.help);
    put_lenstr(&payload, m.unit);
  }
  STRATA_RETURN_IF_ERROR(section(SnapshotSection::kMetadata));
  put_uvarint(&payload, sections);
  STRATA_RETURN_IF_ERROR(section(SnapshotSection::kEnd));
  STRATA_RETURN_IF_ERROR(flush());
  uint64_t bytes = f->size();
  STRATA_RETURN_IF_ERROR(f->sync());
  STRATA_RETURN_IF_ERROR(f->close());
  STRATA_RETURN_IF_ERROR(fs->rename(tmp, snapshot_path()));
  cleanup.done = true;
  STRATA_RETURN_IF_ERROR(fs->sync_dir(opts_.dir));
  log::info("tsdb", "Head snapshot written",
            {{"series", h.num_series},
             {"wal_segment", wal_segment_name(h.wal_segment)},
             {"wal_offset", h.wal_offset},
             {"bytes", bytes},
             {"duration", std::to_string(monotonic_seconds() - t0) + "s"}});
  return absl::OkStatus();
}

std::optional<uint32_t> Head::load_snapshot() {
  FileSystem* fs = opts_.fs;
  std::string path = snapshot_path();
  if (!fs->exists(path)) return std::nullopt;
  double t0 = monotonic_seconds();
  auto reject = [&](std::string_view why) -> std::optional<uint32_t> {
    log::warn("tsdb", "Head snapshot not used, replaying the whole WAL",
              {{"file", path}, {"reason", why}});
    (void)remove_snapshot();
    return std::nullopt;
  };
  auto mapped = fs->map(path);
  if (!mapped.ok()) return reject(std::string(mapped.status().message()));
  std::string_view data = (*mapped)->data();
  if (data.size() < 5 || get_fixed32(data.data()) != kHeadSnapshotMagic)
    return reject("bad magic number");
  if (uint8_t(data[4]) != kHeadSnapshotVersion)
    return reject("unsupported version " + std::to_string(uint8_t(data[4])));

  // Frames, each checked against its CRC.
  struct Frame {
    SnapshotSection type;
    std::string_view payload;
  };
  std::vector<Frame> frames;
  for (size_t off = 5; off < data.size();) {
    if (data.size() - off < kFrameHeader) return reject("torn section header");
    uint8_t t = uint8_t(data[off]);
    uint32_t len = get_fixed32(data.data() + off + 1);
    uint32_t crc = get_fixed32(data.data() + off + 5);
    if (data.size() - off - kFrameHeader < len) return reject("torn section");
    std::string_view p = data.substr(off + kFrameHeader, len);
    if (crc32c_extend(crc32c_extend(0, &t, 1), p.data(), p.size()) != crc)
      return reject("checksum mismatch at offset " + std::to_string(off));
    frames.push_back({SnapshotSection(t), p});
    off += kFrameHeader + len;
  }
  // header, symbols, series..., tombstones, metadata, end.
  if (frames.size() < 5 || frames[0].type != SnapshotSection::kHeader ||
      frames[1].type != SnapshotSection::kSymbols || frames.back().type != SnapshotSection::kEnd)
    return reject("missing sections");
  Header h;
  uint32_t n_series_sections, n_postings_sections;
  {
    std::string_view p = frames[0].payload;
    if (p.size() != 4 + 8 + 4 + 8 * 4 + 4 + 8 + 4) return reject("malformed header");
    const char* q = p.data();
    h.wal_segment = get_fixed32(q);
    h.wal_offset = get_fixed64(q + 4);
    h.next_id = get_fixed32(q + 12);
    h.min_time = int64_t(get_fixed64(q + 16));
    h.max_time = int64_t(get_fixed64(q + 24));
    h.min_valid_time = int64_t(get_fixed64(q + 32));
    h.num_series = get_fixed64(q + 40);
    n_series_sections = get_fixed32(q + 48);
    if (get_fixed64(q + 52) != hash_labels(std::span<const LabelView>(kProbeLabels)))
      return reject("written by a build that hashes labels differently");
    n_postings_sections = get_fixed32(q + 60);
  }
  if (frames.size() != size_t(n_series_sections) + n_postings_sections + 5)
    return reject("missing sections");
  for (uint32_t i = 0; i < n_series_sections; ++i)
    if (frames[2 + i].type != SnapshotSection::kSeries) return reject("missing sections");
  const size_t postings_at = 2 + n_series_sections;
  for (uint32_t i = 0; i < n_postings_sections; ++i)
    if (frames[postings_at + i].type != SnapshotSection::kPostings)
      return reject("missing sections");
  const Frame& tomb_frame = frames[postings_at + n_postings_sections];
  const Frame& md_frame = frames[postings_at + n_postings_sections + 1];
  if (tomb_frame.type != SnapshotSection::kTombstones ||
      md_frame.type != SnapshotSection::kMetadata)
    return reject("missing sections");
  {
    Cursor c{frames.back().payload.data(), frames.back().payload.data() + frames.back().payload.size()};
    if (c.uv() != frames.size() - 1 || !c.ok) return reject("malformed end section");
  }

  // The WAL must still hold exactly what the snapshot covers: the covered
  // segment unchanged (a repaired or rewritten one differs in size), no
  // checkpoint past it, and no block newer than the snapshot's data.
  std::string wal_dir = join_path(opts_.dir, "wal");
  auto segs = list_wal_segments(fs, wal_dir);
  if (!segs.ok()) return reject(std::string(segs.status().message()));
  if (!std::binary_search(segs->begin(), segs->end(), h.wal_segment))
    return reject("WAL segment " + wal_segment_name(h.wal_segment) + " is gone");
  auto size = fs->file_size(join_path(wal_dir, wal_segment_name(h.wal_segment)));
  if (!size.ok() || *size != h.wal_offset)
    return reject("WAL segment " + wal_segment_name(h.wal_segment) + " changed size");
  auto cp = find_checkpoint(fs, wal_dir);
  if (!cp.ok()) return reject(std::string(cp.status().message()));
  if (*cp && **cp >= h.wal_segment) return reject("a WAL checkpoint is newer than the snapshot");
  if (h.min_valid_time < opts_.min_valid_time_ms)
    return reject("a block is newer than the snapshot");

  double t_checked = monotonic_seconds();
  // Decode everything before the head changes.
  std::vector<std::string_view> syms;
  {
    Cursor c{frames[1].payload.data(), frames[1].payload.data() + frames[1].payload.size()};
    uint64_t n = c.uv();
    if (!c.ok || n > frames[1].payload.size()) return reject("malformed symbols section");
    syms.reserve(n);
    for (uint64_t i = 0; i < n && c.ok; ++i) syms.push_back(c.str());
    if (!c.ok || c.p != c.end) return reject("malformed symbols section");
  }
  // Pass 1, without allocating per series: is every section sound? Also
  // collects the label names, for the index.
  struct Part {
    bool ok = false;
    uint64_t count = 0, labels = 0;
    int64_t first = -1, last = -1;
    std::vector<uint32_t> ids;
    std::vector<MemSeries*> series;
  };
  std::vector<Part> parts(n_series_sections);
  parallel_for(n_series_sections, [&](size_t i) {
    Part& pt = parts[i];
    pt.ok = parse_series(frames[2 + i].payload, syms.size(), h.next_id, [&](const SnapSeries& x) {
      if (pt.first < 0) pt.first = x.id;
      pt.last = x.id;
      ++pt.count;
      pt.labels += x.labels.size();
      pt.ids.push_back(x.id);
    });
  });
  uint64_t total = 0;
  int64_t prev_last = -1;
  for (uint32_t i = 0; i < n_series_sections; ++i) {
    if (!parts[i].ok) return reject("malformed series section " + std::to_string(i));
    if (parts[i].count == 0) continue;
    if (parts[i].first <= prev_last) return reject("series out of order");
    prev_last = parts[i].last;
    total += parts[i].count;
  }
  if (total != h.num_series) return reject("series count mismatch");
  // Which ids the series sections hold.
  IdSet present;
  for (const Part& pt : parts)
    for (uint32_t id : pt.ids) present.insert(id);
  // The postings: every list sorted, of series the snapshot holds, and as
  // many entries as the series have labels.
  struct NameLists {
    bool ok = false;
    uint32_t name = 0;
    uint64_t entries = 0;
    std::vector<std::pair<uint32_t, PostingList>> values;  // snapshot symbol index
  };
  std::vector<NameLists> lists(n_postings_sections);
  parallel_for(n_postings_sections, [&](size_t i) {
    NameLists& nl = lists[i];
    std::string_view p = frames[postings_at + i].payload;
    Cursor c{p.data(), p.data() + p.size()};
    uint64_t name = c.uv(), nvalues = c.uv();
    if (!c.ok || name >= syms.size() || nvalues > p.size()) return;
    nl.name = uint32_t(name);
    nl.values.resize(nvalues);
    for (auto& [value, list] : nl.values) {
      uint64_t v = c.uv(), n = c.uv();
      if (!c.ok || v >= syms.size() || n == 0 || n > uint64_t(c.end - c.p) / 4) return;
      value = uint32_t(v);
      list.resize(n);
      std::memcpy(list.data(), c.p, n * 4);  // little endian, as every format here
      c.p += n * 4;
      for (size_t k = 0; k < n; ++k) {
        if (!present.contains(list[k]) || (k > 0 && list[k] <= list[k - 1]))
          return;
      }
      nl.entries += n;
    }
    nl.ok = c.ok && c.p == c.end;
  });
  {
    uint64_t labels = 0, entries = 0;
    for (const Part& pt : parts) labels += pt.labels;
    std::vector<uint32_t> seen;
    for (const NameLists& nl : lists) {
      if (!nl.ok) return reject("malformed postings section");
      entries += nl.entries;
      seen.push_back(nl.name);
    }
    std::sort(seen.begin(), seen.end());
    if (std::adjacent_find(seen.begin(), seen.end()) != seen.end())
      return reject("a label name has two postings sections");
    if (entries != labels) return reject("postings do not match the series' labels");
  }
  std::vector<std::pair<uint32_t, Interval>> tombs;
  {
    Cursor c{tomb_frame.payload.data(), tomb_frame.payload.data() + tomb_frame.payload.size()};
    uint64_t n = c.uv();
    for (uint64_t i = 0; i < n && c.ok; ++i) {
      uint64_t id = c.uv(), m = c.uv();
      for (uint64_t j = 0; j < m && c.ok; ++j) {
        Interval iv{c.sv(), c.sv()};
        if (id < h.next_id) tombs.push_back({uint32_t(id), iv});
      }
    }
    if (!c.ok || c.p != c.end) return reject("malformed tombstones section");
  }
  std::vector<std::pair<std::string_view, MetricMetadata>> md;
  {
    Cursor c{md_frame.payload.data(), md_frame.payload.data() + md_frame.payload.size()};
    uint64_t n = c.uv();
    for (uint64_t i = 0; i < n && c.ok; ++i) {
      std::string_view family = c.str();
      MetricMetadata m;
      m.type = std::string(c.str());
      m.help = std::string(c.str());
      m.unit = std::string(c.str());
      md.push_back({family, std::move(m)});
    }
    if (!c.ok || c.p != c.end) return reject("malformed metadata section");
  }

  double t_decoded = monotonic_seconds();
  // Build. Nothing below fails.
  std::vector<uint32_t> sym_ids(syms.size());
  symbols_.reserve(syms.size());
  if (!syms.empty()) symbols_.intern_all(syms.data(), syms.size(), sym_ids.data());
  {
    std::lock_guard<std::mutex> lock(create_mu_);
    // Pages exist before the builders run, so they can fill them in
    // parallel: the pages of the ids held, not every page below next_id.
    for (const Part& pt : parts)
      for (uint32_t id : pt.ids) set_by_id(id, nullptr);
    // Ids of series removed before the snapshot are never handed out again:
    // the WAL before the snapshot may still name them.
    next_id_.store(std::max(next_id_.load(), h.next_id), std::memory_order_release);
  }
  // Pass 2: the series themselves.
  std::atomic<int64_t> chunks{0};
  parallel_for(n_series_sections, [&](size_t i) {
    Part& pt = parts[i];
    pt.series.reserve(pt.count);
    int64_t nchunks = 0;
    parse_series(frames[2 + i].payload, syms.size(), h.next_id, [&](SnapSeries& x) {
      for (auto& [a, b] : x.labels) {
        a = sym_ids[a];
        b = sym_ids[b];
      }
      MemSeries* s = MemSeries::create(x.id, x.hash, x.labels);
      s->flags = x.flags;
      s->logged.store(true, std::memory_order_relaxed);
      for (const SnapChunk& c : x.sealed)
        s->sealed.push_back({c.mint, c.maxt, ChunkBuf::copy_of(c.bytes, c.encoding)});
      if (x.has_open) {
        s->open = x.open_state;
        s->open.buf = ChunkBuf::copy_of(x.open_bytes);
      }
      if (x.has_ooo) {
        auto* o = new OooChunks();
        o->open = x.ooo_open;
        for (const SnapChunk& c : x.ooo_sealed)
          o->sealed.push_back({c.mint, c.maxt, ChunkBuf::copy_of(c.bytes, c.encoding)});
        s->adopt_ooo(o);
      }
      nchunks += s->num_chunks();
      set_by_id(x.id, s);
      pt.series.push_back(s);
    });
    chunks.fetch_add(nchunks);
  });
  double t_built = monotonic_seconds();
  // Then the hash sets, grouped by stripe (each set sized once, no lock
  // taken twice), and the postings, by label name: four independent tasks.
  std::vector<MemSeries*> by_stripe(h.num_series);
  const uint32_t stripes = stripe_mask_ + 1;
  std::vector<uint32_t> stripe_end(stripes + 1, 0);
  for (const Part& pt : parts)
    for (MemSeries* s : pt.series) ++stripe_end[stripe_of(s->hash) + 1];
  for (uint32_t i = 0; i < stripes; ++i) stripe_end[i + 1] += stripe_end[i];
  {
    std::vector<uint32_t> fill(stripe_end.begin(), stripe_end.end() - 1);
    for (const Part& pt : parts)
      for (MemSeries* s : pt.series) by_stripe[fill[stripe_of(s->hash)]++] = s;
  }
  std::vector<uint32_t> names;
  for (const NameLists& nl : lists) names.push_back(sym_ids[nl.name]);
  postings_.add_names(names);
  std::vector<uint32_t> ids;
  ids.reserve(h.num_series);
  for (const Part& pt : parts)
    for (MemSeries* s : pt.series) ids.push_back(s->id);
  postings_.add_all(ids);
  parallel_for(2 + lists.size(), [&](size_t task) {
    if (task < 2) {
      for (uint32_t st = uint32_t(task) * stripes / 2; st < uint32_t(task + 1) * stripes / 2; ++st) {
        HashStripe& stripe = hash_stripes_[st];
        std::lock_guard<std::mutex> lock(stripe.mu);
        stripe.set.reserve(stripe.set.size() + stripe_end[st + 1] - stripe_end[st]);
        for (uint32_t k = stripe_end[st]; k < stripe_end[st + 1]; ++k) stripe.set.insert(by_stripe[k]);
      }
      return;
    }
    NameLists& nl = lists[task - 2];
    HeadPostings::ValueLists values;
    values.reserve(nl.values.size());
    for (auto& [v, list] : nl.values) values.emplace(sym_ids[v], std::move(list));
    postings_.set_values(sym_ids[nl.name], std::move(values));
  });
  double t_indexed = monotonic_seconds();
  {
    std::lock_guard<std::mutex> lock(tomb_mu_);
    for (const auto& [id, iv] : tombs) tombstones_[id].push_back(iv);
  }
  for (const auto& [family, m] : md) metadata_.update(std::string(family), m);
  num_series_.fetch_add(h.num_series);
  counters_.series_created->inc(double(h.num_series));
  add_chunks(int(chunks.load()));
  int64_t cur = min_valid_time_.load();
  while (h.min_valid_time > cur && !min_valid_time_.compare_exchange_weak(cur, h.min_valid_time)) {
  }
  // The head was empty: take its time bounds as they were (after a
  // truncation min time is the truncation point, not a sample's time).
  min_time_.store(h.min_time);
  max_time_.store(h.max_time);
  log::info("tsdb", "Head snapshot loaded",
            {{"series", h.num_series},
             {"wal_segment", wal_segment_name(h.wal_segment)},
             {"check", std::to_string(t_checked - t0) + "s"},
             {"decode", std::to_string(t_decoded - t_checked) + "s"},
             {"build", std::to_string(t_built - t_decoded) + "s"},
             {"index", std::to_string(t_indexed - t_built) + "s"},
             {"duration", std::to_string(monotonic_seconds() - t0) + "s"}});
  return h.wal_segment;
}

}  // namespace strata::tsdb
