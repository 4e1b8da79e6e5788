// A synchronous, keep-alive HTTP/1.1 client for remote-write POSTs (Boost.Beast
// over a plain TCP socket). One instance per sender thread; not thread-safe.
// Reconnects transparently when the server closed the connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace strata::bench {

struct Url {
  std::string host;
  std::string port;
  std::string target;  // path and query
};
// Parses http://host[:port]/path; false with `error` for anything else.
bool parse_url(const std::string& url, Url* out, std::string* error);

struct PostResult {
  int status = 0;          // HTTP status; 0 on transport failure
  std::string error;       // transport error, or the body of a non-2xx answer
  int64_t samples_written = -1;  // X-Prometheus-Remote-Write-Samples-Written, -1 if absent
};

class RemoteWriteClient {
 public:
  RemoteWriteClient(Url url, std::string user_agent);
  ~RemoteWriteClient();
  RemoteWriteClient(const RemoteWriteClient&) = delete;
  RemoteWriteClient& operator=(const RemoteWriteClient&) = delete;

  // Connects now (so connection setup is not timed); false on failure.
  bool connect(std::string* error);
  // POSTs one snappy-compressed WriteRequest with the remote-write 1.0
  // headers. A transport failure on a reused connection is retried once on
  // a fresh one (the server may have closed an idle keep-alive connection).
  PostResult post(std::string_view body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::bench
