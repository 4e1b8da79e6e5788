// libFuzzer target for a Strata block's chunk segments
// (tsdb/block/chunk_reader.h, format: tsdb/docs/format/chunks.md): any bytes
// as chunks/000001 open or fail with an error Status, never crash or read
// outside what they own (ASan). verify() walks every page; then every chunk
// of every page (and refs pointing into the middle of pages) is fetched and
// decoded sample by sample, whatever its encoding (XOR or compact), and a
// chunk's samples must decode the same twice (the page cache).
//
// Input layout: byte 0 picks the mode, the rest is the segment file.
//   mode & 1  every page's CRC-32C is recomputed first, so that mutations
//             reach page decompression and the chunk decoders
//   mode & 2  a second, empty segment 000002 exists too
// Seeds (seeds/): the golden block's segment and a larger one with zstd
// pages (make_seeds.py).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "tests/fuzz/mem_fs.h"
#include "tsdb/block/chunk_reader.h"

namespace {

using namespace strata;

constexpr size_t kPageHeader = 9;

struct Page {
  size_t offset;
  bool compressed;
  std::string_view stored;
};

// The pages of a segment as far as their headers hold together; with `fix`
// each page's CRC is rewritten.
std::vector<Page> pages(std::string& b, bool fix) {
  std::vector<Page> out;
  size_t o = 8;
  while (b.size() >= o + kPageHeader + 4 && out.size() < 256) {
    uint32_t stored;
    std::memcpy(&stored, b.data() + o + 1, 4);
    if (stored > b.size() - o - kPageHeader - 4) break;
    if (fix) {
      uint32_t crc = crc32c_extend(0, b.data() + o, kPageHeader + stored);
      std::memcpy(b.data() + o + kPageHeader + stored, &crc, 4);
    }
    out.push_back({o, b[o] != 0, std::string_view(b).substr(o + kPageHeader, stored)});
    o += kPageHeader + stored + 4;
  }
  return out;
}

uint64_t ref(uint32_t segment, uint64_t page, uint64_t inner) {
  return uint64_t(segment) << 48 | (page & ((uint64_t(1) << 30) - 1)) << 18 |
         (inner & ((1 << 18) - 1));
}

// Offsets of the chunks of an uncompressed page (uvarint length, encoding, data).
std::vector<uint64_t> chunk_offsets(std::string_view raw) {
  std::vector<uint64_t> out;
  size_t o = 0;
  while (o < raw.size() && out.size() < 1024) {
    out.push_back(o);
    uint64_t len = 0;
    int shift = 0;
    while (o < raw.size() && shift < 64) {
      uint8_t c = uint8_t(raw[o++]);
      len |= uint64_t(c & 0x7f) << shift;
      shift += 7;
      if (!(c & 0x80)) break;
    }
    if (len > raw.size() - o) break;
    o += 1 + len;
  }
  return out;
}

std::vector<std::pair<int64_t, uint64_t>> samples(const tsdb::ChunkRef& c) {
  std::vector<std::pair<int64_t, uint64_t>> s;
  bool ok = tsdb::for_each_sample(c, [&](int64_t t, uint64_t v) { s.emplace_back(t, v); });
  if (!ok) s.emplace_back(-1, 0);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<Page> ps = pages(bytes, mode & 1);

  fuzz::MemFs fs;
  fs.put("/b/chunks/000001", bytes);
  if (mode & 2) fs.put("/b/chunks/000002", "");
  auto r = tsdb::ChunkReader::open(&fs, "/b/chunks");
  if (!r.ok()) {
    if (r.status().message().empty()) abort();
    return 0;
  }
  (void)(*r)->verify();
  for (const Page& p : ps) {
    std::vector<uint64_t> inner = p.compressed ? std::vector<uint64_t>{0, 1, 7}
                                               : chunk_offsets(p.stored);
    inner.push_back(p.stored.size());  // just past the page
    for (uint64_t i : inner) {
      auto c = (*r)->chunk(ref(1, p.offset, i));
      if (!c.ok()) continue;
      auto first = samples(*c);
      auto again = (*r)->chunk(ref(1, p.offset, i));
      if (!again.ok() || samples(*again) != first) abort();
    }
  }
  (void)(*r)->chunk(ref(2, 8, 0));
  (void)(*r)->chunk(ref(7, 8, 0));
  return 0;
}
