// The HTTP listener over real sockets, with a test Router: keep-alive, gzip,
// HEAD, limits, timeouts, the connection limit (evicting idle and slow
// connections, plain and TLS; holding new ones while all are busy),
// cancellation and graceful stop.
#include "server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <optional>
#include <thread>

#include "server/gzip.h"
#include "server/web_config_file.h"
#include "tests/testutil/eventually.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/tcp_connection.h"
#include "tests/testutil/temp_dir.h"
#include "tests/testutil/test_certs.h"

namespace strata::server {
namespace {

using namespace std::chrono_literals;
using testutil::HttpClient;
using testutil::TcpConnection;

void text(api::HttpResponse& r, std::string body) {
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    big_.reserve(8192);
    for (int i = 0; big_.size() < 8000; ++i) big_ += "line " + std::to_string(i) + " of a big body\n";
    router_.add({"GET"}, "/hello", [](const api::HttpRequest&, api::HttpResponse& r) { text(r, "hi"); });
    router_.add({"GET", "HEAD"}, "/big", [this](const api::HttpRequest&, api::HttpResponse& r) { text(r, big_); });
    router_.add({"POST"}, "/echo-body", [](const api::HttpRequest& q, api::HttpResponse& r) {
      text(r, std::to_string(q.body.size()));
    });
    router_.add_prefix({"GET"}, "/echo/", [](const api::HttpRequest& q, api::HttpResponse& r) {
      text(r, q.path + "|" + q.query + "|" + std::string(q.header("x-test")));
    });
    router_.add({"GET"}, "/throw", [](const api::HttpRequest&, api::HttpResponse&) {
      throw std::runtime_error("boom");
    });
    router_.add({"GET"}, "/block", [this](const api::HttpRequest& q, api::HttpResponse& r) {
      entered_.fetch_add(1);
      // Runs until released, or until the client goes away / the server aborts.
      auto deadline = std::chrono::steady_clock::now() + 20s;
      while (!release_.load() && std::chrono::steady_clock::now() < deadline) {
        if (q.cancelled()) {
          saw_cancel_.store(true);
          r.status = 499;
          return text(r, "cancelled");
        }
        std::this_thread::sleep_for(5ms);
      }
      text(r, "done");
    });
  }

  void TearDown() override {
    release_.store(true);
    if (server_) server_->stop(5s);
  }

  void start(HttpServerOptions o = {}) {
    o.address = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(o, router_, &registry_);
    ASSERT_TRUE(server_->start().ok());
    ASSERT_GT(server_->port(), 0);
  }

  HttpClient client() { return HttpClient("127.0.0.1", server_->port(), 20s); }
  TcpConnection connect() {
    auto c = TcpConnection::connect("127.0.0.1", server_->port(), 5s);
    EXPECT_TRUE(c.ok()) << c.status();
    return std::move(*c);
  }
  // Sends `request` as raw bytes on a new connection; the first bytes of
  // the answer ("" after a failure, which is reported).
  std::string raw_exchange(const std::string& request) {
    TcpConnection raw = connect();
    EXPECT_TRUE(raw.send_all(request, 5s).ok());
    auto answer = raw.recv_some(5s);
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? *answer : "";
  }
  int evictions() {
    return int(registry_.counter("strata_http_connections_evicted_total", "").value());
  }
  int idle_connections() {
    return int(registry_.gauge("strata_http_idle_connections", "").value());
  }
  int open_connections() {
    return int(registry_.gauge("strata_http_open_connections", "").value());
  }
  void wait_entered(int n) {
    for (int i = 0; i < 2000 && entered_.load() < n; ++i) std::this_thread::sleep_for(5ms);
    ASSERT_GE(entered_.load(), n);
  }

