// server/flags: Prometheus' flag names with kingpin's syntax and messages.
#include "server/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <utility>
#include <vector>

namespace strata::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Flags parse_ok(const std::vector<std::string>& args) {
  auto f = parse_flags(args);
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *f : Flags{};
}

std::string parse_error(const std::vector<std::string>& args) {
  auto f = parse_flags(args);
  EXPECT_FALSE(f.ok());
  return f.ok() ? "" : std::string(f.status().message());
}

TEST(FlagsTest, DefaultsAreThoseOfPrometheus) {
  Flags f = parse_ok({});
  EXPECT_EQ(f.config_file, "");
  EXPECT_EQ(f.storage_path, "data/");
  EXPECT_EQ(f.retention_time, "15d");
  EXPECT_EQ(f.retention_ms, int64_t(15) * 24 * 3600 * 1000);
  EXPECT_EQ(f.retention_bytes, 0);
  EXPECT_EQ(f.ooo_window_ms, 0);
  EXPECT_EQ(f.listen_address, "0.0.0.0:9090");
  EXPECT_FALSE(f.enable_lifecycle);
  EXPECT_FALSE(f.enable_admin_api);
  EXPECT_EQ(f.read_timeout_ms, 5 * 60 * 1000);
  EXPECT_EQ(f.max_connections, 512);
  EXPECT_EQ(f.lookback_delta_ms, 5 * 60 * 1000);
  EXPECT_EQ(f.query_timeout_ms, 2 * 60 * 1000);
  EXPECT_EQ(f.query_max_concurrency, 20);
  EXPECT_EQ(f.query_max_samples, 50'000'000);
  EXPECT_EQ(f.query_compat, "v3");
  EXPECT_TRUE(f.features.empty());
  EXPECT_EQ(f.log_level, "info");
  EXPECT_EQ(f.log_format, "logfmt");
  EXPECT_FALSE(f.help);
  EXPECT_FALSE(f.version);
}

TEST(FlagsTest, ValueAfterEqualsOrAsNextArgument) {
  Flags a = parse_ok(
      {"--query.timeout=30s", "--web.listen-address=127.0.0.1:9191", "--storage.tsdb.path=/tmp/x"});
  Flags b = parse_ok({"--query.timeout", "30s", "--web.listen-address", "127.0.0.1:9191",
                      "--storage.tsdb.path", "/tmp/x"});
  for (const Flags* f : {&a, &b}) {
    EXPECT_EQ(f->query_timeout, "30s");
    EXPECT_EQ(f->query_timeout_ms, 30000);
    EXPECT_EQ(f->listen_address, "127.0.0.1:9191");
    EXPECT_EQ(f->storage_path, "/tmp/x");
  }
  // A value may itself contain '=' and may start with a dash when separate.
  EXPECT_EQ(parse_ok({"--config.file=a=b.yml"}).config_file, "a=b.yml");
  EXPECT_EQ(parse_ok({"--config.file", "-weird.yml"}).config_file, "-weird.yml");
  // The last occurrence of a single-valued flag wins.
  EXPECT_EQ(parse_ok({"--log.level=debug", "--log.level=error"}).log_level, "error");
}

TEST(FlagsTest, BooleansAndTheirNegation) {
  EXPECT_TRUE(parse_ok({"--web.enable-lifecycle"}).enable_lifecycle);
  EXPECT_TRUE(parse_ok({"--web.enable-lifecycle=true"}).enable_lifecycle);
  EXPECT_FALSE(parse_ok({"--web.enable-lifecycle=false"}).enable_lifecycle);
  EXPECT_FALSE(parse_ok({"--web.enable-lifecycle", "--no-web.enable-lifecycle"}).enable_lifecycle);
  EXPECT_TRUE(parse_ok({"--no-web.enable-admin-api", "--web.enable-admin-api"}).enable_admin_api);
  // A boolean never takes the next argument as its value.
  EXPECT_EQ(parse_error({"--web.enable-lifecycle", "true"}), "unexpected true");
  EXPECT_EQ(parse_error({"--web.enable-lifecycle=maybe"}),
            "invalid value \"maybe\" for flag --web.enable-lifecycle: expected true or false");
  // Only booleans have a --no- form.
  EXPECT_EQ(parse_error({"--no-query.timeout"}), "unknown long flag '--no-query.timeout'");
}

