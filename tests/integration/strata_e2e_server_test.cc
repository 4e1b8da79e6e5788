// End to end against the real binary, the server side of the Foundation
// issue: keep-alive, gzip, body limit, 404/405, HEAD, idle timeouts, graceful
// SIGTERM/SIGINT with requests in flight (and the data flushed), the command
// line (--help, --version, unknown flags and bad values exit 2 with the
// message on stderr) and logfmt logs. Each test that stops or configures
// strata differently starts its own; they share nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <zlib.h>

#include <chrono>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/known_data.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"
#include "tests/testutil/tcp_connection.h"
#include "server/build_revision.h"  // STRATA_REVISION, STRATA_BRANCH of this build

namespace strata::integration {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testutil::HttpClient;
using testutil::ServerProcess;
using testutil::TcpConnection;

// A query that keeps strata busy for about a second or more (36 million
// subquery steps); its answer is exact.
constexpr const char* kSlowQuery = "count_over_time(vector(1)[10h:1ms])";
constexpr const char* kSlowQueryValue = "36000000";

std::optional<std::string> gunzip(const std::string& data) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return std::nullopt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = uInt(data.size());
  std::string out;
  char buf[1 << 15];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - zs.avail_out);
  } while (rc != Z_STREAM_END);
  const bool ok = rc == Z_STREAM_END && zs.avail_in == 0;
  inflateEnd(&zs);
  if (!ok) return std::nullopt;
  return out;
}

std::unique_ptr<ServerProcess> start(std::vector<std::string> flags = {}) {
  auto s = testutil::start_strata(std::move(flags));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

// Everything the server sends until it closes the connection (or `timeout`).
std::string read_until_close(TcpConnection& conn, milliseconds timeout) {
  std::string all;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = conn.recv_some(
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now()));
    if (!r.ok() || r->empty()) break;
    all += *r;
  }
  return all;
}

// The status code of a raw HTTP response ("HTTP/1.1 413 ..."), or 0.
int status_of(const std::string& raw) {
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return 0;
  return std::atoi(raw.substr(9, 3).c_str());
}

std::string slow_query_request() {
  return "GET /api/v1/query?query=" + testutil::url_encode(kSlowQuery) +
         "&time=1700000000 HTTP/1.1\r\nHost: strata\r\nConnection: close\r\n\r\n";
}

TEST(StrataServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto s = start();
  ASSERT_NE(s, nullptr);
  HttpClient c = s->client();
  for (const char* target : {"/-/healthy", "/api/v1/query?query=1", "/-/ready", "/metrics"}) {
    auto r = c.get(target);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200) << target;
  }
  EXPECT_EQ(c.connections_opened(), 1);

  // `Connection: close` and HTTP/1.0 without keep-alive: answered, then closed.
  for (const std::string req : {"GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                "GET /-/healthy HTTP/1.0\r\n\r\n"}) {
    SCOPED_TRACE(req);
    auto conn = TcpConnection::connect("127.0.0.1", s->port(), seconds(5));
    ASSERT_TRUE(conn.ok()) << conn.status();
    ASSERT_TRUE(conn->send_all(req, seconds(5)).ok());
    std::string raw = read_until_close(*conn, seconds(10));
    EXPECT_EQ(status_of(raw), 200) << raw;
    EXPECT_THAT(raw, HasSubstr("Strata Server is Healthy.\n"));
  }
}

