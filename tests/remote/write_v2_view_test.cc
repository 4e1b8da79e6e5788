// decode_write_v2_request against libprotobuf's parse of remote/write_v2.proto:
// generated requests (symbols in any order relative to series, packed and
// unpacked refs, exemplars, metadata, histograms) decode to what the parsed
// message says; mutated bodies never crash, and whenever the decoder
// accepts one, libprotobuf accepts it too and they agree.
#include "remote/write_v2_view.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "remote/write_v2.pb.h"

namespace strata::remote {
namespace {

namespace v2 = io::prometheus::write::v2;

v2::Request random_request(std::mt19937_64& rng) {
  v2::Request req;
  req.add_symbols("");
  const char* words[] = {"__name__", "http_requests_total", "job", "api", "instance", "a:1", "help text",
                         "seconds", "trace_id", "abc", "\xff\xfe", ""};
  int nsym = 1 + int(rng() % 12);
  for (int i = 0; i < nsym; ++i) req.add_symbols(words[rng() % 12]);
  int n = int(rng() % 4);
  for (int i = 0; i < n; ++i) {
    v2::TimeSeries* ts = req.add_timeseries();
    int pairs = int(rng() % 4);
    for (int k = 0; k < pairs * 2; ++k) ts->add_labels_refs(uint32_t(rng() % req.symbols_size()));
    int ns = int(rng() % 4);
    for (int k = 0; k < ns; ++k) {
      v2::Sample* s = ts->add_samples();
      uint64_t bits = rng();
      double v;
      std::memcpy(&v, &bits, 8);
      s->set_value(v);
      s->set_timestamp(int64_t(rng()) >> (rng() % 64));
      if (rng() % 2) s->set_start_timestamp(int64_t(rng() % 1000));
    }
    if (rng() % 4 == 0) ts->add_histograms()->set_count_int(3);
    if (rng() % 3 == 0) {
      v2::Exemplar* e = ts->add_exemplars();
      e->add_labels_refs(uint32_t(rng() % req.symbols_size()));
      e->add_labels_refs(uint32_t(rng() % req.symbols_size()));
      e->set_value(1.5);
      e->set_timestamp(42);
    }
    if (rng() % 2) {
      ts->mutable_metadata()->set_type(v2::Metadata::MetricType(rng() % 8));
      ts->mutable_metadata()->set_help_ref(uint32_t(rng() % req.symbols_size()));
      ts->mutable_metadata()->set_unit_ref(uint32_t(rng() % req.symbols_size()));
    }
  }
  return req;
}

// What the view must hold for a parsed request whose refs are all valid.
void expect_same(const v2::Request& req, const WriteRequestView& view) {
  ASSERT_EQ(view.series.size(), size_t(req.timeseries_size()));
  size_t md = 0;
  std::string_view last_family;
  for (int i = 0; i < req.timeseries_size(); ++i) {
    const v2::TimeSeries& ts = req.timeseries(i);
    const WriteRequestView::Series& s = view.series[i];
    ASSERT_EQ(s.labels_end - s.labels_begin, uint32_t(ts.labels_refs_size() / 2));
    std::string_view family;
    for (int k = 0; k < ts.labels_refs_size(); k += 2) {
      const auto& [name, value] = view.labels[s.labels_begin + k / 2];
      EXPECT_EQ(name, req.symbols(ts.labels_refs(k)));
      EXPECT_EQ(value, req.symbols(ts.labels_refs(k + 1)));
      if (name == "__name__") family = value;
    }
    ASSERT_EQ(s.samples_end - s.samples_begin, uint32_t(ts.samples_size()));
    for (int k = 0; k < ts.samples_size(); ++k) {
      EXPECT_EQ(view.samples[s.samples_begin + k].t_ms, ts.samples(k).timestamp());
      double a = view.samples[s.samples_begin + k].value, b = ts.samples(k).value();
      EXPECT_EQ(std::memcmp(&a, &b, 8), 0);
    }
    EXPECT_EQ(s.histograms, uint32_t(ts.histograms_size()));
    ASSERT_EQ(s.exemplars_end - s.exemplars_begin, uint32_t(ts.exemplars_size()));
    const auto& m = ts.metadata();
    bool want_md = ts.has_metadata() && !family.empty() && family != last_family &&
                   (m.type() != 0 || m.help_ref() != 0 || m.unit_ref() != 0);
    if (want_md) {
      ASSERT_LT(md, view.metadata.size());
      EXPECT_EQ(view.metadata[md].family, family);
      EXPECT_EQ(view.metadata[md].type, int(m.type()));
      EXPECT_EQ(view.metadata[md].help, req.symbols(m.help_ref()));
      EXPECT_EQ(view.metadata[md].unit, req.symbols(m.unit_ref()));
      last_family = family;
      ++md;
    }
  }
  EXPECT_EQ(view.metadata.size(), md);
}

TEST(WriteV2ViewTest, GeneratedRequestsDecodeLikeLibprotobuf) {
  std::mt19937_64 rng(3);
  WriteRequestView view;
  for (int round = 0; round < 2000; ++round) {
    v2::Request req = random_request(rng);
    std::string raw = req.SerializeAsString();
    if (round % 2) {
      // Symbols after the series, as the spec allows.
      v2::Request series_only = req, symbols_only;
      series_only.clear_symbols();
      *symbols_only.mutable_symbols() = req.symbols();
      raw = series_only.SerializeAsString() + symbols_only.SerializeAsString();
    }
    absl::Status s = decode_write_v2_request(raw, &view);
    ASSERT_TRUE(s.ok()) << s;
    expect_same(req, view);
  }
}

TEST(WriteV2ViewTest, MutatedBodiesAreRefusedOrDecodedLikeLibprotobuf) {
  std::mt19937_64 rng(4);
  WriteRequestView view;
  int accepted = 0;
  for (int round = 0; round < 50000; ++round) {
    std::string raw = random_request(rng).SerializeAsString();
    if (raw.empty()) continue;
    int edits = 1 + int(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng() % raw.size();
      switch (rng() % 3) {
        case 0: raw[pos] = char(rng()); break;
        case 1: raw.resize(pos); break;
        default: raw.insert(pos, 1, char(rng()));
      }
      if (raw.empty()) break;
    }
    absl::Status s = decode_write_v2_request(raw, &view);
    if (!s.ok()) {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
      continue;
    }
    v2::Request parsed;
    ASSERT_TRUE(parsed.ParseFromString(raw)) << "decoder accepted what libprotobuf refuses, round " << round;
    expect_same(parsed, view);
    ++accepted;
  }
  EXPECT_GT(accepted, 100);  // the comparison is not vacuous
}

TEST(WriteV2ViewTest, BadRefsNameTheSeries) {
  v2::Request req;
  req.add_symbols("");
  req.add_symbols("__name__");
  req.add_timeseries();
  v2::TimeSeries* ts = req.add_timeseries();
  ts->add_labels_refs(1);
  WriteRequestView view;
  absl::Status s = decode_write_v2_request(req.SerializeAsString(), &view);
  EXPECT_EQ(s.message(),
            "cannot parse io.prometheus.write.v2.Request: timeseries[1]: odd number of series labels_refs (1)");
  ts->add_labels_refs(7);
  s = decode_write_v2_request(req.SerializeAsString(), &view);
  EXPECT_EQ(s.message(),
            "cannot parse io.prometheus.write.v2.Request: timeseries[1]: series labels_refs[1] = 7 is outside "
            "the 2 symbols");
}

}  // namespace
}  // namespace strata::remote