  std::string big_;
  metrics::Registry registry_;
  api::Router router_;
  // For TLS tests; declared before server_, which uses them, so they outlive it.
  std::optional<testutil::TempDir> tls_dir_;
  std::unique_ptr<WebConfigFile> web_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> entered_{0};
  std::atomic<bool> release_{false};
  std::atomic<bool> saw_cancel_{false};
};

TEST_F(HttpServerTest, KeepsConnectionAliveAcrossRequests) {
  start();
  HttpClient c = client();
  for (int i = 0; i < 2; ++i) {
    auto r = c.get("/hello");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hi");
    EXPECT_EQ(r->header("content-type"), "text/plain; charset=utf-8");
  }
  EXPECT_EQ(c.connections_opened(), 1);
}

TEST_F(HttpServerTest, GzipsLargeBodiesForClientsThatAcceptIt) {
  start();
  HttpClient c = client();
  auto z = c.get("/big", {{"Accept-Encoding", "gzip, deflate"}});
  ASSERT_TRUE(z.ok()) << z.status();
  EXPECT_EQ(z->header("content-encoding"), "gzip");
  EXPECT_EQ(z->header("vary"), "Accept-Encoding");
  EXPECT_LT(z->body.size(), big_.size() / 3);
  EXPECT_EQ(gzip_decompress(z->body), big_);

  auto plain = c.get("/big");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->has_header("content-encoding"));
  EXPECT_EQ(plain->header("vary"), "Accept-Encoding");
  EXPECT_EQ(plain->body, big_);

  auto refused = c.get("/big", {{"Accept-Encoding", "gzip;q=0, identity"}});
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->has_header("content-encoding"));

  auto small = c.get("/hello", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(small.ok());
  EXPECT_FALSE(small->has_header("content-encoding"));
  EXPECT_EQ(small->body, "hi");
  EXPECT_EQ(c.connections_opened(), 1);
}

TEST_F(HttpServerTest, AnswersUnknownPathsAndMethods) {
  start();
  HttpClient c = client();
  auto nf = c.get("/nope");
  ASSERT_TRUE(nf.ok());
  EXPECT_EQ(nf->status, 404);
  EXPECT_EQ(nf->body, "404 page not found\n");
  auto na = c.post("/hello", "x", "text/plain");
  ASSERT_TRUE(na.ok());
  EXPECT_EQ(na->status, 405);
  EXPECT_EQ(na->header("allow"), "GET");
}

TEST_F(HttpServerTest, HeadSendsHeadersWithoutBody) {
  start();
  HttpClient c = client();
  auto h = c.head("/big");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->header("content-length"), std::to_string(big_.size()));
  EXPECT_TRUE(h->body.empty());
  // The connection is still in sync: the next answer is the right one.
  auto g = c.get("/hello");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->body, "hi");
  EXPECT_EQ(c.connections_opened(), 1);
}