TEST(FlagsTest, HelpAndVersion) {
  EXPECT_TRUE(parse_ok({"--help"}).help);
  EXPECT_TRUE(parse_ok({"-h"}).help);
  EXPECT_TRUE(parse_ok({"--version"}).version);
  std::string help = help_text();
  EXPECT_THAT(help, HasSubstr("usage: strata [<flags>]"));
  for (const auto& [name, value] : Flags{}.as_map())
    EXPECT_THAT(help, HasSubstr("--" + name)) << name;
  EXPECT_THAT(help, HasSubstr("--query.timeout=<duration>"));
  EXPECT_THAT(help, HasSubstr("(default: 2m)"));
  EXPECT_THAT(help, HasSubstr("(repeatable)"));
}

TEST(FlagsTest, UnknownFlagsAndStrayArguments) {
  EXPECT_EQ(parse_error({"--nope"}), "unknown long flag '--nope'");
  EXPECT_EQ(parse_error({"--nope=1"}), "unknown long flag '--nope'");
  EXPECT_EQ(parse_error({"-x"}), "unknown short flag '-x'");
  EXPECT_EQ(parse_error({"serve"}), "unexpected serve");
  EXPECT_EQ(parse_error({"--query.timeout"}), "expected argument for flag '--query.timeout'");
  // A Prometheus 2 flag Strata does not have.
  EXPECT_EQ(parse_error({"--storage.tsdb.retention=15d"}),
            "unknown long flag '--storage.tsdb.retention'");
}

TEST(FlagsTest, BadValuesNameTheFlagAndTheValue) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--query.timeout=abc"},
       "invalid value \"abc\" for flag --query.timeout: not a valid duration string: \"abc\""},
      {{"--query.lookback-delta=1.5m"},
       "invalid value \"1.5m\" for flag --query.lookback-delta: not a valid duration string: "
       "\"1.5m\""},
      {{"--query.lookback-delta=0s"},
       "invalid value \"0s\" for flag --query.lookback-delta: must be positive"},
      {{"--web.read-timeout=-1s"},
       "invalid value \"-1s\" for flag --web.read-timeout: not a valid duration string: \"-1s\""},
      {{"--storage.tsdb.retention.time=forever"},
       "invalid value \"forever\" for flag --storage.tsdb.retention.time: not a valid duration "
       "string: \"forever\""},
      {{"--web.max-connections=0"},
       "invalid value \"0\" for flag --web.max-connections: must be at least 1"},
      {{"--web.max-connections=many"},
       "invalid value \"many\" for flag --web.max-connections: expected an integer"},
      {{"--web.max-inflight-body-size=63MB"},
       "invalid value \"63MB\" for flag --web.max-inflight-body-size: must be 0 or at least 64MB"},
      {{"--web.max-inflight-body-size=1kB"},
       "invalid value \"1kB\" for flag --web.max-inflight-body-size: units: unknown unit kB in 1kB"},
      {{"--query.max-samples=1e6"},
       "invalid value \"1e6\" for flag --query.max-samples: expected an integer"},
      {{"--query.max-concurrency=99999999999999999999"},
       "invalid value \"99999999999999999999\" for flag --query.max-concurrency: value out of "
       "range"},
      {{"--query.compat=v4"},
       "invalid value \"v4\" for flag --query.compat: must be one of v3, v2"},
      {{"--log.level=trace"},
       "invalid value \"trace\" for flag --log.level: must be one of debug, info, warn, error"},
      {{"--log.format=text"},
       "invalid value \"text\" for flag --log.format: must be one of logfmt, json"},
      {{"--storage.tsdb.wal-sync=sometimes"},
       "invalid value \"sometimes\" for flag --storage.tsdb.wal-sync: must be one of always, "
       "interval, never"},
      {{"--web.listen-address=localhost"},
       "invalid value \"localhost\" for flag --web.listen-address: address localhost: missing "
       "port in address"},
      {{"--storage.tsdb.path="},
       "invalid value \"\" for flag --storage.tsdb.path: must not be empty"},
      {{"--storage.tsdb.retention.size=1XB"},
       "invalid value \"1XB\" for flag --storage.tsdb.retention.size: units: unknown unit XB in 1XB"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args[0]);
    EXPECT_EQ(parse_error(c.args), c.message);
  }
}

