// The server's own routes and the readiness gate in front of the API.
#include "server/web_routes.h"

#include <gtest/gtest.h>

namespace strata::server {
namespace {

api::HttpRequest request(std::string method, std::string path) {
  api::HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.cancelled = [] { return false; };
  return r;
}

class ServerRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_.add({"GET"}, "/api/v1/query", [](const api::HttpRequest&, api::HttpResponse& r) {
      r.body = "{}";
    });
  }

  std::unique_ptr<ServerRoutes> make(bool lifecycle) {
    ServerRoutes::Options o;
    o.enable_lifecycle = lifecycle;
    o.reload = [this] {
      ++reloads_;
      return reload_result_;
    };
    o.quit = [this] { ++quits_; };
    return std::make_unique<ServerRoutes>(std::move(o), &registry_);
  }

  api::HttpResponse call(const ServerRoutes& routes, std::string method, std::string path,
                         std::string* label = nullptr) {
    api::HttpResponse resp;
    std::string l = routes.route(request(std::move(method), std::move(path)), resp);
    if (label) *label = l;
    return resp;
  }

  metrics::Registry registry_;
  api::Router api_;
  int reloads_ = 0;
  int quits_ = 0;
  absl::Status reload_result_;
};

TEST_F(ServerRoutesTest, HealthyAlwaysReadyOnlyOnceStorageIsOpen) {
  auto routes = make(false);
  auto h = call(*routes, "GET", "/-/healthy");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "Strata Server is Healthy.\n");
  EXPECT_EQ(h.content_type, "text/plain; charset=utf-8");

  auto not_ready = call(*routes, "GET", "/-/ready");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "Service Unavailable");
  auto api_early = call(*routes, "GET", "/api/v1/query");
  EXPECT_EQ(api_early.status, 503);
  // /metrics works during start-up too.
  EXPECT_EQ(call(*routes, "GET", "/metrics").status, 200);

  routes->set_ready(&api_);
  auto ready = call(*routes, "HEAD", "/-/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "Strata Server is Ready.\n");
  std::string label;
  auto api = call(*routes, "GET", "/api/v1/query", &label);
  EXPECT_EQ(api.status, 200);
  EXPECT_EQ(api.body, "{}");
  EXPECT_EQ(label, "/api/v1/query");
  EXPECT_EQ(call(*routes, "GET", "/nope").status, 404);
}

TEST_F(ServerRoutesTest, LifecycleEndpointsNeedTheFlag) {
  auto routes = make(false);
  auto r = call(*routes, "POST", "/-/reload");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "Lifecycle API is not enabled.\n");
  EXPECT_EQ(call(*routes, "PUT", "/-/quit").status, 403);
  EXPECT_EQ(reloads_, 0);
  EXPECT_EQ(quits_, 0);
  EXPECT_EQ(call(*routes, "GET", "/-/reload").status, 405);
}

TEST_F(ServerRoutesTest, ReloadAndQuit) {
  auto routes = make(true);
  auto ok = call(*routes, "POST", "/-/reload");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "");
  reload_result_ = absl::InvalidArgumentError("couldn't load configuration (--config.file=\"x.yml\"): boom");
  auto bad = call(*routes, "PUT", "/-/reload");
  EXPECT_EQ(bad.status, 500);
  EXPECT_EQ(bad.body, "failed to reload config: couldn't load configuration (--config.file=\"x.yml\"): boom\n");
  EXPECT_EQ(reloads_, 2);
  auto q = call(*routes, "POST", "/-/quit");
  EXPECT_EQ(q.status, 200);
  EXPECT_EQ(q.body, "Requesting termination... Goodbye!");
  EXPECT_EQ(quits_, 1);
}

TEST_F(ServerRoutesTest, MetricsInTextFormat) {
  registry_.counter("test_things_total", "Things.").inc(3);
  auto routes = make(false);
  routes->set_ready(&api_);
  auto m = call(*routes, "GET", "/metrics");
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("# TYPE test_things_total counter\ntest_things_total 3\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("strata_ready 1\n"), std::string::npos);
}

TEST_F(ServerRoutesTest, BodyLimitsPerRoute) {
  auto noop = [](const api::HttpRequest&, api::HttpResponse&) {};
  api_.add({"POST"}, "/api/v1/write", noop);
  api_.set_body_limit("/api/v1/write", 64 << 20);
  api_.add_prefix({"POST"}, "/api/v1/big/", noop);
  api_.set_body_limit("/api/v1/big/", 20 << 20);
  api_.add_prefix({"POST"}, "/api/v1/big/small/", noop);
  api_.set_body_limit("/api/v1/big/small/", 100);
  auto routes = make(true);
  // Before the API is published its requests get the listener's cap (and a
  // 503 that senders retry), not a 413 that they would not.
  EXPECT_EQ(routes->body_limit("POST", "/api/v1/write"), api::kNoRouteBodyLimit);
  EXPECT_EQ(routes->body_limit("POST", "/-/reload"), api::kDefaultBodyLimit);
  routes->set_ready(&api_);
  EXPECT_EQ(routes->body_limit("POST", "/api/v1/write"), uint64_t(64) << 20);
  // Another method's route, or none: the default.
  EXPECT_EQ(routes->body_limit("PUT", "/api/v1/write"), api::kDefaultBodyLimit);
  EXPECT_EQ(routes->body_limit("POST", "/api/v1/query"), api::kDefaultBodyLimit);
  EXPECT_EQ(routes->body_limit("POST", "/nope"), api::kDefaultBodyLimit);
  // Exact and longest-prefix routes decide, as for dispatching.
  EXPECT_EQ(routes->body_limit("POST", "/api/v1/big/x"), uint64_t(20) << 20);
  EXPECT_EQ(routes->body_limit("POST", "/api/v1/big/small/x"), 100u);
  EXPECT_EQ(routes->body_limit("GET", "/metrics"), api::kDefaultBodyLimit);
}

}  // namespace
}  // namespace strata::server
