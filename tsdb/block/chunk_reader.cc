#include "tsdb/block/chunk_reader.h"

#include <zstd.h>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status.h"
#include "tsdb/block/chunk_writer.h"

namespace strata::tsdb {
namespace {

absl::Status corrupt(uint32_t segment, uint64_t offset, const std::string& what) {
  return absl::DataLossError("chunk segment " + chunk_segment_name(segment) + " at offset " +
                             std::to_string(offset) + ": " + what);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChunkReader>> ChunkReader::open(FileSystem* fs,
                                                               const std::string& dir) {
  std::unique_ptr<ChunkReader> r(new ChunkReader());
  std::vector<std::string> names;
  if (fs->exists(dir)) {
    STRATA_ASSIGN_OR_RETURN(names, fs->list_dir(dir));
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != chunk_segment_name(uint32_t(i + 1))) {
      return absl::DataLossError("chunk segments: unexpected file " + names[i] + " (want " +
                                 chunk_segment_name(uint32_t(i + 1)) + ")");
    }
    std::string path = join_path(dir, names[i]);
    auto m = fs->map(path);
    if (!m.ok()) return annotate(m.status(), "mapping " + path);
    std::string_view d = (*m)->data();
    if (d.size() < kChunkSegmentHeaderSize || get_be32(d.data()) != kChunkSegmentMagic) {
      return corrupt(uint32_t(i + 1), 0, "bad magic");
    }
    if (uint8_t(d[4]) != kChunkSegmentVersion) {
      return corrupt(uint32_t(i + 1), 4, "unsupported version " + std::to_string(uint8_t(d[4])));
    }
    if (d[5] != 0 || d[6] != 0 || d[7] != 0) {
      return corrupt(uint32_t(i + 1), 5, "reserved header bytes are not zero");
    }
    r->size_bytes_ += d.size();
    Segment seg;
    seg.map = std::shared_ptr<MappedFile>(std::move(*m));
    seg.mu = std::make_unique<std::mutex>();
    r->segments_.push_back(std::move(seg));
  }
  return r;
}

absl::StatusOr<ChunkReader::Page> ChunkReader::page(uint32_t segment, uint64_t offset) const {
  if (segment == 0 || segment > segments_.size()) {
    return absl::DataLossError("chunk ref names missing segment " + std::to_string(segment));
  }
  const Segment& seg = segments_[segment - 1];
  std::string_view d = seg.map->data();
  if (offset < kChunkSegmentHeaderSize || offset + kChunkPageHeaderSize > d.size()) {
    return corrupt(segment, offset, "page offset out of range");
  }
  const char* h = d.data() + offset;
  auto comp = PageCompression(uint8_t(h[0]));
  uint32_t stored = get_fixed32(h + 1), raw = get_fixed32(h + 5);
  if (offset + kChunkPageHeaderSize + stored + 4 > d.size()) {
    return corrupt(segment, offset, "page extends past the end of the file");
  }
  std::string_view body(h + kChunkPageHeaderSize, stored);
  {
    std::lock_guard<std::mutex> lock(*seg.mu);
    if (!seg.verified.count(offset)) {
      // The CRC covers the page header and the stored bytes.
      if (crc32c(std::string_view(h, kChunkPageHeaderSize + stored)) !=
          get_fixed32(body.data() + stored)) {
        return corrupt(segment, offset, "page checksum mismatch");
      }
      seg.verified[offset] = true;
    }
  }
  if (comp == PageCompression::kNone) {
    if (raw != stored) return corrupt(segment, offset, "bad page sizes");
    return Page{body, seg.map};
  }
  if (comp != PageCompression::kZstd) return corrupt(segment, offset, "unknown page compression");
  // The raw length is allocated before decompressing, so a corrupt header
  // must not ask for gigabytes. The writer keeps pages under 256 KiB (18-bit
  // in-page offsets); 1 MiB leaves room without trusting the header.
  constexpr uint32_t kMaxRawPageBytes = 1 << 20;
  if (raw > kMaxRawPageBytes) return corrupt(segment, offset, "bad page sizes");
  uint64_t key = (uint64_t(segment) << 40) | offset;
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return Page{*it->second->second, it->second->second};
    }
  }
  auto buf = std::make_shared<std::string>(raw, '\0');
  size_t n = ZSTD_decompress(buf->data(), buf->size(), body.data(), body.size());
  if (ZSTD_isError(n) || n != raw) return corrupt(segment, offset, "page does not decompress");
  std::shared_ptr<const std::string> page = std::move(buf);
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (!cache_.count(key)) {
    lru_.emplace_front(key, page);
    cache_[key] = lru_.begin();
    if (lru_.size() > kCachePages) {
      cache_.erase(lru_.back().first);
      lru_.pop_back();
    }
  }
  return Page{*page, page};
}

absl::StatusOr<ChunkRef> ChunkReader::chunk(uint64_t ref) const {
  uint32_t segment = chunk_ref_segment(ref);
  uint64_t offset = chunk_ref_page(ref);
  STRATA_ASSIGN_OR_RETURN(Page p, page(segment, offset));
  uint32_t in_page = chunk_ref_in_page(ref);
  if (in_page >= p.raw.size()) return corrupt(segment, offset, "chunk offset out of range");
  const char* q = p.raw.data() + in_page;
  const char* end = p.raw.data() + p.raw.size();
  uint64_t len;
  if (!get_uvarint(&q, end, &len) || q >= end || len > uint64_t(end - q - 1)) {
    return corrupt(segment, offset, "bad chunk length at " + std::to_string(in_page));
  }
  ChunkRef c;
  c.mint_ms = c.maxt_ms = 0;
  c.encoding = ChunkEncoding(uint8_t(*q));
  c.data = std::string_view(q + 1, len);
  c.owner = std::move(p.owner);
  return c;
}

absl::Status ChunkReader::verify() const {
  for (size_t i = 0; i < segments_.size(); ++i) {
    std::string_view d = segments_[i].map->data();
    uint64_t off = kChunkSegmentHeaderSize;
    while (off < d.size()) {
      if (off + kChunkPageHeaderSize > d.size()) {
        return corrupt(uint32_t(i + 1), off, "truncated page header");
      }
      uint32_t stored = get_fixed32(d.data() + off + 1);
      STRATA_ASSIGN_OR_RETURN(Page p, page(uint32_t(i + 1), off));
      (void)p;
      off += kChunkPageHeaderSize + stored + 4;
    }
  }
  return absl::OkStatus();
}

}  // namespace strata::tsdb