TEST(StrataServerTest, GzipWhenTheClientAcceptsIt) {
  auto s = start();
  ASSERT_NE(s, nullptr);
  // ~30 KB of JSON.
  const std::string target =
      "/api/v1/query_range?query=vector(1)&start=1700000000&end=1700001000&step=1";
  HttpClient c = s->client();
  auto plain = c.get(target);
  ASSERT_TRUE(plain.ok()) << plain.status();
  ASSERT_EQ(plain->status, 200);
  EXPECT_FALSE(plain->has_header("content-encoding"));
  EXPECT_THAT(plain->body, StartsWith(R"({"status":"success","data":{"resultType":"matrix")"));

  auto gz = c.get(target, {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(gz.ok()) << gz.status();
  ASSERT_EQ(gz->status, 200);
  EXPECT_EQ(gz->header("content-encoding"), "gzip");
  EXPECT_EQ(gz->header("content-type"), "application/json");
  EXPECT_LT(gz->body.size(), plain->body.size() / 5);
  auto unzipped = gunzip(gz->body);
  ASSERT_TRUE(unzipped.has_value()) << "not valid gzip";
  EXPECT_EQ(*unzipped, plain->body);

  // As browsers and Grafana send it; and an explicit refusal.
  auto br = c.get(target, {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(br.ok());
  EXPECT_EQ(br->header("content-encoding"), "gzip");
  auto refused = c.get(target, {{"Accept-Encoding", "gzip;q=0, identity"}});
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->has_header("content-encoding"));
  EXPECT_EQ(refused->body, plain->body);
  // /metrics too (Prometheus scraping Strata asks for gzip).
  auto metrics = c.get("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->header("content-encoding"), "gzip");
  auto m = gunzip(metrics->body);
  ASSERT_TRUE(m.has_value());
  EXPECT_THAT(*m, HasSubstr("# TYPE strata_http_requests_total counter"));
}

TEST(StrataServerTest, BodiesOverTheLimitAre413) {
  auto s = start();
  ASSERT_NE(s, nullptr);
  // The declared length alone exceeds the 64 MiB limit: refused before any
  // of the body is read.
  auto conn = TcpConnection::connect("127.0.0.1", s->port(), seconds(5));
  ASSERT_TRUE(conn.ok()) << conn.status();
  ASSERT_TRUE(conn->send_all("POST /api/v1/write HTTP/1.1\r\nHost: x\r\n"
                             "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n"
                             "Content-Length: " +
                                 std::to_string((64u << 20) + 1) + "\r\n\r\n",
                             seconds(5))
                  .ok());
  std::string raw = read_until_close(*conn, seconds(10));
  EXPECT_EQ(status_of(raw), 413) << raw;
  // The server is fine afterwards.
  HttpClient c = s->client();
  auto h = c.get("/-/healthy");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
}

TEST(StrataServerTest, FormBodiesHaveGosLimit) {
  auto s = start();
  ASSERT_NE(s, nullptr);
  // 10 MiB, Go's cap on a parsed form: a larger query form is refused
  // before its body is sent; remote write takes larger bodies.
  auto conn = TcpConnection::connect("127.0.0.1", s->port(), seconds(5));
  ASSERT_TRUE(conn.ok()) << conn.status();
  ASSERT_TRUE(conn->send_all("POST /api/v1/query HTTP/1.1\r\nHost: x\r\n"
                             "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                 std::to_string((10u << 20) + 1) + "\r\n\r\n",
                             seconds(5))
                  .ok());
  std::string raw = read_until_close(*conn, seconds(10));
  EXPECT_EQ(status_of(raw), 413) << raw;
  EXPECT_NE(raw.find("request body too large (limit 10485760 bytes)"), std::string::npos) << raw;

  HttpClient c = s->client();
  auto w = c.post("/api/v1/write", std::string(11 << 20, 'x'), "application/x-protobuf",
                  {{"Content-Encoding", "snappy"}});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->status, 400) << w->body;  // read, then found not to be snappy
  auto q = c.post("/api/v1/query", "query=1%2B1", "application/x-www-form-urlencoded");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->status, 200) << q->body;
}

TEST(StrataServerTest, NotFoundMethodNotAllowedAndHead) {
  auto s = start();
  ASSERT_NE(s, nullptr);
  HttpClient c = s->client();
  auto nf = c.get("/nope");
  ASSERT_TRUE(nf.ok());
  EXPECT_EQ(nf->status, 404);
  EXPECT_EQ(nf->body, "404 page not found\n");
  EXPECT_EQ(nf->header("content-type"), "text/plain; charset=utf-8");

  auto del = c.request("DELETE", "/api/v1/query", "", {});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 405);
  EXPECT_EQ(del->header("allow"), "GET, OPTIONS, POST");
  EXPECT_EQ(del->body, "Method Not Allowed\n");
  auto get_write = c.get("/api/v1/write");
  ASSERT_TRUE(get_write.ok());
  EXPECT_EQ(get_write->status, 405);
  EXPECT_EQ(get_write->header("allow"), "OPTIONS, POST");

  auto head = c.head("/-/healthy");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "26");
  EXPECT_EQ(head->body, "");
  // API paths answer HEAD with 405, as Prometheus.
  auto head_api = c.head("/api/v1/status/buildinfo");
  ASSERT_TRUE(head_api.ok());
  EXPECT_EQ(head_api->status, 405);
  EXPECT_EQ(head_api->header("allow"), "GET, OPTIONS");
  EXPECT_EQ(head_api->body, "");
  // The connection is still usable after the HEAD answers.
  auto after = c.get("/-/ready");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->body, "Strata Server is Ready.\n");
  EXPECT_EQ(c.connections_opened(), 1);
}

