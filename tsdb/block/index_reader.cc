#include "tsdb/block/index_reader.h"

#include <algorithm>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status.h"

namespace strata::tsdb {
namespace {

const char* kSectionNames[kIndexSections] = {"symbols", "series", "series offsets", "postings",
                                             "postings table"};

absl::Status corrupt(const std::string& what) { return absl::DataLossError("index: " + what); }

}  // namespace

absl::StatusOr<std::unique_ptr<IndexReader>> IndexReader::open(FileSystem* fs,
                                                               const std::string& path) {
  auto m = fs->map(path);
  if (!m.ok()) return annotate(m.status(), "mapping index");
  std::unique_ptr<IndexReader> r(new IndexReader());
  r->map_ = std::shared_ptr<MappedFile>(std::move(*m));
  r->data_ = r->map_->data();
  STRATA_RETURN_IF_ERROR(r->parse());
  return r;
}

absl::StatusOr<std::unique_ptr<IndexReader>> IndexReader::from_bytes(std::string_view bytes) {
  std::unique_ptr<IndexReader> r(new IndexReader());
  r->data_ = bytes;
  STRATA_RETURN_IF_ERROR(r->parse());
  return r;
}

absl::Status IndexReader::parse() {
  const std::string_view d = data_;
  if (d.size() < kIndexHeaderSize + kIndexTocSize || get_be32(d.data()) != kIndexMagic) {
    return corrupt("bad magic or file too short");
  }
  if (uint8_t(d[4]) != kIndexVersion) {
    return corrupt("unsupported version " + std::to_string(uint8_t(d[4])));
  }
  const char* toc = d.data() + d.size() - kIndexTocSize;
  if (crc32c(std::string_view(toc, kIndexSections * 8)) != get_fixed32(toc + kIndexSections * 8)) {
    return corrupt("table of contents checksum mismatch");
  }
  if (d[5] != 0 || d[6] != 0 || d[7] != 0) return corrupt("reserved header bytes are not zero");
  std::string_view sec[kIndexSections];
  uint64_t covered = kIndexHeaderSize;  // sections are in file order
  for (int i = 0; i < kIndexSections; ++i) {
    uint64_t off = get_fixed64(toc + 8 * i);
    // Compared without adding to `off`, which may be near 2^64.
    if (off < kIndexHeaderSize || off % 8 != 0 || off > d.size() - kIndexTocSize - 8) {
      return corrupt(std::string(kSectionNames[i]) + " section offset out of range");
    }
    uint32_t len = get_fixed32(d.data() + off);
    if (off + 8 + len > d.size() - kIndexTocSize) {
      return corrupt(std::string(kSectionNames[i]) + " section extends past the end");
    }
    // Only zero padding (< 8 bytes) may sit between sections.
    if (off < covered || off - covered >= 8 ||
        d.substr(covered, off - covered).find_first_not_of('\0') != std::string_view::npos) {
      return corrupt(std::string(kSectionNames[i]) + " section misplaced");
    }
    covered = off + 8 + len;
    sec[i] = d.substr(off + 4, len);
    if (crc32c(sec[i]) != get_fixed32(d.data() + off + 4 + len)) {
      return corrupt(std::string(kSectionNames[i]) + " section checksum mismatch");
    }
  }
  if (covered != d.size() - kIndexTocSize) return corrupt("unexpected bytes before the table of contents");
  // Symbols.
  const char* p = sec[0].data();
  const char* end = p + sec[0].size();
  uint64_t n;
  if (!get_uvarint(&p, end, &n) || n > sec[0].size()) return corrupt("bad symbol count");
  symbols_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view s;
    if (!get_lenstr(&p, end, &s)) return corrupt("truncated symbol table");
    symbols_.push_back(s);
  }
  series_ = sec[1];
  if (sec[2].size() < 4) return corrupt("bad series offsets");
  num_series_ = get_fixed32(sec[2].data());
  if (sec[2].size() != 4 + 8 * uint64_t(num_series_)) return corrupt("bad series offsets size");
  series_offsets_ = sec[2].data() + 4;
  postings_ = sec[3];
  // Postings table.
  p = sec[4].data();
  end = p + sec[4].size();
  uint64_t names, off = 0;
  // Each entry takes at least two bytes: a corrupt count must not reserve gigabytes.
  if (!get_uvarint(&p, end, &names) || names > uint64_t(end - p)) return corrupt("bad postings table");
  table_.reserve(names);
  for (uint64_t i = 0; i < names; ++i) {
    uint64_t name, count;
    if (!get_uvarint(&p, end, &name) || name >= symbols_.size() || !get_uvarint(&p, end, &count) ||
        count > uint64_t(end - p)) {
      return corrupt("bad postings table entry");
    }
    // values() and postings() binary-search the table: names and each
    // name's values must be strictly increasing.
    if (!table_.empty() && table_.back().name >= symbols_[name]) {
      return corrupt("postings table names not sorted");
    }
    NameEntry e{symbols_[name], {}};
    e.values.reserve(count);
    for (uint64_t k = 0; k < count; ++k) {
      uint64_t value, delta;
      if (!get_uvarint(&p, end, &value) || value >= symbols_.size() ||
          !get_uvarint(&p, end, &delta)) {
        return corrupt("bad postings table value");
      }
      if (!e.values.empty() && e.values.back().value >= symbols_[value]) {
        return corrupt("postings table values not sorted");
      }
      off += delta;
      // Compared by subtraction: off + 4 could wrap past the bound.
      if (off % 4 != 0 || postings_.size() < 4 || off > postings_.size() - 4 ||
          4 * uint64_t(get_fixed32(postings_.data() + off)) > postings_.size() - 4 - off) {
        return corrupt("postings offset out of range");
      }
      e.values.push_back({symbols_[value], off});
    }
    table_.push_back(std::move(e));
  }
  return absl::OkStatus();
}

