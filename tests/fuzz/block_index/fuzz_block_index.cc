// libFuzzer target for a Strata block's index file (tsdb/block/index_reader.h,
// format: tsdb/docs/format/index.md): any bytes open or fail with an error
// Status, never crash or read outside the file (ASan). An index that opens
// is read whole: every label's values and postings, every series' labels
// and chunk metas, and the series every posting names. Invariant: label names
// come back sorted. Postings are served from the mapping as stored: under a
// valid checksum they may be out of order or name ids past num_series()
// (only a broken writer makes such a file), so the reader must answer
// series() for any id with data or an error, never read past the file.
//
// Input layout: byte 0 picks the mode, the rest is the index file.
//   mode & 1  every section's and the TOC's CRC-32C is recomputed first, so
//             that mutations reach the section parsers instead of stopping
//             at "checksum mismatch"
// Seeds (seeds/): the golden block's index and a larger one
// (tests/tsdb/block/testdata, make_seeds.py).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "tsdb/block/index_reader.h"

namespace {

using namespace strata;

uint32_t u32(const std::string& b, size_t o) {
  uint32_t v;
  std::memcpy(&v, b.data() + o, 4);
  return v;
}

// Rewrites the section CRCs the TOC points at, then the TOC's own.
void fix_checksums(std::string& b) {
  if (b.size() < 52) return;
  const size_t toc = b.size() - 44;
  for (int i = 0; i < 5; ++i) {
    uint64_t off;
    std::memcpy(&off, b.data() + toc + 8 * i, 8);
    if (off > toc || toc - off < 4) continue;
    uint64_t len = u32(b, off);
    if (len > toc - off - 4 || toc - off - 4 - len < 4) continue;
    uint32_t crc = crc32c_extend(0, b.data() + off + 4, len);
    std::memcpy(b.data() + off + 4 + len, &crc, 4);
  }
  uint32_t crc = crc32c_extend(0, b.data() + toc, 40);
  std::memcpy(b.data() + toc + 40, &crc, 4);
}

void read_postings(const tsdb::IndexReader& r, std::span<const uint32_t> ids) {
  tsdb::Labels labels;
  std::vector<tsdb::ChunkMeta> chunks;
  for (size_t i = 0; i < ids.size() && i < 64; ++i) (void)r.series(ids[i], &labels, &chunks);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 1) fix_checksums(bytes);
  auto ix = tsdb::IndexReader::from_bytes(bytes);
  if (!ix.ok()) {
    if (ix.status().message().empty()) abort();
    return 0;
  }
  const tsdb::IndexReader& r = **ix;
  std::vector<std::string_view> names = r.label_names();
  for (size_t i = 1; i < names.size(); ++i)
    if (names[i] <= names[i - 1]) abort();
  for (std::string_view name : names) {
    const auto* values = r.values(name);
    if (values == nullptr) continue;
    for (const auto& v : *values) {
      read_postings(r, r.postings_at(v.offset));
      read_postings(r, r.postings(name, v.value));
    }
  }
  (void)r.postings("no such label", "x");
  tsdb::Labels labels;
  std::vector<tsdb::ChunkMeta> chunks;
  for (uint32_t id = 0; id < r.num_series(); ++id) {
    if (!r.series(id, &labels, &chunks).ok()) continue;
    // What series() hands out keeps Labels' invariant (sorted, unique names).
    for (size_t i = 1; i < labels.size(); ++i)
      if (labels[i - 1].name >= labels[i].name) abort();
    for (const auto& c : chunks)
      if (c.maxt_ms < c.mint_ms) abort();
  }
  (void)r.series(r.num_series(), &labels, &chunks);
  return 0;
}
