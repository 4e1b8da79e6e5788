#include "tsdb/promblock/prom_index.h"

#include <algorithm>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status.h"

namespace strata::tsdb::prom {
namespace {

constexpr size_t kTocSize = 6 * 8 + 4;  // six section refs and their CRC32
constexpr size_t kHeaderSize = 5;       // magic and version

uint64_t get_be64(const char* p) {
  return (uint64_t(get_be32(p)) << 32) | get_be32(p + 4);
}

}  // namespace

absl::Status PromIndex::error(uint64_t offset, std::string_view what) const {
  return absl::DataLossError(path_ + ": offset " + std::to_string(offset) + ": " +
                             std::string(what));
}

absl::StatusOr<std::unique_ptr<PromIndex>> PromIndex::open(FileSystem* fs,
                                                           const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, fs->map(path));
  return open(std::move(file), path);
}

absl::StatusOr<std::unique_ptr<PromIndex>> PromIndex::open(std::unique_ptr<MappedFile> file,
                                                           const std::string& path) {
  std::unique_ptr<PromIndex> ix(new PromIndex());
  ix->path_ = path;
  ix->file_ = std::move(file);
  ix->data_ = ix->file_->data();
  const std::string_view d = ix->data_;
  if (d.size() < kHeaderSize + kTocSize) return ix->error(0, "file too short for an index");
  if (get_be32(d.data()) != kIndexMagic) return ix->error(0, "not a Prometheus index (bad magic)");
  const uint8_t version = uint8_t(d[4]);
  if (version != kIndexVersion2) {
    return absl::UnimplementedError(path + ": index format version " + std::to_string(version) +
                                    " is not supported (only version 2, which current Prometheus "
                                    "2.x releases write)");
  }
  const size_t toc = d.size() - kTocSize;
  if (crc32c(d.substr(toc, 48)) != get_be32(d.data() + toc + 48)) {
    return ix->error(toc, "table of contents checksum mismatch");
  }
  const uint64_t symbols_off = get_be64(d.data() + toc);
  const uint64_t postings_table_off = get_be64(d.data() + toc + 40);
  STRATA_RETURN_IF_ERROR(ix->read_symbols(symbols_off));
  STRATA_RETURN_IF_ERROR(ix->read_postings_table(postings_table_off));
  return ix;
}

absl::StatusOr<std::string_view> PromIndex::section(uint64_t off, std::string_view what) const {
  if (off < kHeaderSize || off > data_.size() || data_.size() - off < 8) {
    return error(off, std::string(what) + " section out of bounds");
  }
  const uint64_t len = get_be32(data_.data() + off);
  if (len > data_.size() - off - 8) return error(off, std::string(what) + " length out of bounds");
  std::string_view body = data_.substr(off + 4, len);
  if (crc32c(body) != get_be32(data_.data() + off + 4 + len)) {
    return error(off, std::string(what) + " checksum mismatch");
  }
  return body;
}

absl::Status PromIndex::read_symbols(uint64_t off) {
  if (off == 0) return absl::OkStatus();  // no symbols: an empty block
  STRATA_ASSIGN_OR_RETURN(std::string_view body, section(off, "symbol table"));
  if (body.size() < 4) return error(off, "symbol table too short");
  const uint32_t n = get_be32(body.data());
  // Each symbol takes at least its one-byte length, which bounds the count.
  if (n > body.size() - 4) return error(off, "symbol count exceeds the section");
  symbols_.reserve(n);
  const char* p = body.data() + 4;
  const char* end = body.data() + body.size();
  for (uint32_t i = 0; i < n; ++i) {
    std::string_view s;
    if (!get_lenstr(&p, end, &s)) {
      return error(off + 4 + (p - body.data()), "truncated symbol " + std::to_string(i));
    }
    symbols_.push_back(s);
  }
  return absl::OkStatus();
}

