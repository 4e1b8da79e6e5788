// The CONNECT proxy of tests/net (see tunnel_proxy.h), on POSIX sockets.
#include "tests/net/tunnel_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

namespace strata::net::testing {
namespace {

int connect_local(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += size_t(n);
  }
  return true;
}

}  // namespace

TunnelProxy::TunnelProxy() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(listen_fd_, 16);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TunnelProxy::~TunnelProxy() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    threads.swap(tunnels_);
  }
  for (auto& t : threads) t.join();
  for (int fd : fds_) ::close(fd);
}

std::string TunnelProxy::last_request() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_request_;
}

void TunnelProxy::track(int fd) {
  std::lock_guard<std::mutex> l(mu_);
  fds_.push_back(fd);
}

void TunnelProxy::accept_loop() {
  for (;;) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0 || stopping_) {
      if (fd >= 0) ::close(fd);
      return;
    }
    std::lock_guard<std::mutex> l(mu_);
    fds_.push_back(fd);
    tunnels_.emplace_back([this, fd] { tunnel(fd); });
  }
}

void TunnelProxy::tunnel(int client) {
  std::string head;
  char c;
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (::recv(client, &c, 1, 0) != 1) return;
    head.push_back(c);
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    last_request_ = head;
  }
  int port = 0;
  if (std::sscanf(head.c_str(), "CONNECT 127.0.0.1:%d HTTP/1.1", &port) != 1) {
    send_all(client, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    return;
  }
  int upstream = connect_local(port);
  if (upstream < 0) {
    send_all(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
    return;
  }
  track(upstream);
  if (!send_all(client, "HTTP/1.1 200 Connection established\r\n\r\n")) return;
  pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
  char buf[16384];
  for (;;) {
    if (::poll(fds, 2, -1) < 0) return;
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
      if (n <= 0 || !send_all(fds[1 - i].fd, std::string(buf, size_t(n)))) {
        ::shutdown(client, SHUT_RDWR);
        ::shutdown(upstream, SHUT_RDWR);
        return;
      }
    }
  }
}

}  // namespace strata::net::testing
