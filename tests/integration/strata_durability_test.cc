// Durability of the strata binary over its real HTTP interfaces:
//  - crash: remote write while the server is SIGKILLed at random moments,
//    restart, and every sample whose request got a 2xx is still queryable;
//  - WAL damage: a truncated, bit-flipped or zeroed WAL segment — the server
//    starts, logs the cut, and keeps a prefix of what was written;
//  - the head snapshot: a clean stop writes it, the next start loads it and
//    replays the WAL after it (also after a later SIGKILL), a damaged one
//    is ignored;
//  - deletions and retention, checked through the query API.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "nlohmann/json.hpp"
#include "tests/testutil/http_client.h"
#include "tests/testutil/remote_write.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"
#include "tests/testutil/temp_dir.h"

namespace strata::integration {
namespace {

using testutil::HttpClient;
using testutil::RwSeries;
using testutil::ServerProcess;
using testutil::TempDir;
using ::testing::HasSubstr;

// A fixed base time one hour ago, on a whole second.
int64_t base_time_ms() {
  using namespace std::chrono;
  static const int64_t t =
      duration_cast<seconds>(system_clock::now().time_since_epoch()).count() * 1000 - 3600 * 1000;
  return t;
}

std::string seconds_param(int64_t t_ms) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.3f", double(t_ms) / 1000);
  return buf;
}

absl::StatusOr<std::unique_ptr<ServerProcess>> start_on(const std::string& data_dir,
                                                        std::vector<std::string> extra = {}) {
  ServerProcess::Options o;
  o.binary = testutil::strata_binary();
  // No self-scrape: its records would land in the WAL at times of their own
  // (before the test's first write, on a slow run), and the damage tests
  // count on the test's series being spread through the segment.
  o.files = {{"quiet.yml", "scrape_configs: []\n"}};
  o.flags = {"--storage.tsdb.path=" + data_dir, "--config.file=quiet.yml"};
  for (auto& f : extra) o.flags.push_back(std::move(f));
  return ServerProcess::start(o);
}

absl::StatusOr<int> post_write(HttpClient& c, const std::vector<RwSeries>& series) {
  auto r = c.post("/api/v1/write", testutil::encode_write_request(series),
                  "application/x-protobuf", testutil::remote_write_headers());
  if (!r.ok()) return r.status();
  return r->status;
}

// Raw samples of every series matching `selector` in (t - range, t], keyed by
// the series' labels rendered as JSON: t_ms -> value.
using SeriesSamples = std::map<std::string, std::map<int64_t, double>>;
SeriesSamples range_samples(HttpClient& c, const std::string& selector, int64_t at_ms,
                            int64_t range_s) {
  SeriesSamples out;
  auto r = c.get("/api/v1/query?" +
                 testutil::form_encode({{"query", selector + "[" + std::to_string(range_s) + "s]"},
                                        {"time", seconds_param(at_ms)}}));
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return out;
  EXPECT_EQ(r->status, 200) << r->body.substr(0, 300);
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("data")) {
    ADD_FAILURE() << r->body.substr(0, 300);
    return out;
  }
  for (const auto& s : j["data"]["result"]) {
    auto& m = out[s["metric"].dump()];
    for (const auto& v : s["values"])
      m[std::llround(v[0].get<double>() * 1000)] = std::stod(v[1].get<std::string>());
  }
  return out;
}

// ---------------------------------------------------------------------------
// Crash: SIGKILL during remote write.

constexpr int kWriters = 2;
constexpr int kSeriesPerBatch = 8;

// Batch `seq` of writer `w`: one sample per series at base + seq s, value seq.
std::vector<RwSeries> crash_batch(int w, int64_t seq) {
  std::vector<RwSeries> b;
  for (int i = 0; i < kSeriesPerBatch; ++i) {
    RwSeries s;
    s.labels = {{"__name__", "crash_test_total"}, {"writer", std::to_string(w)},
                {"series", std::to_string(i)}};
    s.samples.push_back({base_time_ms() + seq * 1000, double(seq)});
    b.push_back(std::move(s));
  }
  return b;
}

