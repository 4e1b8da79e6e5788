// Flags and configuration mapped onto the components' option structs.
#include "server/options.h"

#include <gtest/gtest.h>

namespace strata::server {
namespace {

Flags flags(const std::vector<std::string>& args) {
  auto f = parse_flags(args);
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *f : Flags{};
}

TEST(OptionsTest, StorageAndRetentionFollowPrometheus) {
  tsdb::DBOptions d = db_options(flags({"--storage.tsdb.path=/var/lib/strata", "--storage.tsdb.wal-sync=always",
                                        "--storage.tsdb.out-of-order-time-window=10m"}));
  EXPECT_EQ(d.dir, "/var/lib/strata");
  EXPECT_EQ(d.wal_sync, "always");
  EXPECT_EQ(d.out_of_order_window_ms, 600000);
  EXPECT_EQ(d.retention_ms, int64_t(15) * 86400000);
  EXPECT_EQ(storage_retention(flags({})), "15d");
  // Size alone: no time limit.
  Flags size_only = flags({"--storage.tsdb.retention.size=512MB"});
  EXPECT_EQ(db_options(size_only).retention_ms, 0);
  EXPECT_EQ(db_options(size_only).retention_bytes, int64_t(512) << 20);
  EXPECT_EQ(storage_retention(size_only), "512MiB");
  Flags both = flags({"--storage.tsdb.retention.size=1GB", "--storage.tsdb.retention.time=30d"});
  EXPECT_EQ(db_options(both).retention_ms, int64_t(30) * 86400000);
  EXPECT_EQ(storage_retention(both), "30d or 1GiB");
}

TEST(OptionsTest, EngineOptions) {
  Config c;
  c.global.evaluation_interval_ms = 15000;
  promql::EngineOptions e = engine_options(
      flags({"--query.lookback-delta=2m", "--query.timeout=30s", "--query.max-concurrency=4",
             "--query.max-samples=1000", "--query.compat=v2",
             "--enable-feature=promql-experimental-functions"}),
      c);
  EXPECT_EQ(e.lookback_delta_ms, 120000);
  EXPECT_EQ(e.timeout_s, 30);
  EXPECT_EQ(e.max_concurrency, 4);
  EXPECT_EQ(e.max_samples, 1000);
  EXPECT_EQ(e.compat, promql::Compat::kV2);
  EXPECT_TRUE(e.experimental_functions);
  EXPECT_FALSE(e.delayed_name_removal);
  EXPECT_EQ(e.default_subquery_step_ms, 15000);
}

TEST(OptionsTest, HttpOptions) {
  HttpServerOptions h = http_options(
      flags({"--web.listen-address=127.0.0.1:9999", "--web.read-timeout=30s", "--web.max-connections=3"}));
  EXPECT_EQ(h.address, "127.0.0.1:9999");
  EXPECT_EQ(h.read_timeout_ms, 30000);
  EXPECT_EQ(h.max_connections, 3);
  EXPECT_EQ(h.body_limit_bytes, uint64_t(64) << 20);
}

TEST(OptionsTest, UnknownFeaturesAreReported) {
  Flags f = flags({"--enable-feature=promql-experimental-functions,exemplar-storage"});
  EXPECT_EQ(f.unknown_features(), std::vector<std::string>{"exemplar-storage"});
  EXPECT_TRUE(f.has_feature("promql-experimental-functions"));
}

TEST(FormatBytesTest, LikeGoUnitsBase2Bytes) {
  EXPECT_EQ(format_bytes(0), "0B");
  EXPECT_EQ(format_bytes(100), "100B");
  EXPECT_EQ(format_bytes(1024), "1KiB");
  EXPECT_EQ(format_bytes(int64_t(512) << 20), "512MiB");
  EXPECT_EQ(format_bytes((int64_t(3) << 30) / 2), "1GiB512MiB");
}

}  // namespace
}  // namespace strata::server
