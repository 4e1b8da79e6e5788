// The in-place WriteRequest decoder (remote/write_view.h) against libprotobuf:
// on generated requests, on the same requests with unknown fields, groups and
// histograms mixed in, and on randomly mutated bytes. Whenever the decoder
// says kOk, libprotobuf's parse + check_known_fields must succeed with the
// same content; whenever libprotobuf (with the wire checks) refuses a body,
// the decoder must have said kFallback. The ingest of both forms must write
// the same samples.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "remote/codec.h"
#include "remote/remote.pb.h"
#include "remote/write_ingest.h"
#include "remote/series_ref_cache.h"
#include "remote/write_view.h"
#include "tsdb/db.h"
#include "base/metrics.h"
#include "tests/remote/remote_test_util.h"

namespace strata::remote {
namespace {

using testing::Wire;

std::string random_bytes(std::mt19937_64& rng, size_t max_len) {
  static const char kAlphabet[] = "abcxyz_:AZ09 \"\\\n\xc3\xa9";
  size_t n = rng() % (max_len + 1);
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(kAlphabet[rng() % (sizeof kAlphabet - 1)]);
  return s;
}

prometheus::WriteRequest random_request(std::mt19937_64& rng, bool histograms) {
  prometheus::WriteRequest req;
  int n_series = int(rng() % 6);
  for (int i = 0; i < n_series; ++i) {
    auto* ts = req.add_timeseries();
    int n_labels = int(rng() % 5);
    for (int j = 0; j < n_labels; ++j) {
      auto* l = ts->add_labels();
      if (rng() % 8) l->set_name(random_bytes(rng, 8));
      if (rng() % 8) l->set_value(random_bytes(rng, 12));
    }
    int n_samples = int(rng() % 5);
    for (int j = 0; j < n_samples; ++j) {
      auto* s = ts->add_samples();
      s->set_timestamp(int64_t(rng()) >> (rng() % 64));
      uint64_t bits = rng();
      s->set_value(rng() % 2 ? double(int64_t(rng() % 1000)) : testing::from_bits(bits));
    }
    int n_ex = int(rng() % 3);
    for (int j = 0; j < n_ex; ++j) {
      auto* e = ts->add_exemplars();
      e->set_value(double(rng() % 100) / 7);
      e->set_timestamp(int64_t(rng() % 100000));
      for (int k = int(rng() % 3); k > 0; --k) {
        auto* l = e->add_labels();
        l->set_name(random_bytes(rng, 6));
        l->set_value(random_bytes(rng, 6));
      }
    }
    if (histograms && rng() % 4 == 0) {
      auto* h = ts->add_histograms();
      h->set_count_int(rng() % 10);
      h->set_timestamp(1000);
    }
  }
  for (int i = int(rng() % 3); i > 0; --i) {
    auto* m = req.add_metadata();
    m->set_type(prometheus::MetricMetadata::MetricType(rng() % 8));
    m->set_metric_family_name(random_bytes(rng, 10));
    m->set_help(random_bytes(rng, 20));
    m->set_unit(random_bytes(rng, 4));
  }
  return req;
}

// The libprotobuf view of a body: parse + the wire checks, as the receiver's
// fallback does.
bool protobuf_accepts(const std::string& raw, prometheus::WriteRequest* out) {
  return parse_write_request_into(raw, out).ok();
}

std::string S(std::string_view v) { return std::string(v); }

// The decoded view equals the parsed message, field by field.
void expect_same(const WriteRequestView& v, const prometheus::WriteRequest& m, const std::string& what) {
  ASSERT_EQ(v.series.size(), size_t(m.timeseries_size())) << what;
  for (int i = 0; i < m.timeseries_size(); ++i) {
    const auto& ts = m.timeseries(i);
    const auto& vs = v.series[size_t(i)];
    ASSERT_EQ(vs.labels_end - vs.labels_begin, uint32_t(ts.labels_size())) << what;
    for (int j = 0; j < ts.labels_size(); ++j) {
      EXPECT_EQ(S(v.labels[vs.labels_begin + uint32_t(j)].first), ts.labels(j).name()) << what;
      EXPECT_EQ(S(v.labels[vs.labels_begin + uint32_t(j)].second), ts.labels(j).value()) << what;
    }
    ASSERT_EQ(vs.samples_end - vs.samples_begin, uint32_t(ts.samples_size())) << what;
    for (int j = 0; j < ts.samples_size(); ++j) {
      EXPECT_EQ(v.samples[vs.samples_begin + uint32_t(j)].t_ms, ts.samples(j).timestamp()) << what;
      EXPECT_EQ(testing::to_bits(v.samples[vs.samples_begin + uint32_t(j)].value),
                testing::to_bits(ts.samples(j).value()))
          << what;
    }
    ASSERT_EQ(vs.exemplars_end - vs.exemplars_begin, uint32_t(ts.exemplars_size())) << what;
    for (int j = 0; j < ts.exemplars_size(); ++j) {
      const auto& ve = v.exemplars[vs.exemplars_begin + uint32_t(j)];
      const auto& me = ts.exemplars(j);
      EXPECT_EQ(ve.t_ms, me.timestamp()) << what;
      EXPECT_EQ(testing::to_bits(ve.value), testing::to_bits(me.value())) << what;
      ASSERT_EQ(ve.labels_end - ve.labels_begin, uint32_t(me.labels_size())) << what;
      for (int k = 0; k < me.labels_size(); ++k) {
        EXPECT_EQ(S(v.exemplar_labels[ve.labels_begin + uint32_t(k)].first), me.labels(k).name()) << what;
        EXPECT_EQ(S(v.exemplar_labels[ve.labels_begin + uint32_t(k)].second), me.labels(k).value()) << what;
      }
    }
    EXPECT_EQ(ts.histograms_size(), 0) << what;  // histograms always go the protobuf way
  }
  ASSERT_EQ(v.metadata.size(), size_t(m.metadata_size())) << what;
  for (int i = 0; i < m.metadata_size(); ++i) {
    EXPECT_EQ(v.metadata[size_t(i)].type, int(m.metadata(i).type())) << what;
    EXPECT_EQ(S(v.metadata[size_t(i)].family), m.metadata(i).metric_family_name()) << what;
    EXPECT_EQ(S(v.metadata[size_t(i)].help), m.metadata(i).help()) << what;
    EXPECT_EQ(S(v.metadata[size_t(i)].unit), m.metadata(i).unit()) << what;
  }
}

// One body through both decoders.
struct Outcome {
  bool fast = false, proto = false;
};
Outcome compare(const std::string& raw, const std::string& what) {
  WriteRequestView v;
  prometheus::WriteRequest m;
  Outcome o;
  o.fast = decode_write_request_view(raw, &v) == DecodeResult::kOk;
  o.proto = protobuf_accepts(raw, &m);
  if (o.fast) {
    EXPECT_TRUE(o.proto) << "decoder accepted what libprotobuf refuses: " << what;
    if (o.proto) expect_same(v, m, what);
  }
  return o;
}

std::string hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

TEST(WriteViewTest, GeneratedRequestsDecodeLikeProtobuf) {
  std::mt19937_64 rng(20261203);
  int fast = 0;
  for (int i = 0; i < 3000; ++i) {
    prometheus::WriteRequest req = random_request(rng, /*histograms=*/false);
    std::string raw = req.SerializeAsString();
    Outcome o = compare(raw, "request " + std::to_string(i) + ": " + hex(raw));
    EXPECT_TRUE(o.fast && o.proto) << hex(raw);
    fast += o.fast;
  }
  EXPECT_EQ(fast, 3000);
}

TEST(WriteViewTest, HistogramsFallBack) {
  std::mt19937_64 rng(7);
  int with_histograms = 0;
  for (int i = 0; i < 500; ++i) {
    prometheus::WriteRequest req = random_request(rng, /*histograms=*/true);
    bool has = false;
    for (const auto& ts : req.timeseries()) has |= ts.histograms_size() > 0;
    std::string raw = req.SerializeAsString();
    Outcome o = compare(raw, hex(raw));
    EXPECT_TRUE(o.proto);
    EXPECT_EQ(o.fast, !has);
    with_histograms += has;
  }
  EXPECT_GT(with_histograms, 50);
}

TEST(WriteViewTest, UnknownFieldsAreSkippedKnownFieldsWithWrongWireTypeFallBack) {
  // An unknown field of each wire type in WriteRequest, TimeSeries, Label,
  // Sample: decoded like protobuf (skipped).
  Wire label;
  label.len(1, "__name__").len(2, "up").varint_field(9, 5).fixed64(10, 1).fixed32(11, 2);
  Wire sample;
  sample.fixed64(1, testing::to_bits(1.5)).varint_field(2, 1000).len(7, "x");
  Wire ts;
  ts.len(1, label.str()).len(2, sample.str()).varint_field(5, 1);
  Wire req;
  req.len(1, ts.str()).len(2, "source").varint_field(15, 3);
  Outcome o = compare(req.str(), "unknown fields");
  EXPECT_TRUE(o.fast && o.proto);

  // Sample.value as a varint: protobuf keeps it as an unknown field and the
  // wire check refuses it; the decoder falls back.
  Wire bad_sample;
  bad_sample.varint_field(1, 3).varint_field(2, 1000);
  Wire bad_ts;
  bad_ts.len(1, label.str()).len(2, bad_sample.str());
  Wire bad;
  bad.len(1, bad_ts.str());
  o = compare(bad.str(), "wrong wire type");
  EXPECT_FALSE(o.fast);
  EXPECT_FALSE(o.proto);

  // The last occurrence of a scalar field wins, as in protobuf.
  Wire twice;
  twice.len(1, "a").len(1, "b").len(2, "v1").len(2, "v2");
  Wire ts2;
  ts2.len(1, twice.str()).len(2, sample.str());
  Wire req2;
  req2.len(1, ts2.str());
  o = compare(req2.str(), "repeated scalars");
  EXPECT_TRUE(o.fast && o.proto);
}

TEST(WriteViewTest, MutatedBodiesNeverDecodeWhatProtobufRefuses) {
  std::mt19937_64 rng(42);
  int refused = 0, both = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string raw = random_request(rng, rng() % 2).SerializeAsString();
    int edits = 1 + int(rng() % 3);
    for (int e = 0; e < edits && !raw.empty(); ++e) {
      size_t at = rng() % raw.size();
      switch (rng() % 5) {
        case 0: raw[at] = char(raw[at] ^ (1 << (rng() % 8))); break;  // bit flip
        case 1: raw.resize(at); break;                                // truncation
        case 2: raw.insert(at, 1, char(rng())); break;                // inserted byte
        case 3: raw.erase(at, 1 + rng() % 4); break;                  // deleted bytes
        case 4: raw[at] = char(rng()); break;                         // random byte
      }
    }
    Outcome o = compare(raw, hex(raw));
    refused += !o.proto;
    both += o.fast && o.proto;
    if (::testing::Test::HasFailure()) break;
  }
  // Both kinds happen, so the property was exercised from both sides.
  EXPECT_GT(refused, 1000);
  EXPECT_GT(both, 1000);
}

TEST(WriteViewTest, IngestOfBothFormsWritesTheSame) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 200; ++i) {
    prometheus::WriteRequest req;
    int n = 1 + int(rng() % 20);
    for (int s = 0; s < n; ++s) {
      std::string job = "j" + std::to_string(rng() % 5);
      std::string inst = "i" + std::to_string(rng() % 7);
      testing::add_series(&req, {"__name__", "m", "job", job, "instance", inst, "empty", ""},
                          {{int64_t(1000 + rng() % 50), double(rng() % 100)}, {int64_t(2000 + rng() % 50), 1.0}});
    }
    std::string raw = req.SerializeAsString();
    testing::FakeAppendable a, b;
    WriteRequestView v;
    ASSERT_EQ(decode_write_request_view(raw, &v), DecodeResult::kOk);
    tsdb::IngestResult ra = ingest_write_request(v, a);
    prometheus::WriteRequest m;
    ASSERT_TRUE(parse_write_request_into(raw, &m).ok());
    tsdb::IngestResult rb = ingest_write_request(m, b);
    EXPECT_EQ(ra.samples_written, rb.samples_written);
    EXPECT_EQ(ra.samples_dropped, rb.samples_dropped);
    EXPECT_EQ(ra.series, rb.series);
    EXPECT_EQ(ra.total_rejected(), rb.total_rejected());
    ASSERT_EQ(a.committed.size(), b.committed.size());
    for (size_t k = 0; k < a.committed.size(); ++k) {
      EXPECT_EQ(a.committed[k].labels.to_string(), b.committed[k].labels.to_string());
      EXPECT_EQ(a.committed[k].t, b.committed[k].t);
      EXPECT_EQ(a.committed[k].v, b.committed[k].v);
    }
  }
}

}  // namespace
}  // namespace strata::remote