TEST(StrataDurabilityTest, EveryAcknowledgedSampleSurvivesSigkill) {
  TempDir dir("strata-crash-");
  ASSERT_TRUE(dir.ok());
  const std::string data = dir.path() + "/data";
  std::mt19937 rng(20261202);
  std::vector<int64_t> next_seq(kWriters, 0);
  std::vector<std::vector<int64_t>> acked(kWriters);
  constexpr int kIterations = 20;
  int kills = 0;
  for (int it = 0; it < kIterations; ++it) {
    auto srv = start_on(data);
    ASSERT_TRUE(srv.ok()) << "iteration " << it << ": " << srv.status();
    // Everything acknowledged before this restart must be back.
    {
      HttpClient c = (*srv)->client();
      int64_t max_seq = *std::max_element(next_seq.begin(), next_seq.end());
      SeriesSamples got =
          range_samples(c, "crash_test_total", base_time_ms() + max_seq * 1000, max_seq + 10);
      for (int w = 0; w < kWriters; ++w) {
        for (int i = 0; i < kSeriesPerBatch; ++i) {
          nlohmann::json key = {{"__name__", "crash_test_total"},
                                {"series", std::to_string(i)},
                                {"writer", std::to_string(w)}};
          const auto& m = got[key.dump()];
          for (int64_t seq : acked[w]) {
            auto p = m.find(base_time_ms() + seq * 1000);
            ASSERT_NE(p, m.end()) << "iteration " << it << ": writer " << w << " series " << i
                                  << " lost acknowledged seq " << seq << " (has " << m.size()
                                  << " samples)\n" << (*srv)->log();
            ASSERT_EQ(p->second, double(seq));
          }
        }
      }
    }
    if (it + 1 == kIterations) break;
    // Writers send until the server dies under them; the kill comes at a
    // random moment (bounded: at most 5 s of writing per iteration).
    std::atomic<bool> dead{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        HttpClient c = (*srv)->client();
        c.set_timeout(std::chrono::seconds(5));
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!dead && std::chrono::steady_clock::now() < until) {
          int64_t seq = next_seq[w]++;
          auto st = post_write(c, crash_batch(w, seq));
          if (st.ok() && *st / 100 == 2) acked[w].push_back(seq);
          if (!st.ok()) break;  // connection gone: the server was killed
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 400));
    ASSERT_TRUE((*srv)->signal(SIGKILL).ok());
    dead = true;
    ++kills;
    for (auto& t : writers) t.join();
    (*srv)->wait(std::chrono::seconds(10));
  }
  EXPECT_EQ(kills, kIterations - 1);
  for (int w = 0; w < kWriters; ++w) EXPECT_GT(acked[w].size(), 50u) << "writer " << w;
}

// ---------------------------------------------------------------------------
// WAL damage.

// The WAL damage tests damage segments a head snapshot would stand for, so
// they run without one.
const char kNoSnapshot[] = "--no-storage.tsdb.head-snapshot-on-shutdown";

// Writes `n` commits of one sample each (t = base + i s, value i), stops the
// server cleanly and returns the data directory's newest WAL segment.
std::string write_then_stop(const std::string& data, int n) {
  auto srv = start_on(data, {kNoSnapshot});
  EXPECT_TRUE(srv.ok()) << srv.status();
  if (!srv.ok()) return "";
  HttpClient c = (*srv)->client();
  for (int i = 0; i < n; ++i) {
    RwSeries s;
    s.labels = {{"__name__", "wal_damage"}, {"job", "t"}};
    s.samples.push_back({base_time_ms() + int64_t(i) * 1000, double(i)});
    auto st = post_write(c, {s});
    EXPECT_TRUE(st.ok() && *st == 204) << (st.ok() ? std::to_string(*st) : st.status().ToString());
  }
  EXPECT_EQ((*srv)->stop(), 0);
  std::string newest;
  for (const auto& e : std::filesystem::directory_iterator(data + "/wal")) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::filesystem::file_size(e.path()) == 0) continue;
    if (newest.empty() || name > std::filesystem::path(newest).filename().string())
      newest = e.path().string();
  }
  return newest;
}

