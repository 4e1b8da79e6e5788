#include "tsdb/promblock/prom_chunks.h"

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status.h"

namespace strata::tsdb::prom {
namespace {

constexpr size_t kSegmentHeaderSize = 8;  // magic, version, 3 bytes padding

bool is_segment_name(const std::string& n) {
  if (n.empty()) return false;
  for (char c : n) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PromChunks>> PromChunks::open(FileSystem* fs,
                                                             const std::string& dir) {
  auto out = std::make_unique<PromChunks>();
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->list_dir(dir));
  for (const std::string& n : names) {  // sorted: 000001, 000002, ...
    if (!is_segment_name(n)) continue;
    Segment s;
    s.path = join_path(dir, n);
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> f, fs->map(s.path));
    std::string_view d = f->data();
    if (d.size() < kSegmentHeaderSize || get_be32(d.data()) != kChunksMagic) {
      return absl::DataLossError(s.path + ": offset 0: not a Prometheus chunk segment (bad magic)");
    }
    if (d[4] != 1) {
      return absl::UnimplementedError(s.path + ": chunk segment version " +
                                      std::to_string(uint8_t(d[4])) + " is not supported");
    }
    s.file = std::move(f);
    out->segments_.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<PromChunk> PromChunks::chunk(uint64_t ref) const {
  const uint64_t seq = ref >> 32;
  const uint64_t off = ref & 0xffffffffu;
  if (seq >= segments_.size()) {
    return absl::DataLossError("chunk reference " + std::to_string(ref) + " names segment " +
                               std::to_string(seq) + " of " + std::to_string(segments_.size()));
  }
  const Segment& s = segments_[seq];
  std::string_view d = s.file->data();
  auto bad = [&](std::string_view what) {
    return absl::DataLossError(s.path + ": offset " + std::to_string(off) + ": " +
                               std::string(what));
  };
  if (off < kSegmentHeaderSize || off >= d.size()) return bad("chunk offset out of bounds");
  const char* p = d.data() + off;
  const char* end = d.data() + d.size();
  uint64_t len;
  // The length counts the data only; the encoding byte and the CRC follow.
  if (!get_uvarint(&p, end, &len) || len > uint64_t(end - p) || uint64_t(end - p) - len < 5) {
    return bad("chunk length out of bounds");
  }
  if (crc32c(std::string_view(p, 1 + len)) != get_be32(p + 1 + len)) {
    return bad("chunk checksum mismatch");
  }
  PromChunk c;
  c.encoding = uint8_t(*p);
  c.chunk.data = std::string_view(p + 1, len);
  c.chunk.owner = s.file;
  c.chunk.encoding = ChunkEncoding::kXor;
  return c;
}

}  // namespace strata::tsdb::prom
