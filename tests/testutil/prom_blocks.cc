#include "tests/testutil/prom_blocks.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "tests/testutil/http_client.h"
#include "tests/testutil/strata.h"

namespace strata::testutil {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A gauge from Prometheus' own /metrics; nullopt until it is readable.
std::optional<double> prom_gauge(HttpClient& c, const std::string& name) {
  auto r = c.get("/metrics");
  if (!r.ok() || r->status != 200) return std::nullopt;
  const std::string key = "\n" + name + " ";
  size_t p = r->body.find(key);
  if (p == std::string::npos) return std::nullopt;
  return std::strtod(r->body.c_str() + p + key.size(), nullptr);
}

// True once Prometheus has persisted every block it is going to: it
// compacts the head while the head spans more than 1.5 block ranges (3 h),
// one block at a time, so "one block loaded" alone can be read between two
// of those compactions.
bool head_compaction_done(HttpClient& c) {
  auto loaded = prom_gauge(c, "prometheus_tsdb_blocks_loaded");
  auto head_min = prom_gauge(c, "prometheus_tsdb_head_min_time");
  auto head_max = prom_gauge(c, "prometheus_tsdb_head_max_time");
  if (!loaded || !head_min || !head_max) return false;
  return *loaded >= 1 && *head_max - *head_min <= 3 * 3600 * 1000;
}

}  // namespace

absl::StatusOr<PromBlocks> make_prom_blocks(const std::string& dest_dir,
                                            const PromBlocksSpec& spec) {
  PromBlocks out;
  auto p = start_prometheus("global:\n  scrape_interval: 1m\n", 0,
                            {"--web.enable-remote-write-receiver", "--web.enable-admin-api"});
  if (!p.ok()) return p.status();
  out.prometheus = std::move(*p);
  HttpClient c = out.prometheus->client();

  // Minute-aligned, ending a minute ago, so queries at "now" see it all.
  out.maxt_ms = (now_ms() / 60000 - 1) * 60000;
  out.mint_ms = out.maxt_ms - spec.span_ms;
  for (int i = 0; i < spec.series; ++i) {
    // Every fourth series 4x as dense, so that it has several chunks per
    // block (Prometheus cuts chunks at 120 samples).
    const int64_t step_ms = i % 4 == 0 ? spec.step_ms / 4 : spec.step_ms;
    const int64_t n_samples = spec.span_ms / step_ms + 1;
    RwSeries s;
    s.labels = {{"__name__", "import_metric_" + std::to_string(i % 3)},
                {"instance", "inst" + std::to_string(i)},
                {"job", "job" + std::to_string(i % 5)}};
    for (int64_t k = 0; k < n_samples; ++k) {
      // Counters; every tenth series resets every 100 samples.
      const int64_t x = i % 10 == 0 ? k % 100 : k;
      s.samples.push_back({out.mint_ms + k * step_ms, double(x * (i % 7 + 1)) + 0.25 * i});
    }
    out.written.push_back(std::move(s));
  }
  // Oldest first, in 10-minute slices, as a sender catching up would.
  const int64_t slice = 10 * 60 * 1000;
  for (int64_t from = out.mint_ms; from <= out.maxt_ms; from += slice) {
    std::vector<RwSeries> batch;
    for (const RwSeries& s : out.written) {
      RwSeries b{s.labels, {}};
      for (const RwSample& x : s.samples) {
        if (x.t_ms >= from && x.t_ms < from + slice) b.samples.push_back(x);
      }
      batch.push_back(std::move(b));
    }
    auto r = c.post("/api/v1/write", encode_write_request(batch), "application/x-protobuf",
                    remote_write_headers());
    if (!r.ok()) return r.status();
    if (r->status / 100 != 2) {
      return absl::InternalError("prometheus remote write: HTTP " + std::to_string(r->status) +
                                 ": " + r->body);
    }
  }
  // Head compaction runs in the background after the commits; wait (bounded)
  // until it has persisted everything it will.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!head_compaction_done(c)) {
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError("prometheus did not finish compacting its head within 30 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // A tombstone in the oldest (persisted) block.
  out.deleted_selector = "import_metric_1{instance=\"inst1\"}";
  out.deleted_mint_ms = out.mint_ms + 30 * 60 * 1000;
  out.deleted_maxt_ms = out.mint_ms + 50 * 60 * 1000;
  auto d = c.post("/api/v1/admin/tsdb/delete_series?" +
                      form_encode({{"match[]", out.deleted_selector},
                                   {"start", std::to_string(out.deleted_mint_ms / 1000)},
                                   {"end", std::to_string(out.deleted_maxt_ms / 1000)}}),
                  "", "application/x-www-form-urlencoded");
  if (!d.ok()) return d.status();
  if (d->status != 204) return absl::InternalError("delete_series: HTTP " + std::to_string(d->status));

  auto snap = c.post("/api/v1/admin/tsdb/snapshot", "", "application/x-www-form-urlencoded");
  if (!snap.ok()) return snap.status();
  if (snap->status != 200) return absl::InternalError("snapshot: HTTP " + std::to_string(snap->status));
  const std::string name = nlohmann::json::parse(snap->body)["data"]["name"];
  std::error_code ec;
  std::filesystem::copy(out.prometheus->data_dir() + "/snapshots/" + name, dest_dir,
                        std::filesystem::copy_options::recursive, ec);
  if (ec) return absl::InternalError("copying the snapshot: " + ec.message());
  out.snapshot_dir = dest_dir;
  return out;
}

}  // namespace strata::testutil