// After damage, the server starts, logs the cut and serves a prefix:
// samples 0..k-1 for some k < n, each with its value.
void expect_prefix_after_damage(const std::string& data, int n) {
  auto srv = start_on(data, {kNoSnapshot});
  ASSERT_TRUE(srv.ok()) << srv.status();
  HttpClient c = (*srv)->client();
  SeriesSamples got = range_samples(c, "wal_damage", base_time_ms() + int64_t(n) * 1000, n + 10);
  size_t k = got.empty() ? 0 : got.begin()->second.size();
  EXPECT_LT(k, size_t(n));
  EXPECT_GT(k, 0u) << "nothing before the damage was kept";
  if (!got.empty()) {
    int64_t i = 0;
    for (const auto& [t, v] : got.begin()->second) {
      EXPECT_EQ(t, base_time_ms() + i * 1000);
      EXPECT_EQ(v, double(i));
      ++i;
    }
  }
  EXPECT_THAT((*srv)->log(), HasSubstr("WAL corruption, truncating"));
  // Writes go on after the repair.
  RwSeries s;
  s.labels = {{"__name__", "wal_damage"}, {"job", "t"}};
  s.samples.push_back({base_time_ms() + int64_t(n + 5) * 1000, 1});
  auto st = post_write(c, {s});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(*st, 204);
}

