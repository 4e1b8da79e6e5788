// OTLP ingest against remote-write ingest: the load generator's workload
// (2000 series per request, ~10 labels each, one sample per series) turned
// into ExportMetricsServiceRequests (one gauge metric per metric name, its
// series as data points with the labels as attributes, a resource without
// service.* so the series are the same), sent through the whole OTLP handler
// into an in-memory head. Compare items/s with
// BM_RemoteWrite_HandleIntoHead/0 in strata_bench.
#include <benchmark/benchmark.h>

#include <google/protobuf/util/json_util.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/remote/otlp_handler.h"
#include "bench/loadgen/workload.h"
#include "remote/codec.h"
#include "remote/otlp_codec.h"
#include "remote/otlp_metrics.pb.h"
#include "tsdb/db.h"

namespace strata::bench {
namespace {

constexpr int kRounds = 64;

struct OtlpBodies {
  std::vector<std::string> proto;  // per round
  std::vector<std::string> json;
  std::vector<int64_t> samples;
};

// The remote-write workload's rounds, re-encoded as OTLP.
const OtlpBodies& bodies() {
  static const OtlpBodies b = [] {
    WorkloadOptions o;
    o.series = 2000;
    o.batch = 2000;
    o.rounds = kRounds;
    o.start_ms = 1'700'000'000'000;
    Workload w = build_workload(o);
    OtlpBodies out;
    for (int r = 0; r < kRounds; ++r) {
      prometheus::WriteRequest wr;
      std::string raw = remote::snappy_decode(w.bodies[size_t(r)][0].compressed).value();
      if (!remote::parse_write_request_into(raw, &wr).ok()) std::abort();
      strata::otlp::ExportMetricsServiceRequest req;
      auto* sm = req.add_resource_metrics()->add_scope_metrics();
      std::map<std::string, strata::otlp::Gauge*> by_name;
      int64_t samples = 0;
      for (const auto& ts : wr.timeseries()) {
        std::string name;
        for (const auto& l : ts.labels())
          if (l.name() == "__name__") name = l.value();
        auto& g = by_name[name];
        if (g == nullptr) {
          auto* m = sm->add_metrics();
          m->set_name(name);
          g = m->mutable_gauge();
        }
        for (const auto& s : ts.samples()) {
          auto* p = g->add_data_points();
          for (const auto& l : ts.labels()) {
            if (l.name() == "__name__") continue;
            auto* kv = p->add_attributes();
            kv->set_key(l.name());
            kv->mutable_value()->set_string_value(l.value());
          }
          p->set_time_unix_nano(uint64_t(s.timestamp()) * 1'000'000);
          p->set_as_double(s.value());
          ++samples;
        }
      }
      out.proto.push_back(req.SerializeAsString());
      std::string js;
      if (!google::protobuf::util::MessageToJsonString(req, &js).ok()) std::abort();
      out.json.push_back(std::move(js));
      out.samples.push_back(samples);
    }
    return out;
  }();
  return b;
}

// Arg 0: protobuf; arg 1: OTLP JSON.
void BM_Otlp_HandleIntoHead(benchmark::State& state) {
  const OtlpBodies& b = bodies();
  const bool json = state.range(0) == 1;
  metrics::Registry reg;
  tsdb::DBOptions opts;
  opts.dir = "";
  auto db = std::move(tsdb::DB::open(opts, &reg).value());
  auto handler = std::make_unique<api::remote::OtlpHandler>(*db, reg, api::remote::OtlpHandlerOptions{});
  api::HttpRequest req;
  req.method = "POST";
  req.headers = {{"content-type", json ? "application/json" : "application/x-protobuf"}};
  int round = 0;
  int64_t samples = 0;
  for (auto _ : state) {
    if (round == kRounds) {  // start over on a fresh head, untimed
      state.PauseTiming();
      handler.reset();
      db.reset();
      db = std::move(tsdb::DB::open(opts, &reg).value());
      handler = std::make_unique<api::remote::OtlpHandler>(*db, reg, api::remote::OtlpHandlerOptions{});
      round = 0;
      state.ResumeTiming();
    }
    req.body = json ? b.json[size_t(round)] : b.proto[size_t(round)];
    api::HttpResponse resp;
    handler->handle(req, resp);
    if (resp.status != 200 || (!json && !resp.body.empty()) || (json && resp.body != "{}"))
      state.SkipWithError(resp.body.c_str());
    samples += b.samples[size_t(round)];
    ++round;
  }
  state.SetItemsProcessed(samples);
}
BENCHMARK(BM_Otlp_HandleIntoHead)->Arg(0)->Arg(1);

// Parsing alone (protobuf onto an arena, as the handler does), for the
// share of decoding in the above.
void BM_Otlp_DecodeProtobuf(benchmark::State& state) {
  const OtlpBodies& b = bodies();
  for (auto _ : state) {
    google::protobuf::Arena arena(remote::arena_options_for(b.proto[0].size()));
    auto* req = google::protobuf::Arena::CreateMessage<strata::otlp::ExportMetricsServiceRequest>(&arena);
    benchmark::DoNotOptimize(remote::decode_otlp_request(b.proto[0], remote::OtlpEncoding::kProtobuf, req));
  }
  state.SetItemsProcessed(state.iterations() * b.samples[0]);
  state.SetBytesProcessed(state.iterations() * int64_t(b.proto[0].size()));
}
BENCHMARK(BM_Otlp_DecodeProtobuf);

}  // namespace
}  // namespace strata::bench