std::vector<std::string_view> IndexReader::label_names() const {
  std::vector<std::string_view> out;
  out.reserve(table_.size());
  for (const auto& e : table_) out.push_back(e.name);
  return out;
}

const std::vector<IndexReader::ValueEntry>* IndexReader::values(std::string_view name) const {
  auto it = std::lower_bound(table_.begin(), table_.end(), name,
                             [](const NameEntry& e, std::string_view n) { return e.name < n; });
  if (it == table_.end() || it->name != name) return nullptr;
  return &it->values;
}

std::span<const uint32_t> IndexReader::postings_at(uint64_t offset) const {
  const char* p = postings_.data() + offset;
  uint32_t count = get_fixed32(p);
  // The section payload starts 4 bytes after an 8-aligned offset of a
  // page-aligned mapping, and every list is a multiple of 4 bytes long.
  return {reinterpret_cast<const uint32_t*>(p + 4), count};
}

std::span<const uint32_t> IndexReader::postings(std::string_view name, std::string_view value) const {
  const auto* vs = values(name);
  if (!vs) return {};
  auto it = std::lower_bound(vs->begin(), vs->end(), value,
                             [](const ValueEntry& e, std::string_view v) { return e.value < v; });
  if (it == vs->end() || it->value != value) return {};
  return postings_at(it->offset);
}

absl::Status IndexReader::series(uint32_t id, Labels* labels, std::vector<ChunkMeta>* chunks) const {
  if (id >= num_series_) return corrupt("series id " + std::to_string(id) + " out of range");
  uint64_t off = get_fixed64(series_offsets_ + 8 * uint64_t(id));
  if (off >= series_.size()) return corrupt("series offset out of range");
  const char* p = series_.data() + off;
  const char* end = series_.data() + series_.size();
  uint64_t n;
  if (!get_uvarint(&p, end, &n) || n > uint64_t(end - p)) return corrupt("bad series entry");
  if (labels) {
    std::vector<Label> ls;
    ls.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t a, b;
      if (!get_uvarint(&p, end, &a) || !get_uvarint(&p, end, &b) || a >= symbols_.size() ||
          b >= symbols_.size()) {
        return corrupt("bad label ref in series " + std::to_string(id));
      }
      // Labels must be sorted by name, and names unique (Labels' invariant).
      if (!ls.empty() && ls.back().name >= symbols_[a]) {
        return corrupt("labels of series " + std::to_string(id) + " not sorted");
      }
      ls.push_back({std::string(symbols_[a]), std::string(symbols_[b])});
    }
    *labels = Labels(std::move(ls));
  } else {
    for (uint64_t i = 0; i < 2 * n; ++i) {
      uint64_t a;
      if (!get_uvarint(&p, end, &a)) return corrupt("bad label ref");
    }
  }
  if (!chunks) return absl::OkStatus();
  chunks->clear();
  uint64_t nc;
  if (!get_uvarint(&p, end, &nc) || nc > uint64_t(end - p)) return corrupt("bad chunk count");
  chunks->reserve(nc);
  for (uint64_t i = 0; i < nc; ++i) {
    ChunkMeta c;
    uint64_t span, ref;
    if (i == 0) {
      int64_t mint;
      if (!get_varint(&p, end, &mint) || !get_uvarint(&p, end, &span) ||
          !get_uvarint(&p, end, &ref)) {
        return corrupt("bad chunk meta");
      }
      c.mint_ms = mint;
      c.ref = ref;
    } else {
      uint64_t gap;
      int64_t dref;
      if (!get_uvarint(&p, end, &gap) || !get_uvarint(&p, end, &span) ||
          !get_varint(&p, end, &dref)) {
        return corrupt("bad chunk meta");
      }
      if (gap > uint64_t(INT64_MAX) ||
          __builtin_add_overflow(chunks->back().maxt_ms, int64_t(gap), &c.mint_ms)) {
        return corrupt("chunk times out of range");
      }
      c.ref = chunks->back().ref + uint64_t(dref);
    }
    // Overflowing times are corrupt, not undefined behaviour.
    if (span > uint64_t(INT64_MAX) ||
        __builtin_add_overflow(c.mint_ms, int64_t(span), &c.maxt_ms)) {
      return corrupt("chunk times out of range");
    }
    chunks->push_back(c);
  }
  return absl::OkStatus();
}

}  // namespace strata::tsdb
