// The web UI's routes as ServerRoutes answers them: redirects, the pages,
// the embedded assets with gzip, ETag/304 and cache headers, and odd paths.
// Built with -DSTRATA_WEB_UI=OFF, only the plain-text page is checked.
#include "server/ui_routes.h"

#include <gtest/gtest.h>

#include "server/gzip.h"
#include "server/ui_assets.h"
#include "server/web_routes.h"

namespace strata::server {
namespace {

std::string header(const api::HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class UiRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerRoutes::Options o;
    o.reload = [] { return absl::OkStatus(); };
    o.quit = [] {};
    routes_ = std::make_unique<ServerRoutes>(std::move(o), &registry_);
    routes_->set_ready(&api_);
  }

  api::HttpResponse get(std::string path,
                        std::vector<std::pair<std::string, std::string>> headers = {},
                        std::string method = "GET") {
    api::HttpRequest req;
    req.method = std::move(method);
    size_t q = path.find('?');
    req.path = path.substr(0, q);
    if (q != std::string::npos) req.query = path.substr(q + 1);
    req.headers = std::move(headers);
    req.cancelled = [] { return false; };
    api::HttpResponse resp;
    routes_->route(req, resp);
    return resp;
  }

  const UiAsset* script() const {
    for (const UiAsset& a : ui_assets()) {
      if (a.path.ends_with(".js")) return &a;
    }
    return nullptr;
  }

  metrics::Registry registry_;
  api::Router api_;
  std::unique_ptr<ServerRoutes> routes_;
};

TEST_F(UiRoutesTest, WithoutTheUiRootSaysSo) {
  if (!ui_assets().empty()) GTEST_SKIP() << "built with the UI";
  auto r = get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_NE(r.body.find("web UI was not built"), std::string::npos);
  EXPECT_EQ(get("/query").status, 200);
}

TEST_F(UiRoutesTest, RootAndGraphRedirectToQuery) {
  if (ui_assets().empty()) GTEST_SKIP() << "built without the UI";
  auto root = get("/");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(header(root, "Location"), "/query");
  auto graph = get("/graph?g0.expr=up&g0.tab=0");
  EXPECT_EQ(graph.status, 302);
  EXPECT_EQ(header(graph, "Location"), "/query?g0.expr=up&g0.tab=0");
  EXPECT_EQ(header(get("/graph"), "Location"), "/query");
}

TEST_F(UiRoutesTest, PagesServeTheHtmlUncached) {
  if (ui_assets().empty()) GTEST_SKIP() << "built without the UI";
  for (const char* page : {"/query", "/targets", "/rules", "/alerts", "/status", "/tsdb-status",
                           "/flags", "/config", "/service-discovery", "/dashboards",
                           "/dashboards/llm-bot-usage", "/dashboards/a%20b/../x"}) {
    SCOPED_TRACE(page);
    auto r = get(page);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
    EXPECT_NE(r.body.find("<script type=\"module\" src=\"/assets/main-"), std::string::npos);
    EXPECT_EQ(header(r, "Content-Encoding"), "");
  }
  EXPECT_EQ(get("/query", {}, "HEAD").status, 200);
  EXPECT_EQ(get("/query", {}, "POST").status, 405);
}

// /dashboards/<uid> is the UI's page, whatever the uid; the dashboards' data
// comes from the API under /api/v1/strata/, never from this prefix.
TEST_F(UiRoutesTest, DashboardPagesAreTheUiNotTheApi) {
  if (ui_assets().empty()) GTEST_SKIP() << "built without the UI";
  EXPECT_EQ(get("/dashboards/x", {}, "POST").status, 405);
  EXPECT_EQ(get("/dashboardsx").status, 404);
}

TEST_F(UiRoutesTest, AssetsGzippedForClientsThatAcceptIt) {
  const UiAsset* js = script();
  if (!js) GTEST_SKIP() << "built without the UI";
  auto gz = get(std::string(js->path), {{"accept-encoding", "gzip, deflate, br"}});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(header(gz, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(gz, "Vary"), "Accept-Encoding");
  auto plain = get(std::string(js->path), {{"accept-encoding", "gzip;q=0"}});
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(header(plain, "Content-Encoding"), "");
  EXPECT_EQ(gzip_decompress(gz.body), plain.body);
  EXPECT_GT(plain.body.size(), gz.body.size());
  // Different representations, different strong tags.
  EXPECT_EQ(header(gz, "ETag").front(), '"');
  EXPECT_NE(header(gz, "ETag"), header(plain, "ETag"));
}

TEST_F(UiRoutesTest, IfNoneMatchAnswers304) {
  const UiAsset* js = script();
  if (!js) GTEST_SKIP() << "built without the UI";
  std::string path(js->path);
  std::string etag = header(get(path, {{"accept-encoding", "gzip"}}), "ETag");
  auto again = get(path, {{"accept-encoding", "gzip"}, {"if-none-match", "\"other\", " + etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(header(again, "ETag"), etag);
  EXPECT_EQ(get(path, {{"accept-encoding", "gzip"}, {"if-none-match", "W/" + etag}}).status, 304);
  EXPECT_EQ(get(path, {{"accept-encoding", "gzip"}, {"if-none-match", "*"}}).status, 304);
  EXPECT_EQ(get(path, {{"accept-encoding", "gzip"}, {"if-none-match", "\"stale\""}}).status, 200);
  // The gzip tag does not validate the identity representation.
  EXPECT_EQ(get(path, {{"if-none-match", etag}}).status, 200);
  std::string html_tag = header(get("/query"), "ETag");
  EXPECT_EQ(get("/alerts", {{"if-none-match", html_tag}}).status, 304);
}

TEST_F(UiRoutesTest, UnknownAndOddPathsAre404) {
  if (ui_assets().empty()) GTEST_SKIP() << "built without the UI";
  const UiAsset* js = script();
  std::string name(js->path.substr(kUiAssetPrefix.size()));
  for (std::string path :
       {std::string("/assets/"), std::string("/assets/nope.js"), "/assets/../assets/" + name,
        "/assets//" + name, "/assets/" + name + "%00", "/assets/" + name + std::string(1, '\0'),
        std::string("/assets/../../etc/passwd"), std::string("/assets/index.html"),
        "/assets/" + std::string(100000, 'a'), std::string("/queryx"), std::string("/query/")}) {
    SCOPED_TRACE(path.substr(0, 80));
    auto r = get(path);
    EXPECT_EQ(r.status, 404);
  }
  EXPECT_EQ(get("/index.html").status, 404);
}

}  // namespace
}  // namespace strata::server
