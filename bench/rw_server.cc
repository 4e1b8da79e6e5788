// rw_server: a minimal HTTP server around api::remote::WriteHandler and an
// in-process tsdb::DB, for measuring the remote-write receive path end to end
// with loadgen before (and independently of) the real server in server/.
// Boost.Beast, synchronous, one thread per connection, keep-alive.
//
//   rw_server --listen 127.0.0.1:9201 [--data /tmp/rw-data]
//   POST /api/v1/write   remote write 1.0
//   GET  /metrics        self-metrics (strata_remote_write_*, head counters)
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "api/http.h"
#include "api/remote/write_handler.h"
#include "base/metrics.h"
#include "tsdb/db.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Remote-write bodies are at most a few MB compressed; 32 MiB leaves room.
constexpr uint64_t kMaxBody = uint64_t(32) << 20;

void serve(tcp::socket sock, strata::api::remote::WriteHandler* handler,
           strata::metrics::Registry* registry) {
  beast::flat_buffer buf;
  beast::error_code ec;
  sock.set_option(tcp::no_delay(true), ec);
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    http::read(sock, buf, parser, ec);
    if (ec) return;
    auto& in = parser.get();
    strata::api::HttpRequest req;
    req.method = std::string(in.method_string());
    std::string target(in.target());
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    for (const auto& f : in) {
      std::string name(f.name_string());
      for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    req.body = std::move(in.body());

    strata::api::HttpResponse resp;
    if (req.path == "/api/v1/write") {
      handler->handle(req, resp);
    } else if (req.path == "/metrics") {
      resp.content_type = "text/plain; version=0.0.4";
      registry->write_text(&resp.body);
    } else {
      resp.status = 404;
      resp.content_type = "text/plain";
      resp.body = "404 page not found\n";
    }
    http::response<http::string_body> out{http::int_to_status(unsigned(resp.status)), in.version()};
    if (!resp.content_type.empty()) out.set(http::field::content_type, resp.content_type);
    for (auto& [k, v] : resp.headers) out.set(k, v);
    out.keep_alive(in.keep_alive());
    out.body() = std::move(resp.body);
    out.prepare_payload();
    http::write(sock, out, ec);
    if (ec || !out.keep_alive()) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:9201", data = "/tmp/strata-rw-server";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i];
    if (f == "--listen") listen = argv[i + 1];
    else if (f == "--data") data = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: rw_server [--listen host:port] [--data dir]\n");
      return 2;
    }
  }
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "rw_server: --listen wants host:port\n");
    return 2;
  }
  strata::metrics::Registry registry;
  strata::tsdb::DBOptions opts;
  opts.dir = data;
  auto db = strata::tsdb::DB::open(opts, &registry);
  if (!db.ok()) {
    std::fprintf(stderr, "rw_server: %s\n", std::string(db.status().message()).c_str());
    return 1;
  }
  strata::api::remote::WriteHandler handler(**db, registry);

  asio::io_context ioc;
  beast::error_code ec;
  tcp::endpoint ep(asio::ip::make_address(listen.substr(0, colon), ec),
                   static_cast<unsigned short>(std::stoi(listen.substr(colon + 1))));
  if (ec) {
    std::fprintf(stderr, "rw_server: bad address %s: %s\n", listen.c_str(), ec.message().c_str());
    return 2;
  }
  tcp::acceptor acceptor(ioc, ep);
  std::printf("rw_server listening on %s\n", listen.c_str());
  std::fflush(stdout);
  for (;;) {
    tcp::socket sock(ioc);
    acceptor.accept(sock, ec);
    if (ec) continue;
    std::thread(serve, std::move(sock), &handler, &registry).detach();
  }
}