TEST(FlagsTest, ValuesAreConverted) {
  Flags f = parse_ok({"--storage.tsdb.retention.time=1y2w", "--storage.tsdb.retention.size=512MB",
                      "--storage.tsdb.out-of-order-time-window=30m", "--web.read-timeout=1s",
                      "--web.max-connections=7", "--query.max-samples=1000",
                      "--query.max-concurrency=3", "--query.compat=v2", "--log.level=debug",
                      "--log.format=json", "--storage.tsdb.wal-sync=always",
                      "--web.max-inflight-body-size=1GB"});
  EXPECT_EQ(f.retention_ms, (int64_t(365) + 14) * 24 * 3600 * 1000);
  EXPECT_EQ(f.retention_bytes, int64_t(512) << 20);
  EXPECT_EQ(f.ooo_window_ms, 30 * 60 * 1000);
  EXPECT_EQ(f.read_timeout_ms, 1000);
  EXPECT_EQ(f.max_connections, 7);
  EXPECT_EQ(f.max_inflight_body_bytes, int64_t(1) << 30);
  EXPECT_EQ(f.query_max_samples, 1000);
  EXPECT_EQ(f.query_max_concurrency, 3);
  EXPECT_EQ(f.query_compat, "v2");
  EXPECT_EQ(f.log_level, "debug");
  EXPECT_EQ(f.log_format, "json");
  EXPECT_EQ(f.wal_sync, "always");
}

TEST(FlagsTest, EnableFeatureIsRepeatableAndCommaSeparated) {
  Flags f = parse_ok({"--enable-feature=promql-experimental-functions,promql-delayed-name-removal",
                      "--enable-feature", "exotic", "--enable-feature=,"});
  EXPECT_THAT(f.features, ElementsAre("promql-experimental-functions",
                                      "promql-delayed-name-removal", "exotic"));
  EXPECT_EQ(f.as_map()["enable-feature"],
            "promql-experimental-functions,promql-delayed-name-removal,exotic");
}

TEST(FlagsTest, AsMapHasEveryFlagAsStatusFlagsShowsIt) {
  Flags f = parse_ok({"--web.enable-lifecycle", "--query.timeout=30s"});
  auto m = f.as_map();
  std::set<std::string> names;
  for (const auto& [k, v] : m) names.insert(k);
  EXPECT_EQ(names, (std::set<std::string>{"alertmanager.drain-notification-queue-on-shutdown",
                                          "alertmanager.notification-queue-capacity",
                                          "notifications.config.file",
                                          "rules.alert.for-grace-period",
                                          "rules.alert.for-outage-tolerance",
                                          "rules.alert.resend-delay",
                                          "config.file",
                                          "enable-feature",
                                          "log.format",
                                          "log.level",
                                          "query.compat",
                                          "query.lookback-delta",
                                          "query.max-concurrency",
                                          "query.max-samples",
                                          "query.timeout",
                                          "storage.exemplars.exemplars-limit",
                                          "storage.prometheus-tsdb.path",
                                          "storage.remote.read-concurrent-limit",
                                          "storage.remote.read-max-bytes-in-frame",
                                          "storage.remote.read-sample-limit",
                                          "storage.tsdb.head-snapshot-on-shutdown",
                                          "storage.tsdb.max-series",
                                          "storage.tsdb.out-of-order-time-window",
                                          "storage.tsdb.path",
                                          "storage.tsdb.retention.size",
                                          "storage.tsdb.retention.time",
                                          "storage.tsdb.too-far-in-future.time-window",
                                          "storage.tsdb.wal-sync",
                                          "web.config.file",
                                          "web.cors.origin",
                                          "web.dashboards.dir",
                                          "web.enable-admin-api",
                                          "web.enable-lifecycle",
                                          "web.enable-otlp-receiver",
                                          "web.enable-remote-write-receiver",
                                          "web.external-url",
                                          "web.listen-address",
                                          "web.max-connections",
                                          "web.max-inflight-body-size",
                                          "web.read-timeout"}));
  EXPECT_EQ(m["web.enable-lifecycle"], "true");
  EXPECT_EQ(m["web.enable-admin-api"], "false");
  EXPECT_EQ(m["query.timeout"], "30s");
  EXPECT_EQ(m["query.max-samples"], "50000000");
  EXPECT_EQ(m["storage.tsdb.retention.size"], "0B");
}