TEST_F(HttpServerTest, DecodesPathAndKeepsRawQuery) {
  start();
  auto r = client().get("/echo/a%20b%2Fc?x=1%202&y", {{"X-Test", "v"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "/echo/a b/c|x=1%202&y|v");
}

TEST_F(HttpServerTest, RefusesBodiesOverTheLimit) {
  HttpServerOptions o;
  o.body_limit_bytes = 1024;
  start(o);
  HttpClient c = client();
  auto ok = c.post("/echo-body", std::string(1024, 'a'), "text/plain");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "1024");

  auto big = c.post("/echo-body", std::string(4096, 'a'), "text/plain");
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(big->header("connection"), "close");

  // Chunked bodies have no Content-Length to check up front.
  std::string chunk(1500, 'b');
  char size_hex[16];
  snprintf(size_hex, sizeof(size_hex), "%zx", chunk.size());
  std::string answer =
      raw_exchange("POST /echo-body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                   std::string(size_hex) + "\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
}

// Bodies of all connections together stay within max_inflight_body_bytes:
// a request is held to its declared length from its header until its
// handler returns; one that does not fit is answered 503 unread.
TEST_F(HttpServerTest, BodiesInFlightStayWithinTheirBudget) {
  router_.add({"POST"}, "/hold-body", [this](const api::HttpRequest& q, api::HttpResponse& r) {
    entered_.fetch_add(1);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!release_.load() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    text(r, std::to_string(q.body.size()));
  });
  HttpServerOptions o;
  o.max_inflight_body_bytes = 10000;
  start(o);
  auto inflight = [&] { return int64_t(registry_.gauge("strata_http_inflight_body_bytes", "").value()); };
  auto refused = [&] { return int(registry_.counter("strata_http_inflight_body_refused_total", "").value()); };
  std::optional<absl::StatusOr<testutil::HttpResponse>> held;
  std::thread holder([&] { held = client().post("/hold-body", std::string(6000, 'a'), "text/plain"); });
  wait_entered(1);
  EXPECT_EQ(inflight(), 6000);

  auto over = client().post("/echo-body", std::string(4001, 'b'), "text/plain");
  ASSERT_TRUE(over.ok()) << over.status();
  EXPECT_EQ(over->status, 503);
  EXPECT_EQ(over->body, "too many request bytes in flight (limit 10000 bytes); retry later\n");
  EXPECT_EQ(over->header("retry-after"), "1");
  EXPECT_EQ(refused(), 1);
  auto fits = client().post("/echo-body", std::string(4000, 'b'), "text/plain");
  ASSERT_TRUE(fits.ok()) << fits.status();
  EXPECT_EQ(fits->status, 200);
  EXPECT_EQ(fits->body, "4000");
  auto bodiless = client().get("/hello");
  ASSERT_TRUE(bodiless.ok()) << bodiless.status();
  EXPECT_EQ(bodiless->status, 200);

  // A chunked body has no length to go by: it takes its route's limit
  // (here the default, over the budget).
  std::string answer = raw_exchange(
      "POST /echo-body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;

  release_.store(true);
  holder.join();
  ASSERT_TRUE(held && held->ok());
  EXPECT_EQ((*held)->body, "6000");
  // Given back once the handler has returned (just after its answer).
  for (int i = 0; i < 400 && inflight() != 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(inflight(), 0);
  auto after = client().post("/echo-body", std::string(10000, 'c'), "text/plain");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->body, "10000");
}

// A handler's own working memory (HttpRequest::reserve) comes out of the
// same budget as the bodies, on top of its request's body, and is given
// back with it when the handler returns.
TEST_F(HttpServerTest, HandlersReserveTheirWorkingMemoryFromTheBodyBudget) {
  std::atomic<int64_t> during{-1};
  router_.add({"POST", "GET"}, "/expand", [&](const api::HttpRequest& q, api::HttpResponse& r) {
    const uint64_t want = std::stoull(std::string(q.header("x-want")));
    const absl::Status s = q.reserve(want);
    during.store(int64_t(registry_.gauge("strata_http_inflight_body_bytes", "").value()));
    text(r, s.ok() ? "granted" : std::string(absl::StatusCodeToString(s.code())) + ": " + std::string(s.message()));
  });
  HttpServerOptions o;
  o.max_inflight_body_bytes = 10000;
  start(o);
  auto inflight = [&] { return int64_t(registry_.gauge("strata_http_inflight_body_bytes", "").value()); };
  auto ask = [&](const std::string& body, uint64_t want) {
    return raw_exchange("POST /expand HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Want: " +
                        std::to_string(want) + "\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\n\r\n" + body);
  };
  std::string a = ask(std::string(3000, 'a'), 7000);  // 3000 + 7000 fits exactly
  EXPECT_NE(a.find("granted"), std::string::npos) << a;
  EXPECT_EQ(during.load(), 10000);
  // The budget comes back just after the answer is sent, so a client can
  // read it first: wait for that before the next request.
  for (int i = 0; i < 400 && inflight() != 0; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(inflight(), 0);
  // More than the whole budget: no retry can fit.
  std::string b = ask(std::string(3000, 'a'), 7001);
  EXPECT_NE(b.find("RESOURCE_EXHAUSTED: decoding this request needs more memory than "
                   "--web.max-inflight-body-size allows (3000 + 7001 > 10000 bytes); send smaller "
                   "requests"),
            std::string::npos)
      << b;
  EXPECT_EQ(during.load(), 3000);
  for (int i = 0; i < 400 && inflight() != 0; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(inflight(), 0);
  // More than is free now: retry later.
  std::atomic<bool> hold{false};
  router_.add({"POST"}, "/hold", [&](const api::HttpRequest& q, api::HttpResponse& r) {
    EXPECT_TRUE(q.reserve(6000).ok());
    hold.store(true);
    for (int i = 0; i < 4000 && !release_.load(); ++i) std::this_thread::sleep_for(5ms);
    text(r, "held");
  });
  std::thread holder([&] { (void)client().post("/hold", "", "text/plain"); });
  for (int i = 0; i < 2000 && !hold.load(); ++i) std::this_thread::sleep_for(5ms);
  std::string busy = ask(std::string(1000, 'a'), 4000);
  EXPECT_NE(busy.find("UNAVAILABLE: too many request bytes in flight (limit 10000 bytes); retry later"),
            std::string::npos)
      << busy;
  release_.store(true);
  holder.join();
  // The holder's reservation ends after its answer went out: wait for it.
  for (int i = 0; i < 400 && inflight() != 0; ++i) std::this_thread::sleep_for(5ms);
  // A request without a body may reserve too.
  std::string c = raw_exchange("GET /expand HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Want: 9000\r\n\r\n");
  EXPECT_NE(c.find("granted"), std::string::npos) << c;
  EXPECT_EQ(during.load(), 9000);
  for (int i = 0; i < 400 && inflight() != 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(inflight(), 0);
  EXPECT_EQ(int(registry_.counter("strata_http_inflight_body_refused_total", "").value()), 2);
}

TEST_F(HttpServerTest, BodyLimitsPerRoute) {
  router_.add({"POST"}, "/small-body", [](const api::HttpRequest& q, api::HttpResponse& r) {
    text(r, std::to_string(q.body.size()));
  });
  router_.set_body_limit("/small-body", 100);
  router_.add({"POST"}, "/huge-body", [](const api::HttpRequest& q, api::HttpResponse& r) {
    text(r, std::to_string(q.body.size()));
  });
  router_.set_body_limit("/huge-body", uint64_t(1) << 40);
  HttpServerOptions o;
  o.body_limit_bytes = 64 << 10;  // the cap over every route's limit
  start(o);
  HttpClient c = client();
  auto ok = c.post("/small-body", std::string(100, 'a'), "text/plain");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->body, "100");
  auto over = c.post("/small-body", std::string(101, 'a'), "text/plain");
  ASSERT_TRUE(over.ok()) << over.status();
  EXPECT_EQ(over->status, 413);
  EXPECT_EQ(over->body, "request body too large (limit 100 bytes)\n");
  // Other routes keep the default (here over the cap, so the cap).
  HttpClient c2 = client();
  auto other = c2.post("/echo-body", std::string(4096, 'a'), "text/plain");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->body, "4096");
  auto capped = c2.post("/huge-body", std::string((64 << 10) + 1, 'a'), "text/plain");
  ASSERT_TRUE(capped.ok()) << capped.status();
  EXPECT_EQ(capped->status, 413);
  EXPECT_EQ(capped->body, "request body too large (limit 65536 bytes)\n");

  // A chunked body is counted against its route's limit as it arrives.
  std::string answer =
      raw_exchange("POST /small-body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" +
                   std::string(64, 'b') + "\r\n40\r\n" + std::string(64, 'b') + "\r\n0\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;

  // A path that does not route (404) takes the default limit, as do bodies
  // sent with a method the route does not take (405).
  HttpClient d = client();
  auto missing = d.post("/nowhere", std::string(4096, 'a'), "text/plain");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->status, 404);
}

TEST_F(HttpServerTest, Answers100ContinueBeforeTheBody) {
  start();
  TcpConnection raw = connect();
  ASSERT_TRUE(raw.send_all("POST /echo-body HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                           "Expect: 100-continue\r\n\r\n",
                           5s)
                  .ok());
  auto cont = raw.recv_some(5s);
  ASSERT_TRUE(cont.ok()) << cont.status();
  EXPECT_EQ(cont->rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << *cont;
  ASSERT_TRUE(raw.send_all("hello", 5s).ok());
  auto resp = raw.recv_some(5s);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << *resp;
  EXPECT_NE(resp->find("\r\n\r\n5"), std::string::npos) << *resp;
}

TEST_F(HttpServerTest, AnswersMalformedRequestsAndHugeHeaders) {
  HttpServerOptions o;
  o.header_limit_bytes = 2048;
  start(o);
  TcpConnection bad = connect();
  ASSERT_TRUE(bad.send_all("NOT HTTP AT ALL\r\n\r\n", 5s).ok());
  auto r = bad.recv_some(5s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rfind("HTTP/1.1 400", 0), 0u) << *r;

  auto big = client().get("/hello", {{"X-Big", std::string(4096, 'h')}});
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(big->status, 431);
}

TEST_F(HttpServerTest, HandlerExceptionsBecome500) {
  start();
  auto r = client().get("/throw");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
}

TEST_F(HttpServerTest, ClosesIdleConnectionsAfterReadTimeout) {
  HttpServerOptions o;
  o.read_timeout_ms = 200;
  start(o);
  TcpConnection idle = connect();
  EXPECT_TRUE(idle.wait_closed(5s));
  // A connection in use is unaffected until it goes idle.
  HttpClient c = client();
  ASSERT_TRUE(c.get("/hello").ok());
  std::this_thread::sleep_for(500ms);
  auto again = c.get("/hello");  // the client reconnects transparently
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(c.connections_opened(), 2);
}

TEST_F(HttpServerTest, SlowHandlersDoNotStallOtherRequests) {
  start();
  constexpr int kSlow = 12;  // more than the pool's initial threads
  std::vector<std::future<absl::StatusOr<testutil::HttpResponse>>> slow;
  for (int i = 0; i < kSlow; ++i)
    slow.push_back(std::async(std::launch::async, [this] { return client().get("/block"); }));
  wait_entered(kSlow);
  auto fast = client().get("/hello");
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->body, "hi");
  release_.store(true);
  for (auto& f : slow) {
    auto r = f.get();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->body, "done");
  }
}

TEST_F(HttpServerTest, ReportsClientDisconnectAsCancelled) {
  start();
  TcpConnection raw = connect();
  ASSERT_TRUE(raw.send_all("GET /block HTTP/1.1\r\nHost: x\r\n\r\n", 5s).ok());
  wait_entered(1);
  raw.close();
  for (int i = 0; i < 1000 && !saw_cancel_.load(); ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(saw_cancel_.load());
}

TEST_F(HttpServerTest, PipelinedRequestIsNotACancellation) {
  start();
  TcpConnection raw = connect();
  // The second request arrives while the first is in its handler: the socket
  // becomes readable with data, which must not cancel the first.
  ASSERT_TRUE(raw.send_all("GET /block HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 5s).ok());
  wait_entered(1);
  std::this_thread::sleep_for(100ms);
  release_.store(true);
  std::string got;
  for (int i = 0; i < 50 && got.find("hi") == std::string::npos; ++i) {
    auto part = raw.recv_some(5s);
    if (!part.ok()) break;
    got += *part;
  }
  EXPECT_FALSE(saw_cancel_.load());
  EXPECT_NE(got.find("done"), std::string::npos) << got;
  EXPECT_NE(got.find("hi"), std::string::npos) << got;
}

// Reads a raw connection until the whole answer to GET /hello ("hi") is
// in; what came so far if it did not within a few seconds.
std::string read_hello(TcpConnection& c) {
  std::string got;
  for (int i = 0; i < 100 && got.find("\r\n\r\nhi") == std::string::npos; ++i) {
    auto part = c.recv_some(5s);
    if (!part.ok() || part->empty()) break;
    got += *part;
  }
  return got;
}

std::string get_hello(TcpConnection& c) {
  if (!c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 5s).ok()) return "";
  return read_hello(c);
}

TEST_F(HttpServerTest, AtTheLimitEvictsTheLongestIdleConnection) {
  HttpServerOptions o;
  o.max_connections = 2;
  start(o);
  TcpConnection a = connect();
  ASSERT_EQ(get_hello(a).rfind("HTTP/1.1 200 OK", 0), 0u);  // idle since its answer
  TcpConnection b = connect();
  ASSERT_EQ(get_hello(b).rfind("HTTP/1.1 200 OK", 0), 0u);  // idle, but younger
  // A client can read its answer before the server has finished writing
  // it: both must be back to waiting before the third arrives.
  ASSERT_TRUE(testutil::eventually([&] { return idle_connections() == 2; }, 10s, 1ms));
  // The third is served at once: a makes room.
  TcpConnection c = connect();
  EXPECT_EQ(get_hello(c).rfind("HTTP/1.1 200 OK", 0), 0u);
  EXPECT_TRUE(a.wait_closed(5s));
  EXPECT_EQ(evictions(), 1);
  // b was left alone: it still answers on the same connection.
  EXPECT_EQ(get_hello(b).rfind("HTTP/1.1 200 OK", 0), 0u);
  EXPECT_EQ(open_connections(), 2);
}

TEST_F(HttpServerTest, AtTheLimitEvictsSlowHeaderSendersOldestFirst) {
  HttpServerOptions o;
  o.max_connections = 3;
  start(o);
  std::vector<TcpConnection> loris;
  for (int i = 0; i < 3; ++i) {
    loris.push_back(connect());
    // Registered before the next one connects, so their ages are ordered.
    ASSERT_TRUE(testutil::eventually([&] { return open_connections() == i + 1; }, 10s, 5ms));
    ASSERT_TRUE(loris.back().send_all("GET /hello HTTP/1.1\r\n", 5s).ok());
  }
  // Fresh bytes, newest sender first, do not make a connection younger.
  for (int i = 2; i >= 0; --i) ASSERT_TRUE(loris[size_t(i)].send_all("Ho", 5s).ok());
  std::vector<TcpConnection> fresh;
  for (int i = 0; i < 3; ++i) {
    fresh.push_back(connect());
    EXPECT_EQ(get_hello(fresh.back()).rfind("HTTP/1.1 200 OK", 0), 0u) << i;
    EXPECT_TRUE(loris[size_t(i)].wait_closed(5s)) << i;
    EXPECT_EQ(evictions(), i + 1);
  }
}

TEST_F(HttpServerTest, AtTheLimitBusyConnectionsHoldNewOnesInTheBacklog) {
  HttpServerOptions o;
  o.max_connections = 2;
  start(o);
  // Kept-alive clients: once answered they turn idle (not closed), so the
  // held connection gets in by evicting one of them.
  HttpClient a = client(), b = client();
  auto ra = std::async(std::launch::async, [&a] { return a.get("/block"); });
  auto rb = std::async(std::launch::async, [&b] { return b.get("/block"); });
  wait_entered(2);
  TcpConnection c = connect();  // queued by the kernel, not served
  ASSERT_TRUE(c.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 5s).ok());
  auto nothing = c.recv_some(300ms);
  EXPECT_TRUE(absl::IsDeadlineExceeded(nothing.status())) << nothing.status();
  EXPECT_EQ(evictions(), 0);
  release_.store(true);
  for (auto* r : {&ra, &rb}) {
    auto got = r->get();
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->status, 200);
    EXPECT_EQ(got->body, "done");
  }
  std::string served = read_hello(c);
  EXPECT_EQ(served.rfind("HTTP/1.1 200 OK", 0), 0u) << served;
  EXPECT_EQ(evictions(), 1);
  EXPECT_FALSE(saw_cancel_.load());
}

TEST_F(HttpServerTest, AtTheLimitWithoutKeepAliveTheHeldConnectionWaitsForAClose) {
  HttpServerOptions o;
  o.max_connections = 1;
  start(o);
  TcpConnection first = connect();
  ASSERT_TRUE(first.send_all("GET /block HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5s).ok());
  wait_entered(1);
  TcpConnection second = connect();
  ASSERT_TRUE(second.send_all("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 5s).ok());
  auto nothing = second.recv_some(300ms);
  EXPECT_TRUE(absl::IsDeadlineExceeded(nothing.status())) << nothing.status();
  release_.store(true);
  EXPECT_TRUE(first.wait_closed(5s));
  EXPECT_EQ(read_hello(second).rfind("HTTP/1.1 200 OK", 0), 0u);
  EXPECT_EQ(evictions(), 0);
}

TEST_F(HttpServerTest, AtTheLimitEvictsTlsConnectionsToo) {
  tls_dir_.emplace("http_server_tls_");
  ASSERT_TRUE(testutil::make_test_certs(tls_dir_->path()).ok());
  std::ofstream(tls_dir_->path() + "/web.yml")
      << "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n";
  auto web = WebConfigFile::load(tls_dir_->path() + "/web.yml", nullptr);
  ASSERT_TRUE(web.ok()) << web.status();
  web_ = std::move(*web);
  HttpServerOptions o;
  o.max_connections = 2;
  o.web_config = web_.get();
  start(o);
  net::HttpClientConfig cfg;
  cfg.tls_config.ca_file = tls_dir_->path() + "/ca.pem";
  auto tls_client = [&] { return HttpClient("127.0.0.1", server_->port(), 20s, cfg, true); };
  // Never sends its ClientHello: waiting for bytes since it was accepted.
  TcpConnection handshaking = connect();
  ASSERT_TRUE(testutil::eventually([&] { return open_connections() == 1; }, 10s, 5ms));
  HttpClient idle = tls_client();
  auto r = idle.get("/hello");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->status, 200);
  HttpClient third = tls_client();
  r = third.get("/hello");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(handshaking.wait_closed(5s));
  EXPECT_EQ(evictions(), 1);
  // Next oldest: the idle TLS connection.
  HttpClient fourth = tls_client();
  r = fourth.get("/hello");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(evictions(), 2);
  r = idle.get("/hello");  // on a new connection (which evicts third)
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(idle.connections_opened(), 2);
  EXPECT_EQ(evictions(), 3);
}

TEST_F(HttpServerTest, GracefulStopFinishesRequestsInFlight) {
  start();
  HttpClient idle_client = client();
  ASSERT_TRUE(idle_client.get("/hello").ok());
  auto slow = std::async(std::launch::async, [this] { return client().get("/block"); });
  wait_entered(1);
  std::thread releaser([this] {
    std::this_thread::sleep_for(300ms);
    release_.store(true);
  });
  auto t0 = std::chrono::steady_clock::now();
  server_->stop(10s);
  auto took = std::chrono::steady_clock::now() - t0;
  releaser.join();
  auto r = slow.get();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_LT(took, 9s);
  EXPECT_FALSE(saw_cancel_.load());
  // Nothing listens any more.
  EXPECT_FALSE(TcpConnection::connect("127.0.0.1", server_->port(), 1s).ok());
}

TEST_F(HttpServerTest, StopCancelsHandlersAfterTheGracePeriod) {
  start();
  auto slow = std::async(std::launch::async, [this] { return client().get("/block"); });
  wait_entered(1);
  auto t0 = std::chrono::steady_clock::now();
  server_->stop(100ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_TRUE(saw_cancel_.load());
  slow.wait();
}

TEST_F(HttpServerTest, RecordsRequestMetrics) {
  start();
  HttpClient c = client();
  ASSERT_TRUE(c.get("/hello").ok());
  ASSERT_TRUE(c.get("/hello").ok());
  ASSERT_TRUE(c.get("/missing").ok());
  std::string text;
  registry_.write_text(&text);
  EXPECT_NE(text.find("strata_http_requests_total{code=\"200\",handler=\"/hello\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("strata_http_requests_total{code=\"404\",handler=\"other\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("strata_http_request_duration_seconds_count{handler=\"/hello\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("strata_http_response_size_bytes_sum{handler=\"/hello\"} 4"),
            std::string::npos);
  EXPECT_NE(text.find("strata_http_open_connections 1"), std::string::npos);
}

TEST(GzipTest, AcceptEncodingParsing) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, gzip;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_TRUE(accepts_gzip(" GZIP "));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("*, gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("br"));
}

}  // namespace
}  // namespace strata::server
