// The in-test HTTP(S) server of tests/net (see test_server.h).
#include "tests/net/test_server.h"

#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace strata::net::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct TestServer::Impl {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::unique_ptr<asio::ssl::context> tls;
};

TestServer::TestServer(Handler handler, TestServerOptions opts)
    : handler_(std::move(handler)), opts_(std::move(opts)), impl_(new Impl) {
  if (!opts_.cert_pem_file.empty()) {
    impl_->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(opts_.cert_pem_file);
    impl_->tls->use_private_key_file(opts_.key_pem_file, asio::ssl::context::pem);
    if (!opts_.client_ca_file.empty()) {
      impl_->tls->load_verify_file(opts_.client_ca_file);
      impl_->tls->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    }
  }
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestServer::~TestServer() {
  stopping_ = true;
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    threads.swap(connections_);
  }
  for (auto& t : threads) t.join();
}

std::string TestServer::url(const std::string& path) const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

void TestServer::accept_loop() {
  for (;;) {
    int fd = ::accept(impl_->acceptor.native_handle(), nullptr, nullptr);
    if (fd < 0 || stopping_) {
      if (fd >= 0) ::close(fd);
      return;
    }
    ++accepted_;
    std::lock_guard<std::mutex> l(mu_);
    fds_.push_back(fd);
    connections_.emplace_back([this, fd] { serve(fd); });
  }
}

namespace {

template <class Stream>
void serve_stream(Stream& s, const TestServer::Handler& handler, bool drop_after_response) {
  boost::beast::flat_buffer buf;
  for (;;) {
    ServerRequest req;
    boost::system::error_code ec;
    http::read(s, buf, req, ec);
    if (ec) return;
    ServerResponse res{http::status::ok, req.version()};
    res.set(http::field::server, "net-test");
    handler(req, res);
    if (!res.chunked()) res.prepare_payload();
    if (!res.has_content_length() && !res.chunked() && req.method() != http::verb::head)
      res.content_length(res.body().size());
    const bool keep = res.keep_alive() && req.keep_alive();
    if (req.method() == http::verb::head) {
      http::response_serializer<http::string_body> sr{res};
      http::write_header(s, sr, ec);
    } else {
      http::write(s, res, ec);
    }
    if (ec || !keep || drop_after_response) return;
  }
}

}  // namespace

void TestServer::serve(int fd) {
  asio::io_context ioc;
  tcp::socket sock(ioc, tcp::v4(), fd);
  if (impl_->tls) {
    asio::ssl::stream<tcp::socket&> tls(sock, *impl_->tls);
    boost::system::error_code ec;
    tls.handshake(asio::ssl::stream_base::server, ec);
    if (!ec) serve_stream(tls, handler_, opts_.drop_after_response);
  } else {
    serve_stream(sock, handler_, opts_.drop_after_response);
  }
  boost::system::error_code ignored;
  sock.shutdown(tcp::socket::shutdown_both, ignored);
  // The fd stays open until the destructor's shutdown() has run on it.
  std::lock_guard<std::mutex> l(mu_);
  sock.release(ignored);
  for (auto& f : fds_) {
    if (f == fd) {
      ::close(fd);
      f = -1;
    }
  }
}

std::string gzip_compress(const std::string& s) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, uLong(s.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(s.data()));
  z.avail_in = uInt(s.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace strata::net::testing
