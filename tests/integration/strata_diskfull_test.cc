// The strata binary on a full disk: its data directory on a small tmpfs
// that the test fills with a filler file.
//  - remote write answers 503 "storage unavailable: no space left on
//    device" (senders retry), logged once rather than per request, with
//    strata_tsdb_storage_writable 0 and strata_tsdb_wal_writes_failed_total;
//  - /-/healthy stays 200, queries answer with what is stored, a scrape of
//    Strata itself keeps the target up but counts its samples as not stored;
//  - freeing the space makes writes succeed again without a restart;
//  - SIGKILL while full and a restart after space returned: every sample
//    that got a 2xx, before, while or after the disk was full, is there.
// Needs root (mount(2)); skipped with the reason otherwise.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/testutil/eventually.h"
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

// Big enough for the server's first segment, checkpoints and a few hundred
// kilobytes of WAL; small enough to fill in a moment.
constexpr const char* kTmpfsSize = "size=24m";
constexpr int kSeries = 4;

int64_t base_time_ms() {
  using namespace std::chrono;
  static const int64_t t =
      duration_cast<seconds>(system_clock::now().time_since_epoch()).count() * 1000 - 1800 * 1000;
  return t;
}

// Batch `seq`: one sample per series at base + seq * 100 ms, value seq.
std::vector<RwSeries> batch(int64_t seq) {
  std::vector<RwSeries> b;
  for (int i = 0; i < kSeries; ++i) {
    RwSeries s;
    s.labels = {{"__name__", "diskfull_test"}, {"series", std::to_string(i)}};
    s.samples.push_back({base_time_ms() + seq * 100, double(seq)});
    b.push_back(std::move(s));
  }
  return b;
}

struct Post {
  int status = 0;
  std::string body;
};
Post post(HttpClient& c, int64_t seq) {
  auto r = c.post("/api/v1/write", testutil::encode_write_request(batch(seq)),
                  "application/x-protobuf", testutil::remote_write_headers());
  if (!r.ok()) return {0, r.status().ToString()};
  return {r->status, r->body};
}

// The value of an unlabelled sample in the /metrics text, or -1.
double metric(HttpClient& c, const std::string& name) {
  auto r = c.get("/metrics");
  if (!r.ok()) return -1;
  std::string key = "\n" + name + " ";
  size_t p = r->body.find(key);
  if (p == std::string::npos) return -1;
  return std::stod(r->body.substr(p + key.size()));
}

size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// Mounts a tmpfs on construction, lazily unmounts it on destruction (also
// when an assertion ended the test early; a server still holding files
// there does not keep it busy).
class Tmpfs {
 public:
  explicit Tmpfs(std::string dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, kTmpfsSize) == 0)
      mounted_ = true;
    else
      err_ = errno;
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  int error() const { return err_; }
  const std::string& dir() const { return dir_; }

  // Writes a filler file until the file system is full.
  void fill() {
    std::string path = dir_ + "/filler";
    FILE* f = std::fopen(path.c_str(), "ab");
    ASSERT_NE(f, nullptr) << std::strerror(errno);
    std::string chunk(64 * 1024, 'x');
    // Bounded: the tmpfs holds 24 MiB.
    for (int i = 0; i < 4096; ++i) {
      if (std::fwrite(chunk.data(), 1, chunk.size(), f) != chunk.size() || std::fflush(f) != 0)
        break;
    }
    // The last partial chunk too, byte by byte in small pieces.
    std::string small(512, 'x');
    for (int i = 0; i < 256; ++i) {
      if (std::fwrite(small.data(), 1, small.size(), f) != small.size() || std::fflush(f) != 0)
        break;
    }
    std::fclose(f);
  }
  void free_space() { std::filesystem::remove(dir_ + "/filler"); }

 private:
  std::string dir_;
  bool mounted_ = false;
  int err_ = 0;
};

class StrataDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs";
    tmpfs_ = std::make_unique<Tmpfs>(dir_.path() + "/mnt");
    if (!tmpfs_->mounted()) {
      if (tmpfs_->error() == EPERM || tmpfs_->error() == EACCES)
        GTEST_SKIP() << "mount -t tmpfs not permitted here: " << std::strerror(tmpfs_->error());
      FAIL() << "mount tmpfs: " << std::strerror(tmpfs_->error());
    }
  }
  void TearDown() override {
    srv_.reset();  // before the unmount
    tmpfs_.reset();
  }

  // Strata on the tmpfs, scraping itself every second.
  void start() {
    port_ = testutil::free_port();
    std::string self = "127.0.0.1:" + std::to_string(port_);
    std::string config =
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n"
        "    static_configs:\n      - targets: [\"" + self + "\"]\n";
    auto s = testutil::start_strata(
        {"--storage.tsdb.path=" + tmpfs_->dir() + "/data", "--web.listen-address=" + self}, config);
    ASSERT_TRUE(s.ok()) << s.status();
    srv_ = std::move(*s);
  }

  // Posts batches from next_seq_ on until one is refused (or `max` were
  // sent); records what was acknowledged. Returns the refusal.
  Post write_until_refused(HttpClient& c, int max) {
    for (int i = 0; i < max; ++i) {
      int64_t seq = next_seq_++;
      Post p = post(c, seq);
      if (p.status == 204) {
        acked_.push_back(seq);
        continue;
      }
      return p;
    }
    return {};
  }

  // Every acknowledged sample, read back exactly.
  void expect_all_acked(HttpClient& c, const std::string& when) {
    int64_t end = base_time_ms() + next_seq_ * 100;
    auto r = c.get("/api/v1/query?" +
                   testutil::form_encode({{"query", "diskfull_test[" +
                                                        std::to_string(next_seq_ / 10 + 10) + "s]"},
                                          {"time", std::to_string(double(end) / 1000)}}));
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    std::map<std::string, std::map<int64_t, double>> got;
    const auto& result = j["data"]["result"];
    for (const auto& s : result) {
      auto& m = got[s["metric"]["series"].get<std::string>()];
      for (const auto& v : s["values"])
        m[std::llround(v[0].get<double>() * 1000)] = std::stod(v[1].get<std::string>());
    }
    for (int i = 0; i < kSeries; ++i) {
      const auto& m = got[std::to_string(i)];
      for (int64_t seq : acked_) {
        auto p = m.find(base_time_ms() + seq * 100);
        ASSERT_NE(p, m.end()) << when << ": series " << i << " lost acknowledged batch " << seq
                              << " (" << acked_.size() << " acknowledged, " << m.size()
                              << " found)\n" << srv_->log();
        ASSERT_EQ(p->second, double(seq));
      }
    }
  }

  TempDir dir_{"strata-diskfull-"};
  std::unique_ptr<Tmpfs> tmpfs_;
  std::unique_ptr<ServerProcess> srv_;
  int port_ = 0;
  int64_t next_seq_ = 0;
  std::vector<int64_t> acked_;
};

