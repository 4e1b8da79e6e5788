#include "tsdb/promblock/prom_tombstones.h"

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status.h"

namespace strata::tsdb::prom {

absl::StatusOr<Tombstones> decode_prom_tombstones(std::string_view d, const std::string& path) {
  auto bad = [&](size_t off, std::string_view what) {
    return absl::DataLossError(path + ": offset " + std::to_string(off) + ": " + std::string(what));
  };
  constexpr size_t kHeader = 5;
  if (d.size() < kHeader + 4) return bad(0, "tombstones file too short");
  if (get_be32(d.data()) != kTombstonesMagic) return bad(0, "bad tombstones magic");
  if (d[4] != 1) {
    return absl::UnimplementedError(path + ": tombstones version " +
                                    std::to_string(uint8_t(d[4])) + " is not supported");
  }
  std::string_view body = d.substr(kHeader, d.size() - kHeader - 4);
  if (crc32c(body) != get_be32(d.data() + d.size() - 4)) {
    return bad(d.size() - 4, "tombstones checksum mismatch");
  }
  Tombstones t;
  const char* p = body.data();
  const char* end = p + body.size();
  while (p < end) {
    const size_t at = kHeader + (p - body.data());
    uint64_t ref;
    int64_t mint, maxt;
    if (!get_uvarint(&p, end, &ref) || !get_varint(&p, end, &mint) || !get_varint(&p, end, &maxt)) {
      return bad(at, "truncated tombstone");
    }
    if (ref > 0xffffffffu) return bad(at, "tombstone series reference out of range");
    if (mint > maxt) continue;  // an empty interval deletes nothing
    t.add(uint32_t(ref), Interval{mint, maxt});
  }
  return t;
}

absl::StatusOr<Tombstones> read_prom_tombstones(FileSystem* fs, const std::string& path) {
  if (!fs->exists(path)) return Tombstones();
  STRATA_ASSIGN_OR_RETURN(std::string data, fs->read_file(path));
  return decode_prom_tombstones(data, path);
}

}  // namespace strata::tsdb::prom