namespace strata::remote {
namespace {

// The series cache: a second request finds every series by its raw label
// bytes; a stale ref (the head no longer has it) still lands the samples in
// the right series and the cache learns the new ref.
TEST(SeriesRefCacheTest, HitsAndStaleRefs) {
  metrics::Registry reg;
  tsdb::DBOptions o;
  o.dir = "";
  auto db = std::move(tsdb::DB::open(o, &reg).value());
  SeriesRefCache cache;
  auto request = [](int64_t t) {
    prometheus::WriteRequest req;
    for (int i = 0; i < 50; ++i)
      testing::add_series(&req, {"__name__", "m", "i", std::to_string(i)}, {{t, double(i)}});
    return req.SerializeAsString();
  };
  WriteRequestView v;
  std::string r1 = request(1000);
  ASSERT_EQ(decode_write_request_view(r1, &v), DecodeResult::kOk);
  EXPECT_EQ(ingest_write_request(v, *db, {}, &cache).samples_written, 50u);
  EXPECT_EQ(cache.size(), 50u);
  for (const auto& s : v.series) EXPECT_NE(cache.get(s.raw_labels), 0u);

  // A stale ref for series 7, and one pointing at another series' ref is
  // impossible by construction (refs are never reused), so only stale ones
  // need handling.
  std::string r2 = request(2000);
  ASSERT_EQ(decode_write_request_view(r2, &v), DecodeResult::kOk);
  cache.put(v.series[7].raw_labels, tsdb::SeriesRef(1) << 40);
  tsdb::IngestResult res = ingest_write_request(v, *db, {}, &cache);
  EXPECT_EQ(res.samples_written, 50u) << res.first_error;
  EXPECT_EQ(cache.size(), 50u);
  EXPECT_NE(cache.get(v.series[7].raw_labels), tsdb::SeriesRef(1) << 40);
  auto got = testing::read_series(*db, tsdb::Labels({{"__name__", "m"}, {"i", "7"}}));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], std::make_pair(int64_t(2000), 7.0));
  EXPECT_EQ(testing::count_series(*db, "m"), 50u);
}

TEST(SeriesRefCacheTest, RawLabelsOnlyWhenContiguous) {
  Wire ts;
  ts.msg(1, Wire::label("__name__", "up")).msg(2, Wire::sample(1, 1000)).msg(1, Wire::label("job", "x"));
  Wire req;
  req.msg(1, ts);
  WriteRequestView v;
  ASSERT_EQ(decode_write_request_view(req.str(), &v), DecodeResult::kOk);
  EXPECT_TRUE(v.series[0].raw_labels.empty());

  Wire ts2;
  ts2.msg(1, Wire::label("__name__", "up")).msg(1, Wire::label("job", "x")).msg(2, Wire::sample(1, 1000));
  Wire req2;
  req2.msg(1, ts2);
  ASSERT_EQ(decode_write_request_view(req2.str(), &v), DecodeResult::kOk);
  Wire labels;
  labels.msg(1, Wire::label("__name__", "up")).msg(1, Wire::label("job", "x"));
  EXPECT_EQ(std::string(v.series[0].raw_labels), labels.str());
}

}  // namespace
}  // namespace strata::remote