void damage(const std::string& path, const std::function<void(std::string&)>& fn) {
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  fn(bytes);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

// ---------------------------------------------------------------------------
// Head snapshot.

// Writes samples [from, to) of `series` series, one request per sample time.
void write_snapshot_samples(HttpClient& c, int series, int from, int to) {
  for (int i = from; i < to; ++i) {
    std::vector<RwSeries> batch;
    for (int k = 0; k < series; ++k) {
      RwSeries s;
      s.labels = {{"__name__", "snap_test"}, {"k", std::to_string(k)}};
      s.samples.push_back({base_time_ms() + int64_t(i) * 1000, double(i * 100 + k)});
      batch.push_back(std::move(s));
    }
    auto st = post_write(c, batch);
    ASSERT_TRUE(st.ok() && *st == 204);
  }
}

void expect_snapshot_samples(HttpClient& c, int series, int n) {
  SeriesSamples got = range_samples(c, "snap_test", base_time_ms() + int64_t(n) * 1000, n + 10);
  ASSERT_EQ(got.size(), size_t(series));
  for (const auto& [labels, samples] : got) {
    ASSERT_EQ(samples.size(), size_t(n)) << labels;
    int64_t i = 0;
    for (const auto& [t, v] : samples) EXPECT_EQ(t, base_time_ms() + i++ * 1000) << labels;
  }
}

TEST(StrataDurabilityTest, CleanShutdownWritesAndLoadsTheHeadSnapshot) {
  TempDir dir("strata-snap-");
  const std::string data = dir.path() + "/data";
  {
    auto srv = start_on(data);
    ASSERT_TRUE(srv.ok()) << srv.status();
    HttpClient c = (*srv)->client();
    write_snapshot_samples(c, 50, 0, 100);
    EXPECT_EQ((*srv)->stop(), 0);
    EXPECT_THAT((*srv)->log(), HasSubstr("Head snapshot written"));
  }
  ASSERT_TRUE(std::filesystem::exists(data + "/head_snapshot"));
  {
    auto srv = start_on(data);
    ASSERT_TRUE(srv.ok()) << srv.status();
    EXPECT_THAT((*srv)->log(), HasSubstr("Head snapshot loaded"));
    HttpClient c = (*srv)->client();
    expect_snapshot_samples(c, 50, 100);
    // More writes, then a crash: the snapshot plus the WAL after it.
    write_snapshot_samples(c, 50, 100, 150);
    ASSERT_TRUE((*srv)->signal(SIGKILL).ok());
    (*srv)->wait(std::chrono::seconds(10));
  }
  {
    auto srv = start_on(data);
    ASSERT_TRUE(srv.ok()) << srv.status();
    EXPECT_THAT((*srv)->log(), HasSubstr("Head snapshot loaded"));
    HttpClient c = (*srv)->client();
    expect_snapshot_samples(c, 50, 150);
    EXPECT_EQ((*srv)->stop(), 0);
  }
  // A damaged snapshot costs a full replay, nothing else.
  damage(data + "/head_snapshot", [](std::string& b) { b[b.size() / 2] ^= 0x10; });
  {
    auto srv = start_on(data);
    ASSERT_TRUE(srv.ok()) << srv.status();
    EXPECT_THAT((*srv)->log(), HasSubstr("Head snapshot not used"));
    HttpClient c = (*srv)->client();
    expect_snapshot_samples(c, 50, 150);
  }
}

TEST(StrataDurabilityTest, TruncatedWalSegment) {
  TempDir dir("strata-wal-");
  std::string seg = write_then_stop(dir.path() + "/data", 300);
  ASSERT_FALSE(seg.empty());
  damage(seg, [](std::string& b) { b.resize(b.size() * 6 / 10); });
  expect_prefix_after_damage(dir.path() + "/data", 300);
}

TEST(StrataDurabilityTest, FlippedBytesInWalSegment) {
  TempDir dir("strata-wal-");
  std::string seg = write_then_stop(dir.path() + "/data", 300);
  ASSERT_FALSE(seg.empty());
  damage(seg, [](std::string& b) {
    for (size_t i = b.size() / 2; i < b.size() / 2 + 8; ++i) b[i] = char(~b[i]);
  });
  expect_prefix_after_damage(dir.path() + "/data", 300);
}

TEST(StrataDurabilityTest, ZeroedPageInWalSegment) {
  TempDir dir("strata-wal-");
  std::string seg = write_then_stop(dir.path() + "/data", 600);
  ASSERT_FALSE(seg.empty());
  damage(seg, [](std::string& b) {
    ASSERT_GT(b.size(), 3 * 4096u);
    std::fill(b.begin() + 4096, b.begin() + 2 * 4096, '\0');
  });
  expect_prefix_after_damage(dir.path() + "/data", 600);
}

// ---------------------------------------------------------------------------
// delete_series and retention through the HTTP API.

TEST(StrataDurabilityTest, DeleteSeriesAndCleanTombstonesThroughTheApi) {
  TempDir dir("strata-del-");
  const std::string data = dir.path() + "/data";
  const int64_t t0 = base_time_ms();
  {
    auto srv = start_on(data, {"--web.enable-admin-api"});
    ASSERT_TRUE(srv.ok()) << srv.status();
    HttpClient c = (*srv)->client();
    std::vector<RwSeries> batch;
    for (const char* job : {"keep", "drop"}) {
      RwSeries s;
      s.labels = {{"__name__", "del_test"}, {"job", job}};
      for (int i = 0; i < 100; ++i) s.samples.push_back({t0 + i * 1000, double(i)});
      batch.push_back(s);
    }
    ASSERT_EQ(*post_write(c, batch), 204);
    // Samples 20..49 of job="drop" go.
    auto r = c.post("/api/v1/admin/tsdb/delete_series",
                    testutil::form_encode({{"match[]", "del_test{job=\"drop\"}"},
                                           {"start", seconds_param(t0 + 20'000)},
                                           {"end", seconds_param(t0 + 49'000)}}),
                    "application/x-www-form-urlencoded");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 204) << r->body;
    auto check = [&](HttpClient& cl) {
      SeriesSamples got = range_samples(cl, "del_test", t0 + 99'000, 200);
      ASSERT_EQ(got.size(), 2u);
      const auto& drop = got[R"({"__name__":"del_test","job":"drop"})"];
      const auto& keep = got[R"({"__name__":"del_test","job":"keep"})"];
      EXPECT_EQ(keep.size(), 100u);
      EXPECT_EQ(drop.size(), 70u);
      for (int i = 20; i < 50; ++i) EXPECT_EQ(drop.count(t0 + i * 1000), 0u) << i;
      EXPECT_EQ(drop.count(t0 + 19'000), 1u);
      EXPECT_EQ(drop.count(t0 + 50'000), 1u);
    };
    check(c);
    r = c.post("/api/v1/admin/tsdb/clean_tombstones", "", "application/x-www-form-urlencoded");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 204) << r->body;
    check(c);
    EXPECT_EQ((*srv)->stop(), 0);
    // Deletions survive a restart.
    auto again = start_on(data, {"--web.enable-admin-api"});
    ASSERT_TRUE(again.ok()) << again.status();
    HttpClient c2 = (*again)->client();
    check(c2);
  }
  // Without --web.enable-admin-api the endpoints are refused (500 with
  // errorType "unavailable", exactly as Prometheus 2.42 answers).
  auto srv = start_on(data);
  ASSERT_TRUE(srv.ok());
  HttpClient c = (*srv)->client();
  auto r = c.post("/api/v1/admin/tsdb/delete_series",
                  testutil::form_encode({{"match[]", "del_test"}}),
                  "application/x-www-form-urlencoded");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, R"({"status":"error","errorType":"unavailable","error":"admin APIs disabled"})");
}

// Data older than the retention time sits in blocks that are dropped; the
// head's recent data stays. Old samples go in first, then recent ones push
// the head past 1.5 block ranges so the server cuts blocks on its own.
TEST(StrataDurabilityTest, RetentionDropsOldBlocks) {
  TempDir dir("strata-ret-");
  const std::string data = dir.path() + "/data";
  using namespace std::chrono;
  const int64_t now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const int64_t hour = 3600'000;
  const int64_t old_start = (now - 30 * hour) / hour * hour;
  auto srv = start_on(data, {"--storage.tsdb.retention.time=12h"});
  ASSERT_TRUE(srv.ok()) << srv.status();
  HttpClient c = (*srv)->client();
  // One sample a minute from 30 h ago until now, in batches of an hour.
  for (int64_t h = old_start; h < now; h += hour) {
    RwSeries s;
    s.labels = {{"__name__", "ret_test"}, {"job", "x"}};
    for (int64_t t = h; t < h + hour && t < now; t += 60'000) s.samples.push_back({t, double(t / 60'000)});
    ASSERT_EQ(*post_write(c, {s}), 204);
  }
  // Blocks are cut and retention applied in the background.
  auto deadline = steady_clock::now() + seconds(60);
  int64_t oldest = 0;
  size_t blocks = 0;
  while (steady_clock::now() < deadline) {
    SeriesSamples got = range_samples(c, "ret_test", now, 40 * 3600);
    oldest = got.empty() ? 0 : got.begin()->second.begin()->first;
    blocks = 0;
    for (const auto& e : std::filesystem::directory_iterator(data))
      if (e.is_directory() && e.path().filename().string().size() == 26) ++blocks;
    if (blocks > 0 && oldest >= now - 19 * hour) break;
    std::this_thread::sleep_for(milliseconds(500));
  }
  EXPECT_GT(blocks, 0u) << (*srv)->log();
  // Whole blocks go: what remains starts at most one compacted block range
  // (6 h, aligned) before the 12 h cut; the data from 30 h ago is gone.
  EXPECT_GE(oldest, now - 19 * hour) << "oldest sample " << (now - oldest) / hour << " h old";
  // Recent data is all there.
  SeriesSamples recent = range_samples(c, "ret_test", now, 6 * 3600);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_GE(recent.begin()->second.size(), 6u * 60 - 2);
  // The self metrics count the deletion.
  auto m = c.get("/metrics");
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(m->body, HasSubstr("retention"));
}

}  // namespace
}  // namespace strata::integration
