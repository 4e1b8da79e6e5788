// The malformed requests of bad_input_test.cc, as tables: remote-write
// bodies (transport, Snappy, protobuf wire format, labels, samples) and query
// requests (PromQL, times, steps, durations, limits, matchers, endpoints,
// methods), each with the answer strata must give. Built relative to the
// base time of the known data (known_data.h), which the server holds when
// they are sent. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/testutil/http_client.h"

namespace strata::integration {

// One malformed remote-write request.
struct WriteCase {
  std::string name;
  std::string body;
  int status;
  std::vector<std::string> message_parts;  // each must occur in the body
  testutil::Headers headers = {{"Content-Type", "application/x-protobuf"},
                               {"Content-Encoding", "snappy"}};
  std::string method = "POST";
};

std::vector<WriteCase> write_cases(int64_t t0_ms);

struct QueryCase {
  std::string name;
  std::string method;  // GET (params in the URL) or POST (form body)
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;
  int status;
  std::string error_type;  // "" for non-JSON answers
  std::string message;     // exact `error` text (or body), unless `exact` is false
  bool exact = true;
};

std::vector<QueryCase> query_cases(int64_t t0_ms);

// path?params (just the path without params).
std::string target_of(const QueryCase& q);

}  // namespace strata::integration
