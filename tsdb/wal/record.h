// WAL record framing: every record in a segment or checkpoint file is
//
//   [type u8][payload length u32 LE][crc32c(type, payload) u32 LE][payload]
//
// so that torn writes, zeroed pages and flipped bits are detected on replay.
// A record never spans two files. WalBatch collects framed records of one
// commit (encoded by the committing thread, outside any lock) and counts them
// by type for the records-written metric. Byte layout: tsdb/docs/format/wal.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata::tsdb {

enum class WalRecordType : uint8_t {
  kSeries = 1,
  kSamples = 2,
  kTombstones = 3,
  kMetadata = 4,
  // 5 was a checkpoint-only chunk record in an unreleased format; never reuse.
};
inline constexpr int kWalRecordTypeMax = 4;
inline constexpr size_t kWalHeaderBytes = 9;

// "series", "samples", "tombstones", "metadata" (metric label values).
const char* wal_record_type_name(WalRecordType t);

// Appends one framed record to *out.
void append_wal_record(WalRecordType type, std::string_view payload, std::string* out);

// One framed record inside a mapped file.
struct WalFrame {
  WalRecordType type;
  std::string_view payload;  // points into the parsed buffer
  size_t size;               // header + payload bytes
};

// Parses the record starting at data[offset]. On damage returns false and
// sets *reason ("torn record header", "zeroed bytes", "unknown record type 7",
// "torn record", "checksum mismatch").
bool parse_wal_record(std::string_view data, size_t offset, WalFrame* out, std::string* reason);

// The framed records of one commit or checkpoint batch.
class WalBatch {
 public:
  // Frames `payload` and appends it.
  void add(WalRecordType type, std::string_view payload);
  // Reserves room for a payload written in place: call begin(), append the
  // payload to *payload_buffer(), then end(type). Saves a copy of large
  // sample payloads.
  std::string* begin();
  void end(WalRecordType type);

  const std::string& bytes() const { return bytes_; }
  bool empty() const { return bytes_.empty(); }
  uint32_t count(WalRecordType t) const { return counts_[size_t(t)]; }
  void clear();

 private:
  std::string bytes_;
  size_t open_at_ = 0;
  std::array<uint32_t, kWalRecordTypeMax + 1> counts_{};
};

}  // namespace strata::tsdb