absl::Status PromIndex::read_postings_table(uint64_t off) {
  if (off == 0) return absl::OkStatus();
  STRATA_ASSIGN_OR_RETURN(std::string_view body, section(off, "postings offset table"));
  if (body.size() < 4) return error(off, "postings offset table too short");
  const uint32_t n = get_be32(body.data());
  // An entry takes at least 4 bytes (n, two lengths, the offset).
  if (n > (body.size() - 4) / 4) return error(off, "postings entry count exceeds the section");
  postings_.reserve(n);
  const char* p = body.data() + 4;
  const char* end = body.data() + body.size();
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t at = off + 4 + (p - body.data());
    PostingsEntry e;
    if (p >= end || *p != 2) return error(at, "postings offset entry does not hold 2 strings");
    ++p;
    if (!get_lenstr(&p, end, &e.name) || !get_lenstr(&p, end, &e.value) ||
        !get_uvarint(&p, end, &e.offset)) {
      return error(at, "truncated postings offset entry");
    }
    if (!postings_.empty()) {
      const PostingsEntry& b = postings_.back();
      if (std::tie(b.name, b.value) >= std::tie(e.name, e.value)) {
        return error(at, "postings offset table not sorted");
      }
    }
    postings_.push_back(e);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string_view> PromIndex::symbol(uint64_t ref, uint64_t at) const {
  if (ref >= symbols_.size()) {
    return error(at, "symbol reference " + std::to_string(ref) + " out of range");
  }
  return symbols_[ref];
}

absl::Status PromIndex::series(uint32_t id, Labels* labels,
                               std::vector<PromChunkMeta>* chunks) const {
  const uint64_t off = uint64_t(id) * 16;
  if (off < kHeaderSize || off >= data_.size()) return error(off, "series reference out of bounds");
  const char* p = data_.data() + off;
  const char* file_end = data_.data() + data_.size();
  uint64_t len;
  if (!get_uvarint(&p, file_end, &len) || len > uint64_t(file_end - p) ||
      uint64_t(file_end - p) - len < 4) {
    return error(off, "series length out of bounds");
  }
  std::string_view body(p, len);
  if (crc32c(body) != get_be32(p + len)) return error(off, "series checksum mismatch");
  const char* end = p + len;

  uint64_t nlabels;
  if (!get_uvarint(&p, end, &nlabels) || nlabels > len / 2) {
    return error(off, "bad series label count");
  }
  std::vector<Label> items;
  if (labels) items.reserve(nlabels);
  for (uint64_t i = 0; i < nlabels; ++i) {
    uint64_t n, v;
    if (!get_uvarint(&p, end, &n) || !get_uvarint(&p, end, &v)) {
      return error(off, "truncated series labels");
    }
    if (!labels) continue;
    STRATA_ASSIGN_OR_RETURN(std::string_view name, symbol(n, off));
    STRATA_ASSIGN_OR_RETURN(std::string_view value, symbol(v, off));
    if (!items.empty() && items.back().name >= name) {
      return error(off, "series labels not sorted by name");
    }
    items.push_back({std::string(name), std::string(value)});
  }
  if (labels) *labels = Labels(std::move(items));
  if (!chunks) return absl::OkStatus();

  chunks->clear();
  uint64_t nchunks;
  // A chunk takes at least 3 bytes (three varints).
  if (!get_uvarint(&p, end, &nchunks) || nchunks > uint64_t(end - p) / 3) {
    return error(off, "bad series chunk count");
  }
  chunks->reserve(nchunks);
  int64_t prev_maxt = 0;
  uint64_t prev_ref = 0;
  for (uint64_t i = 0; i < nchunks; ++i) {
    PromChunkMeta m{0, 0, 0};
    uint64_t span = 0;
    bool ok;
    if (i == 0) {
      ok = get_varint(&p, end, &m.mint_ms) && get_uvarint(&p, end, &span) &&
           get_uvarint(&p, end, &m.ref);
    } else {
      uint64_t gap = 0;
      int64_t ref_delta = 0;
      ok = get_uvarint(&p, end, &gap) && get_uvarint(&p, end, &span) &&
           get_varint(&p, end, &ref_delta);
      m.mint_ms = int64_t(uint64_t(prev_maxt) + gap);
      m.ref = prev_ref + uint64_t(ref_delta);
    }
    if (!ok) return error(off, "truncated chunk metadata of chunk " + std::to_string(i));
    m.maxt_ms = int64_t(uint64_t(m.mint_ms) + span);
    if (m.maxt_ms < m.mint_ms) return error(off, "chunk time range overflows");
    prev_maxt = m.maxt_ms;
    prev_ref = m.ref;
    chunks->push_back(m);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint32_t>> PromIndex::postings(std::string_view name,
                                                          std::string_view value) const {
  auto it = std::lower_bound(postings_.begin(), postings_.end(), std::pair(name, value),
                             [](const PostingsEntry& e, const std::pair<std::string_view,
                                                                        std::string_view>& k) {
                               return std::tie(e.name, e.value) < std::tie(k.first, k.second);
                             });
  std::vector<uint32_t> ids;
  if (it == postings_.end() || it->name != name || it->value != value) return ids;
  STRATA_ASSIGN_OR_RETURN(std::string_view body, section(it->offset, "postings"));
  if (body.size() < 4) return error(it->offset, "postings too short");
  const uint32_t n = get_be32(body.data());
  if (uint64_t(n) * 4 > body.size() - 4) return error(it->offset, "postings count exceeds section");
  ids.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t id = get_be32(body.data() + 4 + 4 * size_t(i));
    if (!ids.empty() && id <= ids.back()) return error(it->offset, "postings not ascending");
    ids.push_back(id);
  }
  return ids;
}

std::vector<std::string> PromIndex::label_names() const {
  std::vector<std::string> out;
  for (const PostingsEntry& e : postings_) {
    if (e.name.empty()) continue;
    if (out.empty() || out.back() != e.name) out.emplace_back(e.name);
  }
  return out;
}

std::vector<std::string> PromIndex::label_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const PostingsEntry& e : postings_) {
    if (e.name == name) out.emplace_back(e.value);
  }
  return out;
}

}  // namespace strata::tsdb::prom
