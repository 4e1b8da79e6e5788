// net::Client over plain HTTP against TestServer: keep-alive, gzip,
// deadlines and cancellation, redirects, body limits, auth headers, proxies
// and Go-style error texts.
#include "net/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "tests/net/test_server.h"
#include "tests/testutil/temp_dir.h"

namespace strata::net {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::ServerRequest;
using testing::ServerResponse;
using testing::TestServer;
namespace http = boost::beast::http;

Deadline in(std::chrono::milliseconds d) { return Deadline::clock::now() + d; }
Deadline soon() { return in(std::chrono::seconds(10)); }

std::unique_ptr<Client> make_client(ClientOptions opts = {}) {
  auto c = Client::create(std::move(opts));
  EXPECT_TRUE(c.ok()) << c.status();
  return std::move(*c);
}

Request get(const std::string& url) {
  Request r;
  r.url = url;
  return r;
}

std::string header(const ServerRequest& req, http::field f) { return std::string(req[f]); }

TEST(ClientTest, KeepAliveReusesOneConnection) {
  TestServer server([](const ServerRequest& req, ServerResponse& res) { res.body() = "hello"; });
  auto client = make_client();
  for (int i = 0; i < 5; ++i) {
    auto r = client->send(get(server.url("/x")), soon());
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->reason, "OK");
    EXPECT_EQ(r->body, "hello");
    EXPECT_EQ(r->header("server"), "net-test");
  }
  EXPECT_EQ(server.connections_accepted(), 1);
  EXPECT_EQ(client->stats().connections_opened, 1u);
  EXPECT_EQ(client->stats().requests, 5u);
  client->close_idle_connections();
  ASSERT_TRUE(client->send(get(server.url("/x")), soon()).ok());
  EXPECT_EQ(server.connections_accepted(), 2);
}

TEST(ClientTest, ConcurrentSendersShareThePool) {
  TestServer server([](const ServerRequest& req, ServerResponse& res) {
    res.body() = std::string(req.target());
  });
  auto client = make_client();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        auto r = client->send(get(server.url(path)), soon());
        if (r.ok() && r->body == path) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);
  EXPECT_LE(server.connections_accepted(), 4);
}

TEST(ClientTest, AsyncSendCallsBackOnce) {
  TestServer server([](const ServerRequest&, ServerResponse& res) { res.body() = "async"; });
  auto client = make_client();
  std::promise<absl::StatusOr<Response>> p;
  client->async_send(get(server.url("/")), soon(),
                     [&p](absl::StatusOr<Response> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "async");
}

TEST(ClientTest, ClientsShareACallersIoContext) {
  TestServer server([](const ServerRequest& req, ServerResponse& res) {
    res.body() = std::string(req.target());
  });
  boost::asio::io_context ioc;
  auto work = boost::asio::make_work_guard(ioc);
  std::thread loop([&] { ioc.run(); });
  {
    auto a = Client::create({}, &ioc);
    auto b = Client::create({}, &ioc);
    ASSERT_TRUE(a.ok() && b.ok());
    std::vector<std::promise<absl::StatusOr<Response>>> done(20);
    for (int i = 0; i < 20; ++i) {
      Client& c = i % 2 ? **a : **b;
      c.async_send(get(server.url("/" + std::to_string(i))), soon(),
                   [&done, i](absl::StatusOr<Response> r) { done[i].set_value(std::move(r)); });
    }
    for (int i = 0; i < 20; ++i) {
      auto r = done[i].get_future().get();
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->body, "/" + std::to_string(i));
    }
    // Blocking sends from another thread work on the shared loop too.
    EXPECT_TRUE((*a)->send(get(server.url("/sync")), soon()).ok());
  }
  work.reset();
  loop.join();
}

