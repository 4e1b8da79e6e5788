// A small synchronous keep-alive HTTP/1.1 client (Boost.Beast) for the
// difftest: query API calls as Grafana makes them (form-encoded POST) and
// remote-write POSTs. One instance per thread; not thread-safe. Reconnects
// when the server closed the connection.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/difftest/compare.h"

namespace strata::difftest {

using Params = std::vector<std::pair<std::string, std::string>>;

std::string url_encode(const std::string& s);
std::string form_encode(const Params& params);

class HttpClient {
 public:
  HttpClient(std::string host, int port, int timeout_s = 60);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult get(const std::string& target);
  HttpResult post_form(const std::string& target, const Params& params);
  HttpResult post(const std::string& target, const std::string& body, const Params& headers);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::difftest
