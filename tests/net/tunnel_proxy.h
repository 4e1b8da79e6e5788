// TunnelProxy: a CONNECT-only HTTP proxy on 127.0.0.1 (port 0) for testing
// https through proxy_url. It answers "200 Connection established" and then
// copies bytes both ways; it refuses any target other than 127.0.0.1, so a
// test can never reach another address. One thread per tunnel; the
// destructor closes every socket and joins.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace strata::net::testing {

class TunnelProxy {
 public:
  TunnelProxy();
  ~TunnelProxy();
  TunnelProxy(const TunnelProxy&) = delete;
  TunnelProxy& operator=(const TunnelProxy&) = delete;

  int port() const { return port_; }
  // The request head of the last CONNECT (request line and headers).
  std::string last_request() const;

 private:
  void accept_loop();
  void tunnel(int client);
  void track(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> tunnels_;
  std::vector<int> fds_;
  std::string last_request_;
};

}  // namespace strata::net::testing