TEST(StrataServerTest, IdleConnectionsAreClosedAfterTheReadTimeout) {
  auto s = start({"--web.read-timeout=1s"});
  ASSERT_NE(s, nullptr);
  // After a request: idle keep-alive connection.
  auto used = TcpConnection::connect("127.0.0.1", s->port(), seconds(5));
  ASSERT_TRUE(used.ok());
  ASSERT_TRUE(used->send_all("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n", seconds(5)).ok());
  auto first = used->recv_some(seconds(5));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(status_of(*first), 200);
  // Never sent anything; sent half a request.
  auto silent = TcpConnection::connect("127.0.0.1", s->port(), seconds(5));
  auto half = TcpConnection::connect("127.0.0.1", s->port(), seconds(5));
  ASSERT_TRUE(silent.ok() && half.ok());
  ASSERT_TRUE(half->send_all("GET /-/healthy HTTP/1.1\r\nHost:", seconds(5)).ok());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(used->wait_closed(seconds(10)));
  EXPECT_TRUE(silent->wait_closed(seconds(10)));
  EXPECT_TRUE(half->wait_closed(seconds(10)));
  // Not before the timeout (generous margin for a busy machine on the
  // other side: closing early would be the bug).
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(500));
  // A connection in use within the timeout stays open.
  HttpClient c = s->client();
  for (int i = 0; i < 3; ++i) {
    auto r = c.get("/-/healthy");
    ASSERT_TRUE(r.ok());
    std::this_thread::sleep_for(milliseconds(300));
  }
  EXPECT_EQ(c.connections_opened(), 1);
}

