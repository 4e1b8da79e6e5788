#include "tsdb/block/index_writer.h"

#include <algorithm>
#include <map>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status.h"

namespace strata::tsdb {
namespace {

// Pads to an 8-byte boundary, then writes length | payload | crc32c.
uint64_t put_section(std::string* out, const std::string& payload) {
  while (out->size() % 8 != 0) out->push_back('\0');
  uint64_t off = out->size();
  put_fixed32(out, uint32_t(payload.size()));
  out->append(payload);
  put_fixed32(out, crc32c(payload));
  return off;
}

}  // namespace

std::string build_index(const std::vector<IndexSeries>& series) {
  // Symbols: every label name and value, sorted; referenced by position.
  std::vector<std::string_view> syms;
  for (const auto& s : series) {
    for (const Label& l : s.labels) {
      syms.push_back(l.name);
      syms.push_back(l.value);
    }
  }
  std::sort(syms.begin(), syms.end());
  syms.erase(std::unique(syms.begin(), syms.end()), syms.end());
  absl::flat_hash_map<std::string_view, uint32_t> sym_id;
  sym_id.reserve(syms.size());
  std::string symbols;
  put_uvarint(&symbols, syms.size());
  for (size_t i = 0; i < syms.size(); ++i) {
    sym_id[syms[i]] = uint32_t(i);
    put_lenstr(&symbols, syms[i]);
  }

  // Series entries and their offsets; postings by (name sym, value sym).
  std::string entries, offsets;
  put_fixed32(&offsets, uint32_t(series.size()));
  std::map<uint32_t, std::map<uint32_t, std::vector<uint32_t>>> postings;
  for (size_t id = 0; id < series.size(); ++id) {
    const IndexSeries& s = series[id];
    put_fixed64(&offsets, entries.size());
    put_uvarint(&entries, s.labels.size());
    for (const Label& l : s.labels) {
      uint32_t n = sym_id[l.name], v = sym_id[l.value];
      put_uvarint(&entries, n);
      put_uvarint(&entries, v);
      postings[n][v].push_back(uint32_t(id));
    }
    put_uvarint(&entries, s.chunks.size());
    for (size_t i = 0; i < s.chunks.size(); ++i) {
      const ChunkMeta& c = s.chunks[i];
      if (i == 0) {
        put_varint(&entries, c.mint_ms);
      } else {
        put_uvarint(&entries, uint64_t(c.mint_ms - s.chunks[i - 1].maxt_ms));
      }
      put_uvarint(&entries, uint64_t(c.maxt_ms - c.mint_ms));
      if (i == 0) {
        put_uvarint(&entries, c.ref);
      } else {
        put_varint(&entries, int64_t(c.ref - s.chunks[i - 1].ref));
      }
    }
  }

  std::string lists, table;
  put_uvarint(&table, postings.size());
  uint64_t prev_off = 0;
  // The table is sorted by name string: symbol order is string order.
  for (const auto& [name, values] : postings) {
    put_uvarint(&table, name);
    put_uvarint(&table, values.size());
    for (const auto& [value, ids] : values) {
      uint64_t off = lists.size();
      put_uvarint(&table, value);
      put_uvarint(&table, off - prev_off);
      prev_off = off;
      put_fixed32(&lists, uint32_t(ids.size()));
      for (uint32_t id : ids) put_fixed32(&lists, id);
    }
  }

  std::string out;
  put_be32(&out, kIndexMagic);
  out.push_back(char(kIndexVersion));
  out.append(3, '\0');
  uint64_t toc[kIndexSections] = {put_section(&out, symbols), put_section(&out, entries),
                                  put_section(&out, offsets), put_section(&out, lists),
                                  put_section(&out, table)};
  std::string t;
  for (uint64_t o : toc) put_fixed64(&t, o);
  put_fixed32(&t, crc32c(t));
  out.append(t);
  return out;
}

absl::Status write_index(FileSystem* fs, const std::string& path,
                         const std::vector<IndexSeries>& series) {
  std::string bytes = build_index(series);
  STRATA_ASSIGN_OR_RETURN(auto f, fs->open_writable(path));
  STRATA_RETURN_IF_ERROR(f->append(bytes));
  STRATA_RETURN_IF_ERROR(f->sync());
  return f->close();
}

}  // namespace strata::tsdb
