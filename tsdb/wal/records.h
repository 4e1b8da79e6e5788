// Payload encodings of the WAL record types (see tsdb/docs/format/wal.md).
// Encoders append to a string; decoders return DataLoss on malformed input,
// which replay treats like a damaged record.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/labels/labels.h"
#include "tsdb/storage.h"

namespace strata::tsdb {

struct WalSeries {
  uint64_t ref;
  Labels labels;
};
struct WalSample {
  uint64_t ref;
  int64_t t;
  double v;
};
struct WalTombstone {
  uint64_t ref;
  int64_t mint;
  int64_t maxt;
};
struct WalChunk {
  uint64_t ref;
  int64_t mint;
  int64_t maxt;
  std::string data;  // XOR chunk bytes
};
struct WalMetadata {
  std::string family;
  MetricMetadata md;
};

void encode_series(const std::vector<WalSeries>& s, std::string* out);
void encode_samples(const std::vector<WalSample>& s, std::string* out);
void encode_tombstones(const std::vector<WalTombstone>& s, std::string* out);
void encode_metadata(const std::vector<WalMetadata>& s, std::string* out);
void encode_chunks(const std::vector<WalChunk>& s, std::string* out);

absl::Status decode_series(std::string_view in, std::vector<WalSeries>* out);
absl::Status decode_samples(std::string_view in, std::vector<WalSample>* out);
absl::Status decode_tombstones(std::string_view in, std::vector<WalTombstone>* out);
absl::Status decode_metadata(std::string_view in, std::vector<WalMetadata>* out);
absl::Status decode_chunks(std::string_view in, std::vector<WalChunk>* out);

}  // namespace strata::tsdb