TEST(ParseBytesTest, PrometheusUnitsArePowersOf1024) {
  EXPECT_EQ(parse_bytes("0").value(), 0);
  EXPECT_EQ(parse_bytes("0B").value(), 0);
  EXPECT_EQ(parse_bytes("100B").value(), 100);
  EXPECT_EQ(parse_bytes("1KB").value(), 1024);
  EXPECT_EQ(parse_bytes("512MB").value(), int64_t(512) << 20);
  EXPECT_EQ(parse_bytes("1GB").value(), int64_t(1) << 30);
  EXPECT_EQ(parse_bytes("2TB").value(), int64_t(2) << 40);
  EXPECT_EQ(parse_bytes("1EB").value(), int64_t(1) << 60);
  EXPECT_EQ(parse_bytes("1GiB").value(), int64_t(1) << 30);
  EXPECT_EQ(parse_bytes("1.5GB").value(), int64_t(3) << 29);
  EXPECT_EQ(parse_bytes(".5KiB").value(), 512);
  EXPECT_EQ(parse_bytes("1KB512B").value(), 1536);
  EXPECT_EQ(parse_bytes("-1GB").value(), -(int64_t(1) << 30));
  EXPECT_EQ(parse_bytes("7EiB1023PiB1023TiB1023GiB1023MiB1023KiB1023B").value(), INT64_MAX);
  EXPECT_EQ(parse_bytes("8EiB").value(), INT64_MAX);  // passes Go's float64 bound; saturated
}

// One rule for flags and config keys: a size <= 0 is "no limit" (0); errors pass through.
TEST(ParseBytesTest, SizeLimitReadsNegativeAsNoLimit) {
  EXPECT_EQ(parse_size_limit("-1GB").value(), 0);
  EXPECT_EQ(parse_size_limit("-0.5KiB").value(), 0);
  EXPECT_EQ(parse_size_limit("0").value(), 0);
  EXPECT_EQ(parse_size_limit("1KB").value(), 1024);
  EXPECT_EQ(parse_size_limit("1kB").status().message(), "units: unknown unit kB in 1kB");
}

// Each case checked with promtool check config (Prometheus 2.42) as a scrape
// config's body_size_limit; the messages are units.ParseBase2Bytes'.
TEST(ParseBytesTest, RejectsWhatPrometheusRejects) {
  const std::pair<const char*, const char*> cases[] = {
      {"100", "units: unknown unit  in 100"},
      {"1kB", "units: unknown unit kB in 1kB"},
      {"1 GB", "units: unknown unit  GB in 1 GB"},
      {"10b", "units: unknown unit b in 10b"},
      {"1GiBx", "units: unknown unit GiBx in 1GiBx"},
      {"1GB1GiB", "units: unknown unit GiB in 1GB1GiB"},  // one table per value
      {"99999999999EB", "units: overflow parsing unit"},
      {"9EB", "units: overflow parsing unit"},
      {"", "units: invalid "},
      {"MB", "units: invalid MB"},
      {"+", "units: invalid +"},
      {"99999999999999999999B", "units: invalid 99999999999999999999B"},
  };
  for (auto [in, message] : cases) {
    SCOPED_TRACE(in);
    auto b = parse_bytes(in);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.status().message(), message);
  }
}

// Whatever format_bytes prints (what /api/v1/status/config shows) parses
// back to the same size: the fuzz finding body_size_limit: 3333333333,
// printed 3GiB106MiB936KiB341B, which the old parser refused.
TEST(ParseBytesTest, PrintedSizesParseBack) {
  std::mt19937_64 rng(7);
  std::vector<int64_t> sizes = {1, 1023, 1024, 3333333333, INT64_MAX, int64_t(1) << 62};
  for (int i = 0; i < 2000; ++i) sizes.push_back(int64_t(rng() >> (1 + rng() % 63)));
  for (int64_t n : sizes) {
    if (n <= 0) continue;
    SCOPED_TRACE(n);
    auto b = parse_bytes(format_bytes(n));
    ASSERT_TRUE(b.ok()) << format_bytes(n) << ": " << b.status();
    EXPECT_EQ(*b, n);
  }
}

}  // namespace
}  // namespace strata::server