TEST_F(StrataDiskFullTest, RefusesWritesWhileFullRecoversAndLosesNothingAcknowledged) {
  ASSERT_NO_FATAL_FAILURE(start());
  HttpClient c = srv_->client();
  // Before: everything is written.
  for (int i = 0; i < 50; ++i) {
    int64_t seq = next_seq_++;
    Post p = post(c, seq);
    ASSERT_EQ(p.status, 204) << p.body;
    acked_.push_back(seq);
  }
  ASSERT_TRUE(testutil::eventually([&] { return metric(c, "strata_target_scrapes_storage_failed_total") == 0; }));

  // Full: the first writes may still fit a partly used page; then 503.
  ASSERT_NO_FATAL_FAILURE(tmpfs_->fill());
  Post refused = write_until_refused(c, 2000);
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("storage unavailable: no space left on device"));
  for (int i = 0; i < 30; ++i) {
    int64_t seq = next_seq_++;
    Post p = post(c, seq);
    EXPECT_EQ(p.status, 503) << p.body;
    if (p.status == 204) acked_.push_back(seq);
  }
  EXPECT_EQ(metric(c, "strata_tsdb_storage_writable"), 0);
  EXPECT_GE(metric(c, "strata_tsdb_wal_writes_failed_total"), 30);
  // Logged clearly, but not once per request.
  std::string log = srv_->log();
  EXPECT_THAT(log, HasSubstr("WAL write failed: no space left on device"));
  EXPECT_LE(count_of(log, "WAL write failed"), 3u) << log;
  EXPECT_LE(count_of(log, "storage failed, request not written"), 3u) << log;
  // Alive, and queries answer with what is stored.
  auto h = c.get("/-/healthy");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
  ASSERT_NO_FATAL_FAILURE(expect_all_acked(c, "while full"));
  // The self-scrape: the target stays up, its samples are counted as not stored.
  EXPECT_TRUE(testutil::eventually(
      [&] { return metric(c, "strata_target_scrape_samples_storage_failed_total") > 0; },
      std::chrono::seconds(10)))
      << srv_->log();
  EXPECT_GE(metric(c, "strata_target_scrapes_storage_failed_total"), 1);
  auto t = c.get("/api/v1/targets");
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(t->body, HasSubstr(R"("health":"up")"));

  // Space returns: the next write succeeds, no restart.
  tmpfs_->free_space();
  for (int i = 0; i < 50; ++i) {
    int64_t seq = next_seq_++;
    Post p = post(c, seq);
    ASSERT_EQ(p.status, 204) << "after space returned: " << p.body;
    acked_.push_back(seq);
  }
  EXPECT_EQ(metric(c, "strata_tsdb_storage_writable"), 1);
  EXPECT_THAT(srv_->log(), HasSubstr("WAL writable again"));
  ASSERT_NO_FATAL_FAILURE(expect_all_acked(c, "after space returned"));

  // Full again, SIGKILL while full, restart once space returned.
  ASSERT_NO_FATAL_FAILURE(tmpfs_->fill());
  refused = write_until_refused(c, 2000);
  ASSERT_EQ(refused.status, 503) << refused.body;
  ASSERT_TRUE(srv_->signal(SIGKILL).ok());
  srv_->wait(std::chrono::seconds(10));
  srv_.reset();
  tmpfs_->free_space();
  ASSERT_NO_FATAL_FAILURE(start());
  HttpClient c2 = srv_->client();
  ASSERT_NO_FATAL_FAILURE(expect_all_acked(c2, "after SIGKILL while full and a restart"));
  // And it writes.
  for (int i = 0; i < 10; ++i) {
    int64_t seq = next_seq_++;
    Post p = post(c2, seq);
    ASSERT_EQ(p.status, 204) << p.body;
    acked_.push_back(seq);
  }
  ASSERT_NO_FATAL_FAILURE(expect_all_acked(c2, "at the end"));
  EXPECT_GT(acked_.size(), 110u);
  std::fprintf(stderr, "%zu of %lld batches acknowledged\n", acked_.size(),
               static_cast<long long>(next_seq_));
}

}  // namespace
}  // namespace strata::integration