TEST(ClientTest, SendsMethodBodyAndHeaders) {
  ServerRequest seen;
  TestServer server([&](const ServerRequest& req, ServerResponse& res) {
    seen = req;
    res.result(http::status::no_content);
  });
  ClientOptions opts;
  opts.user_agent = "Strata-test/1";
  opts.headers = {{"X-Default", "d"}, {"X-Override", "default"}};
  auto client = make_client(opts);
  Request req = get(server.url("/write?a=1"));
  req.method = "POST";
  req.body = "payload";
  req.headers = {{"Content-Type", "application/x-protobuf"}, {"X-Override", "mine"}};
  auto r = client->send(req, soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(seen.method(), http::verb::post);
  EXPECT_EQ(seen.target(), "/write?a=1");
  EXPECT_EQ(seen.body(), "payload");
  EXPECT_EQ(header(seen, http::field::host), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(header(seen, http::field::user_agent), "Strata-test/1");
  EXPECT_EQ(header(seen, http::field::content_type), "application/x-protobuf");
  EXPECT_EQ(std::string(seen["X-Default"]), "d");
  EXPECT_EQ(std::string(seen["X-Override"]), "mine");
}

TEST(ClientTest, HeadHasNoBodyAndKeepsTheConnection) {
  TestServer server([](const ServerRequest&, ServerResponse& res) { res.body() = std::string(100, 'x'); });
  auto client = make_client();
  Request req = get(server.url("/"));
  req.method = "HEAD";
  auto r = client->send(req, soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->header("content-length"), "100");
  EXPECT_EQ(r->body, "");
  ASSERT_TRUE(client->send(get(server.url("/")), soon()).ok());
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(ClientTest, DecodesGzipItAskedFor) {
  const std::string text(10000, 'a');
  TestServer server([&](const ServerRequest& req, ServerResponse& res) {
    if (std::string(req[http::field::accept_encoding]).find("gzip") != std::string::npos) {
      res.set(http::field::content_encoding, "gzip");
      res.body() = testing::gzip_compress(text);
    } else {
      res.body() = text;
    }
  });
  auto client = make_client();
  auto r = client->send(get(server.url("/")), soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->uncompressed);
  EXPECT_EQ(r->body, text);
  EXPECT_FALSE(r->has_header("Content-Encoding"));

  // A caller that sets Accept-Encoding itself gets the bytes as sent.
  Request raw = get(server.url("/"));
  raw.headers = {{"Accept-Encoding", "gzip"}};
  r = client->send(raw, soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->uncompressed);
  EXPECT_EQ(r->header("content-encoding"), "gzip");
  EXPECT_EQ(r->body, testing::gzip_compress(text));

  ClientOptions plain;
  plain.disable_compression = true;
  r = make_client(plain)->send(get(server.url("/")), soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->uncompressed);
  EXPECT_EQ(r->body, text);
}

TEST(ClientTest, DeadlineCoversTheWholeRequest) {
  TestServer server([](const ServerRequest&, ServerResponse& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    res.body() = "late";
  });
  auto client = make_client();
  auto t0 = Deadline::clock::now();
  auto r = client->send(get(server.url("/slow")), in(std::chrono::milliseconds(100)));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  EXPECT_EQ(r.status().message(),
            "Get \"" + server.url("/slow") + "\": context deadline exceeded");
  EXPECT_LT(Deadline::clock::now() - t0, std::chrono::milliseconds(700));
}

TEST(ClientTest, StopTokenCancels) {
  TestServer server([](const ServerRequest&, ServerResponse& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
  });
  auto client = make_client();
  std::stop_source stop;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop.request_stop();
  });
  auto r = client->send(get(server.url("/")), soon(), stop.get_token());
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsCancelled(r.status())) << r.status();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("context canceled"));
}

TEST(ClientTest, ConnectionRefusedReadsLikeGo) {
  int port;
  { TestServer gone([](const ServerRequest&, ServerResponse&) {}); port = gone.port(); }
  auto client = make_client();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  auto r = client->send(get(url), soon());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
  EXPECT_EQ(r.status().message(), "Get \"" + url + "\": dial tcp 127.0.0.1:" + std::to_string(port) +
                                      ": connect: connection refused");
}

