// http_sd_configs: what one answer means (status, Content-Type, JSON, the
// texts of Prometheus' errors), and the provider against a Beast test
// server on 127.0.0.1: changes, vanished groups, failures keeping the last
// groups, the request's headers, stop().
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <mutex>

#include "scrape/discovery/http_sd.h"
#include "scrape/discovery/provider.h"
#include "tests/testutil/eventually.h"
#include "tests/net/test_server.h"

namespace strata::scrape {
namespace {

namespace http = boost::beast::http;
using net::testing::TestServer;

net::Response answer(int status, std::string reason, std::string content_type, std::string body) {
  net::Response r;
  r.status = status;
  r.reason = std::move(reason);
  if (!content_type.empty()) r.headers.push_back({"Content-Type", std::move(content_type)});
  r.body = std::move(body);
  return r;
}

TEST(HttpSdTest, ContentTypes) {
  EXPECT_TRUE(json_content_type("application/json"));
  EXPECT_TRUE(json_content_type("  Application/JSON \t"));
  EXPECT_TRUE(json_content_type("application/json; charset=utf-8"));
  EXPECT_TRUE(json_content_type("application/json;charset=\"UTF-8\""));
  EXPECT_TRUE(json_content_type("application/json;  \tcharset=utf-8"));
  EXPECT_FALSE(json_content_type("application/json; charset=latin1"));
  EXPECT_FALSE(json_content_type("application/json; charset=\"utf-8"));
  EXPECT_FALSE(json_content_type("application/json;"));
  EXPECT_FALSE(json_content_type("application/jsonx"));
  EXPECT_FALSE(json_content_type("text/plain"));
  EXPECT_FALSE(json_content_type(""));
}

TEST(HttpSdTest, RefreshIntervalHeader) {
  EXPECT_EQ(refresh_interval_header(60000), "60");
  EXPECT_EQ(refresh_interval_header(1500), "1.5");
  EXPECT_EQ(refresh_interval_header(250), "0.25");
  EXPECT_EQ(refresh_interval_header(90061001), "90061.001");
}

TEST(HttpSdTest, GroupsOfAnAnswer) {
  const std::string url = "http://sd:8080/targets";
  auto g = http_sd_groups(answer(200, "OK", "application/json",
                                 R"([{"targets": ["a:1", "b:2"], "labels": {"env": "prod", "__meta_url": "x"}},
                                     {"targets": ["c:3"]}])"),
                          url);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->size(), 2u);
  EXPECT_EQ((*g)[0].source, "http://sd:8080/targets:0");
  EXPECT_EQ((*g)[1].source, "http://sd:8080/targets:1");
  EXPECT_EQ((*g)[0].labels.to_string(), R"({__meta_url="http://sd:8080/targets", env="prod"})");
  EXPECT_EQ((*g)[1].labels.to_string(), R"({__meta_url="http://sd:8080/targets"})");
  EXPECT_EQ((*g)[0].targets[1].get("__address__"), "b:2");

  auto empty = http_sd_groups(answer(200, "OK", "application/json", "[]"), url);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto null = http_sd_groups(answer(200, "OK", "application/json", "null"), url);
  ASSERT_TRUE(null.ok()) << null.status();
  EXPECT_TRUE(null->empty());

  auto msg = [&](const net::Response& r) {
    auto x = http_sd_groups(r, url);
    return x.ok() ? std::string("ok") : std::string(x.status().message());
  };
  EXPECT_EQ(msg(answer(404, "Not Found", "application/json", "[]")), "server returned HTTP status 404 Not Found");
  EXPECT_EQ(msg(answer(204, "No Content", "application/json", "")), "server returned HTTP status 204 No Content");
  EXPECT_EQ(msg(answer(200, "OK", "text/plain", "[]")), "unsupported content type \"text/plain\"");
  EXPECT_EQ(msg(answer(200, "OK", "", "[]")), "unsupported content type \"\"");
  EXPECT_EQ(msg(answer(200, "OK", "application/json", "[null]")), "nil target group item found");
  EXPECT_EQ(msg(answer(200, "OK", "application/json", R"([{"targets": ["a:1"], "labels": {"1x": "v"}}])")),
            "\"1x\" is not a valid label name");
  EXPECT_NE(msg(answer(200, "OK", "application/json", "[{")), "ok");
  EXPECT_NE(msg(answer(200, "OK", "application/json", "{}")), "ok");
}

// The SD endpoint's answer, changed by the test while the provider runs.
struct Endpoint {
  std::mutex mu;
  int status = 200;
  std::string content_type = "application/json";
  std::string body = "[]";
  std::string refresh_header, accept, user_agent;
  int requests = 0;

  void set(int s, std::string ct, std::string b) {
    std::lock_guard lock(mu);
    status = s;
    content_type = std::move(ct);
    body = std::move(b);
  }
  void handle(const net::testing::ServerRequest& req, net::testing::ServerResponse& res) {
    std::lock_guard lock(mu);
    ++requests;
    refresh_header = std::string(req["X-Prometheus-Refresh-Interval-Seconds"]);
    accept = std::string(req[http::field::accept]);
    user_agent = std::string(req[http::field::user_agent]);
    res.result(status);
    if (!content_type.empty()) res.set(http::field::content_type, content_type);
    res.body() = body;
  }
};

class HttpProviderTest : public ::testing::Test {
 protected:
  HttpProviderTest()
      : server_([this](const auto& req, auto& res) { endpoint_.handle(req, res); }), metrics_(&registry_) {}

  std::shared_ptr<Provider> start(int64_t refresh_ms = 1000) {
    HttpSdConfig c;
    c.url = server_.url("/sd");
    c.refresh_interval_ms = refresh_ms;
    auto p = make_http_provider(c, &metrics_, "Strata/test");
    p->start(ioc_, [this](std::vector<TargetGroup> g) { updates_.push_back(std::move(g)); });
    return p;
  }

  // Runs the loop until `done` holds (bounded by `limit`).
  template <typename F>
  bool run_until(F done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    return testutil::run_until(ioc_, done, limit);
  }
  int requests() {
    std::lock_guard lock(endpoint_.mu);
    return endpoint_.requests;
  }

  Endpoint endpoint_;
  TestServer server_;
  metrics::Registry registry_;
  DiscoveryMetrics metrics_;
  boost::asio::io_context ioc_;
  std::vector<std::vector<TargetGroup>> updates_;
};

TEST_F(HttpProviderTest, FollowsTheEndpoint) {
  endpoint_.set(200, "application/json",
                R"([{"targets": ["a:1"], "labels": {"env": "x"}}, {"targets": ["b:2", "c:3"]}])");
  auto p = start();
  ASSERT_TRUE(run_until([&] { return updates_.size() == 1; }));
  const std::string src = server_.url("/sd");
  ASSERT_EQ(updates_[0].size(), 2u);
  EXPECT_EQ(updates_[0][0].source, src + ":0");
  EXPECT_EQ(updates_[0][0].labels.get("__meta_url"), src);
  EXPECT_EQ(updates_[0][0].labels.get("env"), "x");
  EXPECT_EQ(updates_[0][1].targets.size(), 2u);
  {
    std::lock_guard lock(endpoint_.mu);
    EXPECT_EQ(endpoint_.refresh_header, "1");
    EXPECT_EQ(endpoint_.accept, "application/json");
    EXPECT_EQ(endpoint_.user_agent, "Strata/test");
  }

  // The same answer again: nothing to tell.
  ASSERT_TRUE(run_until([&] { return requests() >= 2; }));
  ioc_.run_for(std::chrono::milliseconds(100));
  ioc_.restart();
  EXPECT_EQ(updates_.size(), 1u);

  // One group fewer: the second is sent once more, empty.
  endpoint_.set(200, "application/json; charset=utf-8", R"([{"targets": ["d:4"]}])");
  ASSERT_TRUE(run_until([&] { return updates_.size() == 2; }));
  ASSERT_EQ(updates_[1].size(), 2u);
  EXPECT_EQ(updates_[1][0].targets[0].get("__address__"), "d:4");
  EXPECT_EQ(updates_[1][1].source, src + ":1");
  EXPECT_TRUE(updates_[1][1].targets.empty());

  // Failures keep what was sent and are counted, one per refresh.
  endpoint_.set(404, "text/plain", "not here");
  ASSERT_TRUE(run_until([&] { return metrics_.http_failures->value() >= 1; }));
  endpoint_.set(200, "text/plain", R"([{"targets": ["e:5"]}])");
  ASSERT_TRUE(run_until([&] { return metrics_.http_failures->value() >= 2; }));
  endpoint_.set(200, "application/json", R"([{"targets": ["e:5"])");
  ASSERT_TRUE(run_until([&] { return metrics_.http_failures->value() >= 3; }));
  EXPECT_EQ(updates_.size(), 2u);

  // Back to good: the new groups, and nothing about the old second group.
  endpoint_.set(200, "application/json", R"([{"targets": ["e:5"]}])");
  ASSERT_TRUE(run_until([&] { return updates_.size() == 3; }));
  ASSERT_EQ(updates_[2].size(), 1u);
  EXPECT_EQ(updates_[2][0].targets[0].get("__address__"), "e:5");

  p->stop();
  const int before = requests();
  ioc_.run_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(requests(), before);
  EXPECT_EQ(updates_.size(), 3u);
}

// A server that cannot be reached is a failure like any other.
TEST_F(HttpProviderTest, UnreachableServerIsAFailure) {
  HttpSdConfig c;
  c.url = "http://127.0.0.1:1/sd";
  c.refresh_interval_ms = 1000;
  auto p = make_http_provider(c, &metrics_, "Strata");
  p->start(ioc_, [this](std::vector<TargetGroup> g) { updates_.push_back(std::move(g)); });
  ASSERT_TRUE(run_until([&] { return metrics_.http_failures->value() >= 1; }));
  EXPECT_TRUE(updates_.empty());
  p->stop();
}

// stop() while a request is in flight: no update follows, the provider is
// freed once the loop has run the cancelled request's handlers.
TEST_F(HttpProviderTest, StopCancelsTheRequest) {
  std::atomic<bool> release{false};
  TestServer slow([&](const auto&, auto& res) {
    for (int i = 0; i < 100 && !release; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    res.set(http::field::content_type, "application/json");
    res.body() = R"([{"targets": ["a:1"]}])";
  });
  HttpSdConfig c;
  c.url = slow.url("/sd");
  c.refresh_interval_ms = 5000;
  std::weak_ptr<Provider> weak;
  {
    auto p = make_http_provider(c, &metrics_, "Strata");
    weak = p;
    p->start(ioc_, [this](std::vector<TargetGroup> g) { updates_.push_back(std::move(g)); });
    ioc_.run_for(std::chrono::milliseconds(100));
    ioc_.restart();
    p->stop();
  }
  ASSERT_TRUE(run_until([&] { return weak.expired(); }, std::chrono::seconds(5)));
  release = true;
  EXPECT_TRUE(updates_.empty());
  EXPECT_EQ(metrics_.http_failures->value(), 0);
}

}  // namespace
}  // namespace strata::scrape
