// libFuzzer target for the remote-write receiver: any body, any headers,
// must get a well-formed answer (2xx/4xx/5xx with a one-line body) without
// crashing, leaking or touching memory it does not own. Built twice:
// fuzz_remote_write sends 1.0 (prometheus.WriteRequest, seeds/), and
// fuzz_remote_write_v2 (REMOTE_WRITE_FUZZ_V2=1) sends 2.0
// (io.prometheus.write.v2.Request, seeds_v2/).
//
// Input layout: byte 0 picks the mode, the rest is the payload.
//   mode % 4 == 0  payload is the raw HTTP body (exercises snappy decoding)
//   otherwise      payload is snappy-compressed first (exercises protobuf
//                  parsing, validation and ingest, which is where the
//                  interesting bugs would be)
//   mode & 4       Content-Type is taken from the payload's first line
//
// Run with `make fuzz` (tests/fuzz/README.md).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "remote/codec.h"
#include "api/remote/write_handler.h"
#include "base/log.h"
#include "tsdb/db.h"

namespace {

using strata::api::HttpRequest;
using strata::api::HttpResponse;

// The DB is recreated now and then so the head (fuzzed label sets create a
// new series almost every run) stays small.
constexpr int kRunsPerDb = 20000;

struct State {
  strata::metrics::Registry registry;
  std::unique_ptr<strata::tsdb::DB> db;
  std::unique_ptr<strata::api::remote::WriteHandler> handler;
  int runs = 0;

  void reset() {
    handler.reset();
    db.reset();
    strata::tsdb::DBOptions opts;
    opts.dir = "";
    db = std::move(strata::tsdb::DB::open(opts, &registry).value());
    strata::api::remote::WriteHandlerOptions ho;
    ho.max_decoded_bytes = size_t(4) << 20;  // keep single runs fast
    handler = std::make_unique<strata::api::remote::WriteHandler>(*db, registry, ho);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static State* state = [] {
    strata::log::configure(strata::log::Level::kError, strata::log::Format::kLogfmt);
    auto* s = new State;
    s->reset();
    return s;
  }();
  if (++state->runs % kRunsPerDb == 0) state->reset();
  if (size == 0) return 0;

  const uint8_t mode = data[0];
  std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);
  HttpRequest req;
  req.method = "POST";
  req.path = "/api/v1/write";
  if (mode & 4) {
    size_t nl = payload.find('\n');
    std::string ct = payload.substr(0, nl);
    payload = nl == std::string::npos ? "" : payload.substr(nl + 1);
    req.headers.emplace_back("content-type", ct);
  } else {
    req.headers.emplace_back("content-type",
                             REMOTE_WRITE_FUZZ_V2
                                 ? "application/x-protobuf;proto=io.prometheus.write.v2.Request"
                                 : "application/x-protobuf");
  }
  req.headers.emplace_back("content-encoding", "snappy");
  req.body = (mode % 4 == 0) ? std::move(payload) : strata::remote::snappy_encode(payload);

  HttpResponse resp;
  state->handler->handle(req, resp);
  const bool ok_status = resp.status == 204 || resp.status == 400 || resp.status == 405 ||
                         resp.status == 413 || resp.status == 415 || resp.status == 500;
  if (!ok_status) std::abort();
  if (resp.status == 204 && !resp.body.empty()) std::abort();
  if (resp.status != 204 && (resp.body.empty() || resp.body.back() != '\n')) std::abort();
  // 500 only comes from storage failures, which the head never produces.
  if (resp.status == 500) std::abort();
  return 0;
}
