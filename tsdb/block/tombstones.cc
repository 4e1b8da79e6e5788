#include "tsdb/block/tombstones.h"

#include <algorithm>
#include <cstdint>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status.h"

namespace strata::tsdb {

void Tombstones::add(uint32_t series, Interval iv) {
  auto& ivs = by_series_[series];
  ivs.push_back(iv);
  std::sort(ivs.begin(), ivs.end(),
            [](const Interval& a, const Interval& b) { return a.mint_ms < b.mint_ms; });
  std::vector<Interval> merged;
  for (const Interval& x : ivs) {
    if (!merged.empty() && (x.mint_ms <= merged.back().maxt_ms ||
                            (merged.back().maxt_ms < INT64_MAX && x.mint_ms == merged.back().maxt_ms + 1))) {
      merged.back().maxt_ms = std::max(merged.back().maxt_ms, x.maxt_ms);
    } else {
      merged.push_back(x);
    }
  }
  ivs = std::move(merged);
}

const std::vector<Interval>* Tombstones::get(uint32_t series) const {
  auto it = by_series_.find(series);
  return it == by_series_.end() ? nullptr : &it->second;
}

uint64_t Tombstones::count() const {
  uint64_t n = 0;
  for (const auto& [s, ivs] : by_series_) n += ivs.size();
  return n;
}

std::string Tombstones::encode() const {
  std::string payload;
  put_uvarint(&payload, by_series_.size());
  uint32_t prev = 0;
  for (const auto& [s, ivs] : by_series_) {
    put_uvarint(&payload, s - prev);
    prev = s;
    put_uvarint(&payload, ivs.size());
    for (const Interval& iv : ivs) {
      put_varint(&payload, iv.mint_ms);
      put_uvarint(&payload, uint64_t(iv.maxt_ms) - uint64_t(iv.mint_ms));
    }
  }
  std::string out;
  put_be32(&out, kTombstonesMagic);
  out.push_back(char(kTombstonesVersion));
  out.append(3, '\0');
  out.append(payload);
  put_fixed32(&out, crc32c(payload));
  return out;
}

absl::StatusOr<Tombstones> Tombstones::decode(std::string_view d) {
  if (d.size() < 12 || get_be32(d.data()) != kTombstonesMagic) {
    return absl::DataLossError("tombstones: bad magic or file too short");
  }
  if (uint8_t(d[4]) != kTombstonesVersion || d[5] != 0 || d[6] != 0 || d[7] != 0) {
    return absl::DataLossError("tombstones: unsupported version");
  }
  std::string_view payload = d.substr(8, d.size() - 12);
  if (crc32c(payload) != get_fixed32(d.data() + d.size() - 4)) {
    return absl::DataLossError("tombstones: checksum mismatch");
  }
  Tombstones t;
  const char* p = payload.data();
  const char* end = p + payload.size();
  uint64_t n, series = 0;
  if (!get_uvarint(&p, end, &n)) return absl::DataLossError("tombstones: truncated");
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t delta, count;
    if (!get_uvarint(&p, end, &delta) || !get_uvarint(&p, end, &count) ||
        count > uint64_t(end - p)) {
      return absl::DataLossError("tombstones: truncated");
    }
    series += delta;
    for (uint64_t k = 0; k < count; ++k) {
      int64_t mint;
      uint64_t span;
      if (!get_varint(&p, end, &mint) || !get_uvarint(&p, end, &span)) {
        return absl::DataLossError("tombstones: truncated");
      }
      t.add(uint32_t(series), {mint, int64_t(uint64_t(mint) + span)});
    }
  }
  return t;
}

absl::StatusOr<Tombstones> Tombstones::read(FileSystem* fs, const std::string& path) {
  if (!fs->exists(path)) return Tombstones();
  STRATA_ASSIGN_OR_RETURN(std::string data, fs->read_file(path));
  return decode(data);
}

absl::Status Tombstones::write(FileSystem* fs, const std::string& path) const {
  std::string tmp = path + ".tmp";
  STRATA_ASSIGN_OR_RETURN(auto f, fs->open_writable(tmp));
  STRATA_RETURN_IF_ERROR(f->append(encode()));
  STRATA_RETURN_IF_ERROR(f->sync());
  STRATA_RETURN_IF_ERROR(f->close());
  return fs->rename(tmp, path);
}

}  // namespace strata::tsdb
