// TcpConnection: a blocking TCP client socket with deadlines, for tests that
// need to send raw bytes (malformed requests, half-sent bodies) or watch a
// connection being closed by the server. Not thread-safe; one owner.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace strata::testutil {

class TcpConnection {
 public:
  TcpConnection() = default;
  ~TcpConnection();
  TcpConnection(TcpConnection&& other) noexcept;
  TcpConnection& operator=(TcpConnection&& other) noexcept;
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  // Connects to host:port (IPv4 or IPv6 literal, or a name) within `timeout`.
  static absl::StatusOr<TcpConnection> connect(const std::string& host, int port,
                                               std::chrono::milliseconds timeout);

  bool is_open() const { return fd_ >= 0; }
  // Writes all of `data` or fails (e.g. the peer reset the connection).
  absl::Status send_all(std::string_view data, std::chrono::milliseconds timeout);
  // Reads what is available (at most `max` bytes), waiting up to `timeout`
  // for something to arrive. Returns "" at end of stream; DeadlineExceeded
  // if nothing arrived in time.
  absl::StatusOr<std::string> recv_some(std::chrono::milliseconds timeout, size_t max = 65536);
  // Waits until the peer closes (EOF or reset), discarding data. True if it
  // closed within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout);
  // Half-closes the sending side (the peer sees EOF).
  void shutdown_send();
  void close();
  int fd() const { return fd_; }

 private:
  explicit TcpConnection(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace strata::testutil
