// Issue 8 against the real binary: one sample with a wild timestamp (1970,
// or 31 years ahead) must cost a handful of block cuts and WAL checkpoints,
// not one per empty 2 h range, and SIGTERM must still stop strata within
// seconds. With the default --storage.tsdb.too-far-in-future.time-window
// the far-future sample is refused per sample (400) while the rest of the
// request is stored.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/integration/known_data.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/remote_write.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"

namespace strata::integration {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using testutil::RwSeries;
using testutil::ServerProcess;

constexpr int64_t kFarAheadMs = int64_t(1'000'000'000'000);  // 31 years

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct DirCounts {
  int blocks = 0, checkpoints = 0, segments = 0;
};

DirCounts count_dirs(const std::string& data_dir) {
  DirCounts c;
  for (const auto& e : std::filesystem::directory_iterator(data_dir)) {
    if (e.is_directory() && e.path().filename().string().size() == 26) ++c.blocks;
  }
  for (const auto& e : std::filesystem::directory_iterator(data_dir + "/wal")) {
    if (e.path().filename().string().rfind("checkpoint.", 0) == 0) {
      ++c.checkpoints;
    } else {
      ++c.segments;
    }
  }
  return c;
}

std::unique_ptr<ServerProcess> start(std::vector<std::string> flags) {
  // Maintenance every 200 ms, so a few seconds are dozens of rounds.
  flags.push_back("--storage.tsdb.maintenance-interval=200ms");
  auto s = testutil::start_strata(std::move(flags));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

testutil::HttpResponse write(ServerProcess& s, const std::vector<RwSeries>& series) {
  auto r = s.client().post("/api/v1/write", testutil::encode_write_request(series),
                           "application/x-protobuf", testutil::remote_write_headers());
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : testutil::HttpResponse{};
}

std::string instant(ServerProcess& s, const std::string& query, int64_t t_ms) {
  auto r = s.client().get("/api/v1/query?query=" + testutil::url_encode(query) +
                          "&time=" + param_ts(t_ms));
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->body : "";
}

// Lets maintenance run several rounds, then checks that it cut at most a
// handful of blocks and that SIGTERM stops strata within a few seconds.
void expect_bounded_maintenance_and_prompt_stop(ServerProcess& s) {
  std::this_thread::sleep_for(seconds(3));
  ASSERT_TRUE(s.running()) << s.log();
  DirCounts c = count_dirs(s.data_dir());
  EXPECT_LE(c.blocks, 3) << s.log();
  EXPECT_LE(c.checkpoints, 2);
  EXPECT_LE(c.segments, 6);
  ASSERT_TRUE(s.signal(SIGTERM).ok());
  auto code = s.wait(seconds(5));
  ASSERT_TRUE(code.has_value()) << "strata still running 5 s after SIGTERM";
  EXPECT_EQ(*code, 0) << s.log();
}

TEST(StrataBoundsTest, FarFutureSampleIsRejectedPerSampleAndEarlySampleCutsOnce) {
  auto s = start({});
  ASSERT_NE(s, nullptr);
  const int64_t now = wall_ms();
  auto first = write(*s, {{{{"__name__", "bounds_now"}}, {{now, 1}}}});
  ASSERT_EQ(first.status, 204) << first.body;

  auto r = write(*s, {{{{"__name__", "bounds_early"}}, {{-5, 2}}},
                      {{{"__name__", "bounds_far"}}, {{now + kFarAheadMs, 3}}},
                      {{{"__name__", "bounds_ok"}}, {{now, 4}}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("sample timestamp too far in the future for series "
                                "{__name__=\"bounds_far\"} at timestamp " +
                                std::to_string(now + kFarAheadMs)));
  EXPECT_THAT(r.body, HasSubstr("1 of 3 samples rejected (too_far_in_future: 1), 2 samples written"));
  EXPECT_EQ(r.header("x-prometheus-remote-write-samples-written"), "2");

  // The rest of the request is stored; the far sample is not.
  EXPECT_THAT(instant(*s, "bounds_ok", now), HasSubstr("\"4\""));
  EXPECT_THAT(instant(*s, "bounds_early", 0), HasSubstr("\"2\""));
  EXPECT_THAT(instant(*s, "bounds_far", now + kFarAheadMs), HasSubstr("\"result\":[]"));
  auto m = s->client().get("/metrics");
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(m->body,
              HasSubstr("strata_remote_write_samples_rejected_total{reason=\"too_far_in_future\"} 1"));
  EXPECT_THAT(m->body,
              HasSubstr("strata_tsdb_head_samples_rejected_total{reason=\"too_far_in_future\"} 1"));

  expect_bounded_maintenance_and_prompt_stop(*s);
}

TEST(StrataBoundsTest, WithoutWindowFarFutureSampleStillCostsAHandfulOfCuts) {
  auto s = start({"--storage.tsdb.too-far-in-future.time-window=0"});
  ASSERT_NE(s, nullptr);
  const int64_t now = wall_ms();
  auto first = write(*s, {{{{"__name__", "bounds_now"}}, {{now, 1}}}});
  ASSERT_EQ(first.status, 204) << first.body;
  auto r = write(*s, {{{{"__name__", "bounds_early"}}, {{-5, 2}}},
                      {{{"__name__", "bounds_far"}}, {{now + kFarAheadMs, 3}}}});
  ASSERT_EQ(r.status, 204) << r.body;
  expect_bounded_maintenance_and_prompt_stop(*s);
}

}  // namespace
}  // namespace strata::integration
