// Prometheus 2.42 as the oracle for ingestion and storage: a real Prometheus
// (/usr/bin/prometheus, Debian package) scrapes itself every second and
// remote-writes everything to strata (--query.compat=v2, Prometheus 2.x
// semantics) for about a minute. Then, for every series Prometheus holds:
//
//   * the raw samples of a window ending at T (a few seconds in the past, so
//     remote write has delivered everything up to T) are the same in both:
//     same series, same timestamps, same values (compared as the API's value
//     strings, so NaN = NaN and formatting must agree too; stale markers are
//     returned by neither);
//   * /api/v1/query at every scrape timestamp up to T returns the same
//     vector (every series, same value) from both;
//   * /api/v1/metadata of strata (fed by remote write) agrees with
//     Prometheus' own for every metric.
//
// The run is bounded: ORACLE_SECONDS (default 60) of scraping, at most 60 s
// for remote write to catch up. Both servers listen on 127.0.0.1 on free
// ports and are stopped by PID.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/known_data.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"

namespace strata::integration {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
using testutil::form_encode;
using testutil::HttpClient;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Series (the metric object as compact JSON, keys sorted) -> [(ts, value)].
using Samples = std::vector<std::pair<std::string, std::string>>;
using SeriesMap = std::map<std::string, Samples>;

// GET target; the parsed `data`, or a failure described in `error`.
std::optional<json> get_data(HttpClient& c, const std::string& target, std::string* error) {
  auto r = c.get(target);
  if (!r.ok()) {
    *error = std::string(r.status().message());
    return std::nullopt;
  }
  if (r->status != 200) {
    *error = "HTTP " + std::to_string(r->status) + ": " + r->body.substr(0, 500);
    return std::nullopt;
  }
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("data")) {
    *error = "not an API answer: " + r->body.substr(0, 500);
    return std::nullopt;
  }
  return j["data"];
}

std::string ts_string(const json& ts) {
  // Timestamps are JSON numbers with at most 3 decimals: compare them in ms.
  return std::to_string(int64_t(std::llround(ts.get<double>() * 1000)));
}

// Raw samples of every series in (t - window, t] as a matrix.
std::optional<SeriesMap> raw_samples(HttpClient& c, int64_t t_ms, int window_s,
                                     std::string* error) {
  auto d =
      get_data(c,
               "/api/v1/query?" +
                   form_encode({{"query", "{__name__=~\".+\"}[" + std::to_string(window_s) + "s]"},
                                {"time", param_ts(t_ms)}}),
               error);
  if (!d) return std::nullopt;
  if ((*d)["resultType"] != "matrix") {
    *error = "not a matrix";
    return std::nullopt;
  }
  SeriesMap out;
  for (const auto& s : (*d)["result"]) {
    Samples& samples = out[s["metric"].dump()];
    for (const auto& p : s.value("values", json::array()))
      samples.emplace_back(ts_string(p[0]), p[1].get<std::string>());
  }
  return out;
}

// Every series' value in an instant vector at `t_ms`.
std::optional<std::map<std::string, std::string>> instant_vector(HttpClient& c, int64_t t_ms,
                                                                 std::string* error) {
  auto d = get_data(
      c,
      "/api/v1/query?" + form_encode({{"query", "{__name__=~\".+\"}"}, {"time", param_ts(t_ms)}}),
      error);
  if (!d) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& s : (*d)["result"]) out[s["metric"].dump()] = s["value"][1].get<std::string>();
  return out;
}

size_t count(const SeriesMap& m) {
  size_t n = 0;
  for (const auto& [k, v] : m) n += v.size();
  return n;
}

