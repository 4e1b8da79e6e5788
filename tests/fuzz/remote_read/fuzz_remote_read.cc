// libFuzzer target for remote read (remote/read_codec.h, api/remote/read_handler.h):
// requests through the HTTP handler over an in-memory DB holding a few
// series, and the client-side decoders of both response types. Any input
// gets a well-formed answer or an error Status, never a crash.
//
// Input layout: byte 0 picks the mode, the rest is the payload.
//   mode % 4 == 0  payload is the raw request body (snappy decoding first)
//            == 1  payload is snappy-compressed first: a ReadRequest's
//                  matchers (regexes too), ranges and response types reach
//                  the query and both encoders
//            == 2  payload is a SAMPLES response, raw and snappy-compressed
//            == 3  payload is a STREAMED_XOR_CHUNKS body (frames)
//
// Seeds (seeds/): requests for both response types, a response, frames.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "api/remote/read_handler.h"
#include "base/log.h"
#include "remote/codec.h"
#include "remote/read_codec.h"
#include "tsdb/db.h"

namespace {

using namespace strata;

struct State {
  metrics::Registry registry;
  std::unique_ptr<tsdb::DB> db;
  std::unique_ptr<api::remote::ReadHandler> handler;

  State() {
    tsdb::DBOptions opts;
    opts.dir = "";
    db = std::move(tsdb::DB::open(opts, &registry).value());
    auto app = db->appender();
    for (int s = 0; s < 4; ++s) {
      tsdb::Labels l = tsdb::Labels::from_strings(
          {"__name__", s % 2 ? "up" : "http_requests_total", "job", "api", "instance", std::to_string(s)});
      for (int i = 0; i < 200; ++i)
        if (!app->append(0, l, 1000 * i, i * 0.5 + s).ok()) abort();
    }
    if (!app->commit().ok()) abort();
    api::remote::ReadHandlerOptions ho;
    ho.sample_limit = 100000;  // keep single runs fast
    ho.max_bytes_in_frame = 4096;
    handler = std::make_unique<api::remote::ReadHandler>(*db, registry, ho);
  }
};

void handle(State& st, std::string body) {
  api::HttpRequest req;
  req.method = "POST";
  req.path = "/api/v1/read";
  req.headers.emplace_back("content-type", "application/x-protobuf");
  req.headers.emplace_back("content-encoding", "snappy");
  req.headers.emplace_back("x-prometheus-remote-read-version", "0.1.0");
  req.body = std::move(body);
  api::HttpResponse resp;
  st.handler->handle(req, resp);
  if (resp.status == 200) return;
  // Client errors only: the DB never fails and the client never leaves.
  if (resp.status != 400 && resp.status != 413) {
    fprintf(stderr, "status %d: %s\n", resp.status, resp.body.c_str());
    abort();
  }
  if (resp.body.empty() || resp.body.back() != '\n') abort();
}

void check_error(const absl::Status& s) {
  if (s.ok()) return;
  if (s.code() != absl::StatusCode::kInvalidArgument &&
      s.code() != absl::StatusCode::kResourceExhausted)
    abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static State* st = [] {
    log::configure(log::Level::kError, log::Format::kLogfmt);
    return new State;
  }();
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (mode % 4) {
    case 0:
      handle(*st, std::move(payload));
      break;
    case 1:
      handle(*st, remote::snappy_encode(payload));
      break;
    case 2: {
      check_error(remote::decode_read_response(payload, 1 << 20).status());
      auto r = remote::decode_read_response(remote::snappy_encode(payload), 1 << 20);
      check_error(r.status());
      if (r.ok()) {
        // What decodes encodes and decodes to the same message.
        auto again = remote::decode_read_response(remote::encode_read_response(*r), 1 << 20);
        if (!again.ok() || again->SerializeAsString() != r->SerializeAsString()) abort();
      }
      break;
    }
    case 3: {
      auto frames = remote::decode_chunked_frames(payload, 1 << 16);
      check_error(frames.status());
      if (frames.ok()) {
        std::string out;
        for (const auto& f : *frames) remote::append_chunked_frame(f, &out);
        auto again = remote::decode_chunked_frames(out, 1 << 20);
        if (!again.ok() || again->size() != frames->size()) abort();
      }
      break;
    }
  }
  return 0;
}