TEST(ClientTest, RetriesOnceWhenAKeptAliveConnectionWasDropped) {
  testing::TestServerOptions o;
  o.drop_after_response = true;
  TestServer server([](const ServerRequest&, ServerResponse& res) { res.body() = "ok"; }, o);
  auto client = make_client();
  for (int i = 0; i < 3; ++i) {
    auto r = client->send(get(server.url("/")), soon());
    ASSERT_TRUE(r.ok()) << i << ": " << r.status();
    EXPECT_EQ(r->body, "ok");
  }
  EXPECT_EQ(server.connections_accepted(), 3);
}

TEST(ClientTest, StatusErrorIsPrometheusText) {
  TestServer server([](const ServerRequest&, ServerResponse& res) {
    res.result(http::status::internal_server_error);
    res.body() = "boom";
  });
  auto r = make_client()->send(get(server.url("/")), soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "boom");
  absl::Status s = status_error(*r);
  EXPECT_TRUE(absl::IsUnavailable(s));
  EXPECT_EQ(s.message(), "server returned HTTP status 500 Internal Server Error");
  Response not_found;
  not_found.status = 404;
  not_found.reason = "Not Found";
  EXPECT_TRUE(absl::IsFailedPrecondition(status_error(not_found)));
}

TestServer::Handler redirector() {
  return [](const ServerRequest& req, ServerResponse& res) {
    std::string t(req.target());
    if (t.rfind("/hop/", 0) == 0 && std::isdigit(static_cast<unsigned char>(t[5]))) {
      int n = std::stoi(t.substr(5));
      res.result(http::status::found);
      res.set(http::field::location, n > 1 ? "/hop/" + std::to_string(n - 1) : "final?x=1");
    } else if (t == "/loop") {
      res.result(http::status::moved_permanently);
      res.set(http::field::location, "/loop");
    } else if (t == "/see-other") {
      res.result(http::status::see_other);
      res.set(http::field::location, "/final");
    } else if (t == "/keep-method") {
      res.result(http::status::temporary_redirect);
      res.set(http::field::location, "/final");
    } else {
      res.body() = std::string(req.method_string()) + " " + t + " " + req.body();
    }
  };
}

TEST(ClientTest, FollowsRedirects) {
  TestServer server(redirector());
  auto client = make_client();
  auto r = client->send(get(server.url("/hop/3")), soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /hop/final?x=1 ");
  EXPECT_EQ(r->url, server.url("/hop/final?x=1"));

  r = client->send(get(server.url("/loop")), soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Get \"" + server.url("/loop") + "\": stopped after 10 redirects");

  Request post = get(server.url("/see-other"));
  post.method = "POST";
  post.body = "data";
  r = client->send(post, soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "GET /final ");
  post.url = server.url("/keep-method");
  r = client->send(post, soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "POST /final data");
}

TEST(ClientTest, DoesNotFollowRedirectsWhenTurnedOff) {
  TestServer server(redirector());
  ClientOptions opts;
  opts.http.follow_redirects = false;
  auto r = make_client(opts)->send(get(server.url("/hop/1")), soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(status_error(*r).message(), "server returned HTTP status 302 Found");
}

TEST(ClientTest, BodyLimit) {
  const std::string big(5000, 'b');
  TestServer server([&](const ServerRequest& req, ServerResponse& res) {
    if (req.target() == "/gzip") {
      res.set(http::field::content_encoding, "gzip");
      res.body() = testing::gzip_compress(big);  // ~50 bytes on the wire
    } else if (req.target() == "/chunked") {
      res.chunked(true);
      res.body() = big;
    } else {
      res.body() = big;
    }
  });
  auto client = make_client();
  for (std::string path : {"/plain", "/gzip", "/chunked"}) {
    SCOPED_TRACE(path);
    Request req = get(server.url(path));
    req.body_limit_bytes = 4999;
    auto r = client->send(req, soon());
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(absl::IsResourceExhausted(r.status())) << r.status();
    EXPECT_EQ(r.status().message(), "Get \"" + server.url(path) + "\": body size limit exceeded");
    req.body_limit_bytes = 5000;
    r = client->send(req, soon());
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->body, big);
  }
}

class AuthTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& content) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << content;
    return path;
  }
  std::string authorization_sent(const ClientOptions& opts, const Headers& headers = {}) {
    Request req = get(server_.url("/"));
    req.headers = headers;
    auto r = make_client(opts)->send(req, soon());
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->body : "";
  }
  testutil::TempDir dir_{"net_auth_"};
  TestServer server_{[](const ServerRequest& req, ServerResponse& res) {
    res.body() = std::string(req[http::field::authorization]);
  }};
};