TEST(StrataServerTest, SigtermFinishesRequestsInFlightFlushesAndExitsZero) {
  auto s = start();
  ASSERT_NE(s, nullptr);
  const int64_t t0 = default_t0_ms();
  {
    HttpClient c = s->client();
    auto w = c.post("/api/v1/write", known_write_body(t0), "application/x-protobuf",
                    {{"Content-Encoding", "snappy"}});
    ASSERT_TRUE(w.ok());
    ASSERT_EQ(w->status, 204) << w->body;
  }
  auto conn = TcpConnection::connect("127.0.0.1", s->port(), seconds(5));
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn->send_all(slow_query_request(), seconds(5)).ok());
  std::this_thread::sleep_for(milliseconds(300));  // the query is running now
  ASSERT_TRUE(s->signal(SIGTERM).ok());
  std::string raw = read_until_close(*conn, seconds(60));
  EXPECT_EQ(status_of(raw), 200) << raw;
  EXPECT_THAT(raw, HasSubstr("\"" + std::string(kSlowQueryValue) + "\""));
  auto code = s->wait(seconds(60));
  ASSERT_TRUE(code.has_value()) << "strata still running 60 s after SIGTERM";
  EXPECT_EQ(*code, 0) << s->log();
  const std::string log = s->log();
  EXPECT_THAT(log, HasSubstr("level=warn component=main msg=\"Received termination request, "
                             "exiting gracefully...\" signal=terminated"));
  EXPECT_THAT(log, HasSubstr("msg=\"See you next time!\""));
  // Nothing listens any more.
  EXPECT_FALSE(TcpConnection::connect("127.0.0.1", s->port(), seconds(2)).ok());

  // The samples were flushed: a new strata on the same data directory has them.
  auto again = start({"--storage.tsdb.path=" + s->data_dir()});
  ASSERT_NE(again, nullptr);
  HttpClient c = again->client();
  auto r = c.get("/api/v1/query?query=" + testutil::url_encode("sum(e2e_requests_total)") +
                 "&time=" + param_ts(t0 + 300'000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body,
            R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":)" +
                pair(t0 + 300'000, "220") + "}]}}");
  EXPECT_EQ(again->stop(), 0);
}

TEST(StrataServerTest, SigintStopsGracefullyToo) {
  auto s = start();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->signal(SIGINT).ok());
  auto code = s->wait(seconds(60));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  EXPECT_THAT(s->log(), HasSubstr("signal=interrupt"));
}

// A request whose body is still arriving when SIGTERM comes: strata may
// finish it (204) or close the connection without an answer (the sender
// retries), but never answers it half-read, and still exits 0.
TEST(StrataServerTest, SigtermDuringAnUploadNeverHalfAnswers) {
  auto s = start();
  ASSERT_NE(s, nullptr);
  const std::string body = known_write_body(default_t0_ms());
  auto conn = TcpConnection::connect("127.0.0.1", s->port(), seconds(5));
  ASSERT_TRUE(conn.ok());
  const std::string head =
      "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
      "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  ASSERT_TRUE(conn->send_all(head + body.substr(0, body.size() / 2), seconds(5)).ok());
  std::this_thread::sleep_for(milliseconds(200));
  ASSERT_TRUE(s->signal(SIGTERM).ok());
  std::this_thread::sleep_for(milliseconds(300));
  (void)conn->send_all(body.substr(body.size() / 2), seconds(5));
  std::string raw = read_until_close(*conn, seconds(30));
  if (!raw.empty()) {
    EXPECT_EQ(status_of(raw), 204) << raw;
  }
  auto code = s->wait(seconds(60));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
}

TEST(StrataServerTest, HelpAndVersion) {
  auto help = testutil::run_binary(testutil::strata_binary(), {"--help"});
  ASSERT_TRUE(help.ok()) << help.status();
  EXPECT_EQ(help->exit_code, 0);
  EXPECT_THAT(help->output, StartsWith("usage: strata [<flags>]\n"));
  for (const char* flag :
       {"--web.listen-address=<address>", "--storage.tsdb.path=<path>", "--config.file=<path>",
        "--query.compat=<version>", "--web.enable-lifecycle", "--web.enable-admin-api",
        "--log.level=<level>", "--version"})
    EXPECT_THAT(help->output, HasSubstr(flag));

  auto version = testutil::run_binary(testutil::strata_binary(), {"--version"});
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(version->exit_code, 0);
  EXPECT_THAT(version->output, StartsWith(std::string("strata, version ") + STRATA_E2E_VERSION +
                                          " (branch: " + STRATA_BRANCH +
                                          ", revision: " + STRATA_REVISION + ")\n"));
}

// Runs strata with `args` through sh, keeping only stderr (or only stdout).
testutil::RunResult run_stream(const std::vector<std::string>& args, bool want_stderr) {
  std::vector<std::string> sh = {
      "-c", want_stderr ? "exec \"$0\" \"$@\" 2>&1 >/dev/null" : "exec \"$0\" \"$@\" 2>/dev/null",
      testutil::strata_binary()};
  sh.insert(sh.end(), args.begin(), args.end());
  auto r = testutil::run_binary("/bin/sh", sh);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : testutil::RunResult{};
}

TEST(StrataServerTest, UnknownFlagsAndBadValuesExit2WithTheMessageOnStderr) {
  struct Case {
    std::vector<std::string> args;
    std::string stderr_text;
  };
  const std::vector<Case> cases = {
      {{"--nope"}, "strata: error: unknown long flag '--nope', try --help\n"},
      {{"--web.listen-address=127.0.0.1:0", "-x"},
       "strata: error: unknown short flag '-x', try --help\n"},
      {{"serve"}, "strata: error: unexpected serve, try --help\n"},
      {{"--query.timeout=abc"},
       "strata: error: invalid value \"abc\" for flag --query.timeout: not a valid duration "
       "string: \"abc\", try --help\n"},
      {{"--query.compat=v9"},
       "strata: error: invalid value \"v9\" for flag --query.compat: must be one of v3, v2, try "
       "--help\n"},
      {{"--web.listen-address=nowhere"},
       "strata: error: invalid value \"nowhere\" for flag --web.listen-address: address nowhere: "
       "missing port in address, try --help\n"},
      {{"--storage.tsdb.path"},
       "strata: error: expected argument for flag '--storage.tsdb.path', try --help\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args.back());
    testutil::RunResult err = run_stream(c.args, true);
    EXPECT_EQ(err.exit_code, 2);
    EXPECT_EQ(err.output, c.stderr_text);
    testutil::RunResult out = run_stream(c.args, false);
    EXPECT_EQ(out.exit_code, 2);
    EXPECT_EQ(out.output, "") << "nothing on stdout";
  }
}

// Prometheus 2.42 exits 2 when --config.file cannot be loaded
// (`Error loading config (--config.file=...)`); so should strata.
TEST(StrataServerTest, UnloadableConfigFileExits2) {
  auto r =
      testutil::run_binary(testutil::strata_binary(), {"--config.file=/nonexistent/strata.yml",
                                                       "--web.listen-address=127.0.0.1:0",
                                                       "--storage.tsdb.path=/nonexistent/data"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 2) << r->output;
  EXPECT_THAT(r->output, HasSubstr("level=error"));
  EXPECT_THAT(r->output, HasSubstr("open /nonexistent/strata.yml: no such file or directory"));
}

TEST(StrataServerTest, LogsAreLogfmtLikePrometheus) {
  auto s = start();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->stop(), 0);
  const std::string log = s->log();
  // ts=2026-01-02T03:04:05.678Z level=info component=main msg="..." key=value ...
  const std::regex line(
      R"(ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=(debug|info|warn|error)( [a-zA-Z_.]+=("([^"\\]|\\.)*"|[^ "=]+))* ?)");
  std::istringstream in(log);
  int lines = 0;
  for (std::string l; std::getline(in, l);) {
    ++lines;
    EXPECT_TRUE(std::regex_match(l, line)) << l;
    EXPECT_THAT(l, HasSubstr(" msg=")) << l;
  }
  EXPECT_GE(lines, 4);
  EXPECT_THAT(
      log, HasSubstr("level=info component=main msg=\"Server is ready to receive web requests.\""));
  EXPECT_THAT(
      log,
      HasSubstr("level=info component=main msg=\"Starting Strata\" version=" STRATA_E2E_VERSION));
}

}  // namespace
}  // namespace strata::integration
