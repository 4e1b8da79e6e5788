// TestServer: a small Beast HTTP/1.1 server on 127.0.0.1 (port 0) for net/'s
// client tests, plain or TLS. One thread accepts; each connection gets its
// own thread running the handler request after request (keep-alive) until
// the client closes, the response says Connection: close, or the server
// stops. The handler runs on those threads; it may sleep to test deadlines.
//
// The destructor unblocks and joins every thread; handlers must return
// within a second or so.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace strata::net::testing {

using ServerRequest = boost::beast::http::request<boost::beast::http::string_body>;
using ServerResponse = boost::beast::http::response<boost::beast::http::string_body>;

struct TestServerOptions {
  std::string cert_pem_file, key_pem_file;  // TLS when set
  std::string client_ca_file;               // require a client certificate signed by it
  // Close the socket after each response without saying so (a kept-alive
  // connection the server dropped while idle).
  bool drop_after_response = false;
};

class TestServer {
 public:
  // Fills `res` (status 200 and an empty body preset); Content-Length is
  // set afterwards unless the handler chose chunked encoding.
  using Handler = std::function<void(const ServerRequest& req, ServerResponse& res)>;

  explicit TestServer(Handler handler, TestServerOptions opts = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>" (https for TLS).
  std::string url(const std::string& path) const;
  int connections_accepted() const { return accepted_.load(); }

 private:
  struct Impl;
  void accept_loop();
  void serve(int fd);

  Handler handler_;
  TestServerOptions opts_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> connections_;
  std::vector<int> fds_;
};

// gzip-compresses `s` (for handlers that answer Content-Encoding: gzip).
std::string gzip_compress(const std::string& s);

}  // namespace strata::net::testing