TEST_F(AuthTest, BasicAuthInlineAndFromFile) {
  ClientOptions opts;
  opts.http.basic_auth = BasicAuth{"alice", "", "secret", ""};
  EXPECT_EQ(authorization_sent(opts), "Basic YWxpY2U6c2VjcmV0");  // alice:secret
  opts.http.basic_auth = BasicAuth{"alice", "", "", write("password", "secret\n")};
  EXPECT_EQ(authorization_sent(opts), "Basic YWxpY2U6c2VjcmV0");
  // A request's own Authorization wins.
  EXPECT_EQ(authorization_sent(opts, {{"Authorization", "Bearer mine"}}), "Bearer mine");
}

TEST_F(AuthTest, BearerTokenInlineAndFileReReadPerRequest) {
  ClientOptions opts;
  opts.http.authorization = Authorization{"Bearer", "tok1", ""};
  EXPECT_EQ(authorization_sent(opts), "Bearer tok1");
  std::string file = write("token", "tok2\n");
  opts.http.authorization = Authorization{"Bearer", "", file};
  auto client = make_client(opts);
  auto r = client->send(get(server_.url("/")), soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "Bearer tok2");
  write("token", "tok3");
  r = client->send(get(server_.url("/")), soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "Bearer tok3");
  opts.http.authorization = Authorization{"Custom", "", dir_.path() + "/missing"};
  r = make_client(opts)->send(get(server_.url("/")), soon());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("unable to read authorization credentials file " + dir_.path() + "/missing"));
}

TEST_F(AuthTest, UserinfoInTheUrlIsBasicAuthAndRedactedInErrors) {
  std::string url = "http://bob:pw@127.0.0.1:" + std::to_string(server_.port()) + "/";
  auto r = make_client()->send(get(url), soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "Basic Ym9iOnB3");  // bob:pw
  EXPECT_EQ(r->url, "http://bob:xxxxx@127.0.0.1:" + std::to_string(server_.port()) + "/");
}

TEST(ClientTest, PlainProxyGetsAbsoluteFormRequests) {
  TestServer proxy([](const ServerRequest& req, ServerResponse& res) {
    res.body() = std::string(req.target()) + " " + std::string(req[http::field::proxy_authorization]);
  });
  ClientOptions opts;
  opts.http.proxy_url = "http://p:q@127.0.0.1:" + std::to_string(proxy.port());
  auto r = make_client(opts)->send(get("http://127.0.0.1:1/metrics?x=1"), soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "http://127.0.0.1:1/metrics?x=1 Basic cDpx");  // p:q
}

TEST(ClientTest, RefusesWhatItCannotDo) {
  ClientOptions opts;
  opts.http.oauth2 = OAuth2{};
  EXPECT_TRUE(absl::IsUnimplemented(Client::create(opts).status()));
  auto client = make_client();
  auto r = client->send(get("ftp://127.0.0.1/"), soon());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("unsupported protocol scheme \"ftp\""));
}

}  // namespace
}  // namespace strata::net
