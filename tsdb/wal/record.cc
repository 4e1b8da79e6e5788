#include "tsdb/wal/record.h"

#include <cstring>

#include "base/coding.h"
#include "base/crc32c.h"

namespace strata::tsdb {
namespace {

uint32_t record_crc(uint8_t type, std::string_view payload) {
  char t = char(type);
  return crc32c_extend(crc32c_extend(0, &t, 1), payload.data(), payload.size());
}

}  // namespace

const char* wal_record_type_name(WalRecordType t) {
  switch (t) {
    case WalRecordType::kSeries:
      return "series";
    case WalRecordType::kSamples:
      return "samples";
    case WalRecordType::kTombstones:
      return "tombstones";
    case WalRecordType::kMetadata:
      return "metadata";
  }
  return "unknown";
}

void append_wal_record(WalRecordType type, std::string_view payload, std::string* out) {
  out->push_back(char(type));
  put_fixed32(out, uint32_t(payload.size()));
  put_fixed32(out, record_crc(uint8_t(type), payload));
  out->append(payload.data(), payload.size());
}

bool parse_wal_record(std::string_view data, size_t offset, WalFrame* out, std::string* reason) {
  if (data.size() - offset < kWalHeaderBytes) {
    *reason = "torn record header";
    return false;
  }
  const char* p = data.data() + offset;
  uint8_t type = uint8_t(p[0]);
  uint32_t len = get_fixed32(p + 1);
  uint32_t crc = get_fixed32(p + 5);
  if (type == 0 && len == 0 && crc == 0) {
    // A zeroed page (or a preallocated, never written tail) reads as zeros.
    *reason = "zeroed bytes";
    return false;
  }
  if (type < 1 || type > kWalRecordTypeMax) {
    *reason = "unknown record type " + std::to_string(type);
    return false;
  }
  if (len > data.size() - offset - kWalHeaderBytes) {
    *reason = "torn record";
    return false;
  }
  std::string_view payload(p + kWalHeaderBytes, len);
  if (record_crc(type, payload) != crc) {
    *reason = "checksum mismatch";
    return false;
  }
  *out = WalFrame{WalRecordType(type), payload, kWalHeaderBytes + len};
  return true;
}

void WalBatch::add(WalRecordType type, std::string_view payload) {
  append_wal_record(type, payload, &bytes_);
  ++counts_[size_t(type)];
}

std::string* WalBatch::begin() {
  open_at_ = bytes_.size();
  bytes_.append(kWalHeaderBytes, '\0');
  return &bytes_;
}

void WalBatch::end(WalRecordType type) {
  std::string_view payload(bytes_.data() + open_at_ + kWalHeaderBytes,
                           bytes_.size() - open_at_ - kWalHeaderBytes);
  char* h = bytes_.data() + open_at_;
  h[0] = char(type);
  uint32_t len = uint32_t(payload.size());
  uint32_t crc = record_crc(uint8_t(type), payload);
  std::memcpy(h + 1, &len, 4);
  std::memcpy(h + 5, &crc, 4);
  ++counts_[size_t(type)];
}

void WalBatch::clear() {
  bytes_.clear();
  counts_.fill(0);
}

}  // namespace strata::tsdb
