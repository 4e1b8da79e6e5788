#include "tsdb/wal/record.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <vector>

#include "absl/strings/escaping.h"
#include "tsdb/series.h"
#include "tsdb/wal/codec.h"

namespace strata::tsdb {
namespace {

std::string hex(std::string_view s) {
  return absl::BytesToHexString(absl::string_view(s.data(), s.size()));
}

// The record framing and payloads are the on-disk format
// (tsdb/docs/format/wal.md): these bytes were computed independently of the
// code (a bit-wise CRC-32C in Python) and must never change.
TEST(WalFormatTest, GoldenRecords) {
  WalBatch b;
  std::string p;
  encode_series_count(1, &p);
  encode_series_entry(3, Labels::from_strings({"__name__", "up", "job", "api"}), &p);
  b.add(WalRecordType::kSeries, p);
  EXPECT_EQ(hex(b.bytes()), "0117000000d24c6577010302085f5f6e616d655f5f027570036a6f6203617069");

  const uint64_t kStale = kStaleNaNBits;
  double stale;
  std::memcpy(&stale, &kStale, 8);
  std::vector<WalSample> ss = {{3, 1700000000000, 1.5}, {4, 1700000000000, stale}};
  b.clear();
  encode_samples(ss, b.begin());
  b.end(WalRecordType::kSamples);
  EXPECT_EQ(hex(b.bytes()),
            "021a000000a6d23b97020680a0abfef962000000000000f83f0200020000000000f07f");

  std::vector<WalTombstone> ts = {{3, 1000, 2000}};
  p.clear();
  encode_tombstones(ts, &p);
  b.clear();
  b.add(WalRecordType::kTombstones, p);
  EXPECT_EQ(hex(b.bytes()), "0306000000215bfe320103d00fa01f");

  p.clear();
  encode_metadata({{"up", {"gauge", "Target up.", ""}}}, &p);
  b.clear();
  b.add(WalRecordType::kMetadata, p);
  EXPECT_EQ(hex(b.bytes()), "0416000000b657edce010275700567617567650a5461726765742075702e00");
  EXPECT_EQ(b.count(WalRecordType::kMetadata), 1u);
  EXPECT_EQ(b.count(WalRecordType::kSamples), 0u);
}

// Timestamp deltas wrap in two's complement: samples at the ends of the
// int64 range round-trip (found by the wal fuzz target as a signed
// overflow in the decoder; the encoder had the same one).
TEST(WalFormatTest, ExtremeTimestampsRoundTrip) {
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  std::vector<WalSample> in = {{1, lo, 1}, {2, hi, 2}, {3, lo, 3}, {1, 0, 4}, {2, hi, 5}, {5, -1, 6}};
  WalBatch b;
  encode_samples(in, b.begin());
  b.end(WalRecordType::kSamples);
  WalFrame f;
  std::string why;
  const std::string bytes = b.bytes();
  ASSERT_TRUE(parse_wal_record(bytes, 0, &f, &why)) << why;
  std::vector<WalSample> out;
  ASSERT_TRUE(decode_samples(f.payload, &out));
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].ref, in[i].ref);
    EXPECT_EQ(out[i].t_ms, in[i].t_ms);
    EXPECT_EQ(out[i].v, in[i].v);
  }
}

TEST(WalRecordTest, ParseDetectsEveryKindOfDamage) {
  WalBatch b;
  b.add(WalRecordType::kMetadata, "payload");
  std::string good = b.bytes();
  WalFrame f;
  std::string why;
  ASSERT_TRUE(parse_wal_record(good, 0, &f, &why));
  EXPECT_EQ(f.type, WalRecordType::kMetadata);
  EXPECT_EQ(f.payload, "payload");
  EXPECT_EQ(f.size, good.size());

  struct Case {
    const char* name;
    std::string data;
    const char* reason;
  };
  std::string flipped = good;
  flipped[kWalHeaderBytes + 2] ^= 0x10;
  std::string bad_type = good;
  bad_type[0] = 9;
  std::vector<Case> cases = {
      {"short header", good.substr(0, 5), "torn record header"},
      {"short payload", good.substr(0, good.size() - 1), "torn record"},
      {"zeros", std::string(32, '\0'), "zeroed bytes"},
      {"flipped payload bit", flipped, "checksum mismatch"},
      {"unknown type", bad_type, "unknown record type 9"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(parse_wal_record(c.data, 0, &f, &why));
    EXPECT_EQ(why, c.reason);
  }
}

TEST(WalCodecTest, SamplesRoundTripAndRejectTruncation) {
  std::vector<WalSample> in;
  for (int i = 0; i < 1000; ++i)
    in.push_back({uint64_t(i * 7 % 1000), int64_t(1000 + i * (i % 3 ? 1 : -5000)), i * 0.5});
  in.push_back({UINT32_MAX, INT64_MIN / 2, -0.0});
  std::string p;
  encode_samples(in, &p);
  std::vector<WalSample> out;
  ASSERT_TRUE(decode_samples(p, &out));
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].ref, in[i].ref);
    EXPECT_EQ(out[i].t_ms, in[i].t_ms);
    EXPECT_EQ(std::signbit(out[i].v), std::signbit(in[i].v));
    EXPECT_EQ(out[i].v, in[i].v);
  }
  for (size_t cut : {size_t(0), size_t(1), p.size() / 2, p.size() - 1}) {
    out.clear();
    EXPECT_FALSE(decode_samples(std::string_view(p).substr(0, cut), &out)) << cut;
  }
  out.clear();
  EXPECT_FALSE(decode_samples(p + "x", &out));
}

TEST(WalCodecTest, SeriesTombstonesMetadataRoundTrip) {
  std::string p;
  encode_series_count(2, &p);
  encode_series_entry(1, Labels::from_strings({"__name__", "a", "x", "1"}), &p);
  std::vector<LabelView> views = {{"__name__", "b"}};
  encode_series_entry(1ull << 40, views, &p);
  SeriesRecordReader r(p);
  EXPECT_EQ(r.count(), 2u);
  uint64_t ref;
  std::vector<LabelView> ls;
  ASSERT_TRUE(r.next(&ref, &ls));
  EXPECT_EQ(ref, 1u);
  ASSERT_EQ(ls.size(), 2u);
  EXPECT_EQ(ls[1].first, "x");
  EXPECT_EQ(ls[1].second, "1");
  ASSERT_TRUE(r.next(&ref, &ls));
  EXPECT_EQ(ref, 1ull << 40);
  EXPECT_FALSE(r.next(&ref, &ls));
  EXPECT_TRUE(r.ok());
  SeriesRecordReader bad(std::string_view(p).substr(0, p.size() - 1));
  while (bad.next(&ref, &ls)) {
  }
  EXPECT_FALSE(bad.ok());

  p.clear();
  std::vector<WalTombstone> ts = {{5, -100, 100}, {6, INT64_MIN, INT64_MAX}};
  encode_tombstones(ts, &p);
  std::vector<WalTombstone> tout;
  ASSERT_TRUE(decode_tombstones(p, &tout));
  ASSERT_EQ(tout.size(), 2u);
  EXPECT_EQ(tout[1].mint_ms, INT64_MIN);
  EXPECT_EQ(tout[1].maxt_ms, INT64_MAX);

  p.clear();
  encode_metadata({{"f", {"counter", "help\nline", "seconds"}}}, &p);
  std::vector<WalMetadata> md;
  ASSERT_TRUE(decode_metadata(p, &md));
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].help, "help\nline");
  EXPECT_EQ(md[0].unit, "seconds");
}

}  // namespace
}  // namespace strata::tsdb
