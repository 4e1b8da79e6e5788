// libFuzzer target for the OTLP/HTTP metrics receiver: any body in either
// encoding, gzip or not, must get a well-formed answer (200 with a response
// message, or a 4xx with a body) without crashing, leaking or touching
// memory it does not own.
//
// Input layout: byte 0 picks the mode, the rest is the body.
//   mode & 1   Content-Type application/json, else application/x-protobuf
//   mode & 2   the body is gzip-compressed first (exercises decoding and
//              translation behind gzip; mode & 4 sends it uncompressed but
//              labelled gzip, exercising the inflater on raw bytes)
//
// Seeds (seeds/): a full request as protobuf and as OTLP JSON, each plain
// and gzipped. Run with `make fuzz FUZZ_TARGETS=otlp` (tests/fuzz/README.md).
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "api/remote/otlp_handler.h"
#include "base/log.h"
#include "tsdb/db.h"

namespace {

using strata::api::HttpRequest;
using strata::api::HttpResponse;

// The DB is recreated now and then so the head stays small.
constexpr int kRunsPerDb = 20000;

struct State {
  strata::metrics::Registry registry;
  std::unique_ptr<strata::tsdb::DB> db;
  std::unique_ptr<strata::api::remote::OtlpHandler> handler;
  int runs = 0;

  void reset() {
    handler.reset();
    db.reset();
    strata::tsdb::DBOptions opts;
    opts.dir = "";
    db = std::move(strata::tsdb::DB::open(opts, &registry).value());
    strata::api::remote::OtlpHandlerOptions ho;
    ho.max_decoded_bytes = size_t(4) << 20;  // keep single runs fast
    ho.ingest.max_label_bytes = size_t(16) << 20;
    handler = std::make_unique<strata::api::remote::OtlpHandler>(*db, registry, ho);
  }
};

std::string gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, uLong(in.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

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
  req.path = "/api/v1/otlp/v1/metrics";
  req.headers.emplace_back("content-type",
                           mode & 1 ? "application/json" : "application/x-protobuf");
  if (mode & 6) req.headers.emplace_back("content-encoding", "gzip");
  req.body = (mode & 2) ? gzip(payload) : std::move(payload);

  HttpResponse resp;
  state->handler->handle(req, resp);
  const bool ok_status = resp.status == 200 || resp.status == 400 || resp.status == 413;
  if (!ok_status) std::abort();
  if (resp.status != 200 && resp.body.empty()) std::abort();
  return 0;
}