// Human-readable differences between two series maps: per series, the
// first differing sample and how many differ (at most `max` series).
std::vector<std::string> differences(const SeriesMap& prom, const SeriesMap& strata, size_t max) {
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    if (out.size() < max) out.push_back(std::move(s));
  };
  for (const auto& [series, samples] : prom) {
    auto it = strata.find(series);
    if (it == strata.end()) {
      add("missing in strata: " + series + " (" + std::to_string(samples.size()) + " samples)");
      continue;
    }
    if (it->second == samples) continue;
    std::map<std::string, std::string> a(samples.begin(), samples.end()),
        b(it->second.begin(), it->second.end());
    std::string first;
    size_t n = 0;
    auto note = [&](const std::string& ts, const std::string& pv, const std::string& sv) {
      if (n++ == 0) first = " @" + ts + ": prometheus=" + pv + " strata=" + sv;
    };
    for (const auto& [ts, v] : a) {
      auto k = b.find(ts);
      if (k == b.end())
        note(ts, v, "(none)");
      else if (k->second != v)
        note(ts, v, k->second);
    }
    for (const auto& [ts, v] : b)
      if (!a.count(ts)) note(ts, "(none)", v);
    add(series + first + (n > 1 ? " (and " + std::to_string(n - 1) + " more samples)" : ""));
  }
  for (const auto& [series, samples] : strata)
    if (!prom.count(series))
      add("only in strata: " + series + " (" + std::to_string(samples.size()) + " samples)");
  return out;
}

class PrometheusOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testutil::prometheus_installed())
      GTEST_SKIP() << testutil::kPrometheusBinary << " is not installed (Debian package prometheus)";
    auto s = testutil::start_strata({"--query.compat=v2"});
    ASSERT_TRUE(s.ok()) << s.status();
    strata_ = std::move(*s);

    prom_port_ = testutil::free_port();
    const std::string self = "127.0.0.1:" + std::to_string(prom_port_);
    const std::string config =
                "global:\n"
                "  scrape_interval: 1s\n"
                "  scrape_timeout: 1s\n"
                "  evaluation_interval: 1s\n"
                "scrape_configs:\n"
                "  - job_name: prometheus\n"
                "    static_configs:\n"
                "      - targets: ['" +
                    self +
                    "']\n"
                    "remote_write:\n"
                    "  - url: http://127.0.0.1:" +
                    std::to_string(strata_->port()) +
                    "/api/v1/write\n"
                    "    remote_timeout: 10s\n"
                    "    queue_config:\n"
                    "      batch_send_deadline: 1s\n"
                    "      max_samples_per_send: 2000\n"
                    "      min_backoff: 100ms\n"
                    "      max_backoff: 1s\n"
                    "    metadata_config:\n"
                    "      send_interval: 5s\n";
    auto p = testutil::start_prometheus(config, prom_port_);
    ASSERT_TRUE(p.ok()) << p.status();
    prom_ = std::move(*p);
    started_ms_ = now_ms();
  }

  void TearDown() override {
    // Prometheus first: it would keep retrying remote writes to a stopped strata.
    if (prom_) {
      EXPECT_EQ(prom_->stop(), 0) << prom_->log().substr(0, 3000);
    }
    if (strata_) {
      EXPECT_EQ(strata_->stop(), 0);
    }
  }

  std::unique_ptr<testutil::ServerProcess> strata_, prom_;
  int prom_port_ = 0;
  int64_t started_ms_ = 0;
};

