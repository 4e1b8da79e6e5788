#include "tests/testutil/tcp_connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace strata::testutil {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return int(std::max<int64_t>(0, left.count()));
}

// Waits for `events` on fd until the deadline; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return true;  // let the following call report the error
  }
}

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

TcpConnection::~TcpConnection() { close(); }

TcpConnection::TcpConnection(TcpConnection&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

TcpConnection& TcpConnection::operator=(TcpConnection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

absl::StatusOr<TcpConnection> TcpConnection::connect(const std::string& host, int port,
                                                     std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (int rc = ::getaddrinfo(h.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0)
    return absl::UnavailableError("resolve " + host + ": " + gai_strerror(rc));
  auto deadline = Clock::now() + timeout;
  std::string last_error = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      last_error = errno_text("socket");
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      if (!wait_for(fd, POLLOUT, deadline)) {
        ::close(fd);
        last_error = "connect: timed out";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc != 0) {
      last_error = errno_text("connect");
      ::close(fd);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ::freeaddrinfo(res);
    return TcpConnection(fd);
  }
  ::freeaddrinfo(res);
  return absl::UnavailableError(host + ":" + std::to_string(port) + ": " + last_error);
}

absl::Status TcpConnection::send_all(std::string_view data, std::chrono::milliseconds timeout) {
  if (fd_ < 0) return absl::FailedPreconditionError("connection is closed");
  auto deadline = Clock::now() + timeout;
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(size_t(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!wait_for(fd_, POLLOUT, deadline)) return absl::DeadlineExceededError("send: timed out");
      continue;
    }
    return absl::UnavailableError(errno_text("send"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> TcpConnection::recv_some(std::chrono::milliseconds timeout,
                                                     size_t max) {
  if (fd_ < 0) return absl::FailedPreconditionError("connection is closed");
  auto deadline = Clock::now() + timeout;
  std::string buf(max, '\0');
  for (;;) {
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n >= 0) {
      buf.resize(size_t(n));
      return buf;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      if (!wait_for(fd_, POLLIN, deadline)) return absl::DeadlineExceededError("recv: timed out");
      continue;
    }
    return absl::UnavailableError(errno_text("recv"));
  }
}

bool TcpConnection::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto r = recv_some(std::chrono::milliseconds(remaining_ms(deadline)));
    if (!r.ok()) return !absl::IsDeadlineExceeded(r.status());  // reset counts as closed
    if (r->empty()) return true;
  }
}

void TcpConnection::shutdown_send() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void TcpConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace strata::testutil