TEST_F(PrometheusOracleTest, EveryScrapedSampleReachesStrataUnchanged) {
  const int run_s = env_int("ORACLE_SECONDS", 60);
  const auto run_until = Clock::now() + std::chrono::seconds(run_s);
  while (Clock::now() < run_until) {
    ASSERT_TRUE(prom_->running()) << "prometheus died:\n" << prom_->log();
    ASSERT_TRUE(strata_->running()) << "strata died:\n" << strata_->log();
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  // T: a few seconds in the past; the window covers everything since start.
  const int64_t t = now_ms() - 5000;
  const int window_s = int((t - started_ms_) / 1000) + 60;
  HttpClient prom("127.0.0.1", prom_port_, std::chrono::seconds(60));
  HttpClient strata = strata_->client();
  std::string error;
  auto expected = raw_samples(prom, t, window_s, &error);
  ASSERT_TRUE(expected.has_value()) << "prometheus: " << error;
  ASSERT_GT(expected->size(), 100u) << "prometheus scraped too little";

  // Remote write catches up: strata's sample count grows to Prometheus'.
  std::optional<SeriesMap> got;
  const auto catch_up_until = Clock::now() + std::chrono::seconds(60);
  for (;;) {
    got = raw_samples(strata, t, window_s, &error);
    ASSERT_TRUE(got.has_value()) << "strata: " << error;
    if (count(*got) >= count(*expected) || Clock::now() >= catch_up_until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::printf(
      "oracle: prometheus %zu series / %zu samples, strata %zu series / %zu samples in the %d s "
      "window\n",
      expected->size(), count(*expected), got->size(), count(*got), window_s);
  const std::vector<std::string> diffs = differences(*expected, *got, 30);
  for (const std::string& d : diffs) ADD_FAILURE() << d;
  EXPECT_TRUE(*got == *expected) << "raw samples differ (first differences above)";

  // Instant queries at every scrape timestamp (those of Prometheus' `up`).
  std::set<int64_t> scrapes;
  for (const auto& [series, samples] : *expected) {
    const json m = json::parse(series);
    if (m.value("__name__", "") != "up") continue;
    for (const auto& [ts, v] : samples) scrapes.insert(std::stoll(ts));
  }
  ASSERT_GE(scrapes.size(), size_t(run_s / 2)) << "too few scrapes of up";
  size_t vectors = 0, values = 0, mismatches = 0;
  std::map<std::string, std::pair<std::string, size_t>> by_series;  // first difference, count
  auto mismatch = [&](const std::string& series, int64_t ts, const std::string& pv,
                      const std::string& sv) {
    ++mismatches;
    auto& [first, n] = by_series[series];
    if (n++ == 0) first = "@" + std::to_string(ts) + ": prometheus=" + pv + " strata=" + sv;
  };
  for (int64_t ts : scrapes) {
    auto a = instant_vector(prom, ts, &error);
    ASSERT_TRUE(a.has_value()) << "prometheus @" << ts << ": " << error;
    auto b = instant_vector(strata, ts, &error);
    ASSERT_TRUE(b.has_value()) << "strata @" << ts << ": " << error;
    ++vectors;
    values += a->size();
    if (*a == *b) continue;
    for (const auto& [series, v] : *a) {
      auto it = b->find(series);
      if (it == b->end())
        mismatch(series, ts, v, "(none)");
      else if (it->second != v)
        mismatch(series, ts, v, it->second);
    }
    for (const auto& [series, v] : *b)
      if (!a->count(series)) mismatch(series, ts, "(none)", v);
  }
  size_t shown = 0;
  for (const auto& [series, d] : by_series) {
    if (++shown > 20) break;
    ADD_FAILURE() << "instant query " << series << " " << d.first
                  << (d.second > 1 ? " (and " + std::to_string(d.second - 1) + " more timestamps)"
                                   : "");
  }
  std::printf(
      "oracle: %zu instant queries at scrape timestamps, %zu series values compared, %zu differ\n",
      vectors, values, mismatches);
  EXPECT_EQ(mismatches, 0u);

  // Metadata: what Prometheus knows from its scrapes reached strata.
  auto pm = get_data(prom, "/api/v1/metadata", &error);
  ASSERT_TRUE(pm.has_value()) << "prometheus: " << error;
  auto sm = get_data(strata, "/api/v1/metadata", &error);
  ASSERT_TRUE(sm.has_value()) << "strata: " << error;
  size_t metrics = 0, metadata_mismatches = 0;
  for (const auto& [name, entries] : pm->items()) {
    ++metrics;
    if (!sm->contains(name) || (*sm)[name] != entries) {
      if (++metadata_mismatches <= 10)
        ADD_FAILURE() << "metadata of " << name << ": prometheus=" << entries.dump()
                      << " strata=" << (sm->contains(name) ? (*sm)[name].dump() : "(none)");
    }
  }
  std::printf("oracle: metadata of %zu metrics compared, %zu differ\n", metrics,
              metadata_mismatches);
  EXPECT_EQ(metadata_mismatches, 0u);
}

}  // namespace
}  // namespace strata::integration
