// protobuf_parse_bound against what libprotobuf really allocates: random
// messages of both schemas (remote write 1.0, OTLP metrics), filled through
// reflection with any mix of fields, strings and repetitions, and hostile
// bodies of empty messages and unknown fields, parsed on the heap (malloc's
// own count of bytes in use) and on the handler's arena. json_parse_bound
// against the peak of what the OTLP JSON decoder holds at once (its JSON
// document, the rewritten text, protobuf's binary form, the message), on
// random messages and hostile shapes.
#include "remote/parse_bound.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>
#include <string>

#include "base/sanitizers.h"

#include "google/protobuf/arena.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "remote/codec.h"
#include "remote/otlp_codec.h"
#include "remote/otlp_metrics.pb.h"
#include "remote/remote.pb.h"

// The peak of bytes held through operator new, which the JSON decoder's
// parts all use (std::string, nlohmann::json's containers, protobuf's heap
// and arena blocks): malloc only knows what is in use now, and the decoder's
// document and text are freed before it returns. Every other new/delete
// form of libstdc++ goes through these two. Not under ASan, whose own
// operator new keeps its checks.
#ifndef STRATA_ASAN
namespace {
std::atomic<int64_t> g_new_live{0};
std::atomic<int64_t> g_new_peak{0};
}  // namespace

void* operator new(size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  const int64_t live = g_new_live.fetch_add(int64_t(malloc_usable_size(p))) +
                       int64_t(malloc_usable_size(p));
  int64_t peak = g_new_peak.load();
  while (live > peak && !g_new_peak.compare_exchange_weak(peak, live)) {
  }
  return p;
}

void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  g_new_live.fetch_sub(int64_t(malloc_usable_size(p)));
  std::free(p);
}

void operator delete(void* p, size_t) noexcept { operator delete(p); }
#endif

namespace strata::remote {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Bytes malloc holds (0 under sanitizers, whose allocators do not count).
uint64_t heap_in_use() {
  struct mallinfo2 mi = mallinfo2();
  return uint64_t(mi.uordblks) + uint64_t(mi.hblkhd);
}

void fill(Message* m, std::mt19937_64& rng, int depth) {
  const Descriptor* d = m->GetDescriptor();
  const Reflection* r = m->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (rng() % 3 == 0) continue;
    // Many repetitions near the top only: the messages stay small.
    const int n = !f->is_repeated() ? 1 : depth < 2 && rng() % 4 == 0 ? int(rng() % 100) : int(rng() % 3);
    for (int k = 0; k < n; ++k) {
      const bool rep = f->is_repeated();
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (depth < 4) fill(rep ? r->AddMessage(m, f) : r->MutableMessage(m, f), rng, depth + 1);
          break;
        case FieldDescriptor::CPPTYPE_STRING: {
          std::string v(rng() % 2 == 0 ? 0 : rng() % 64, 'x');
          rep ? r->AddString(m, f, v) : r->SetString(m, f, v);
          break;
        }
#define SCALAR(CPP, Name, T)                                       \
  case FieldDescriptor::CPP: {                                     \
    T v = T(rng() % 3 == 0 ? rng() : rng() % 2);                   \
    rep ? r->Add##Name(m, f, v) : r->Set##Name(m, f, v);           \
    break;                                                         \
  }
        SCALAR(CPPTYPE_INT32, Int32, int32_t)
        SCALAR(CPPTYPE_INT64, Int64, int64_t)
        SCALAR(CPPTYPE_UINT32, UInt32, uint32_t)
        SCALAR(CPPTYPE_UINT64, UInt64, uint64_t)
        SCALAR(CPPTYPE_DOUBLE, Double, double)
        SCALAR(CPPTYPE_FLOAT, Float, float)
        SCALAR(CPPTYPE_BOOL, Bool, bool)
        SCALAR(CPPTYPE_ENUM, EnumValue, int)
#undef SCALAR
      }
    }
  }
}

// What parsing `wire` as `prototype`'s type keeps on the heap.
uint64_t heap_parse(const Message& prototype, const std::string& wire) {
  std::unique_ptr<Message> m(prototype.New());
  const uint64_t before = heap_in_use();
  m->ParseFromString(wire);
  const uint64_t after = heap_in_use();
  return after > before ? after - before : 0;
}

void check(const Message& prototype, const std::string& wire) {
  const uint64_t bound = protobuf_parse_bound(wire, prototype.GetDescriptor());
  EXPECT_LE(heap_parse(prototype, wire), bound) << wire.size() << " wire bytes";
  // On an arena as the OTLP receiver parses (blocks, and string bytes on
  // the heap), within what it reserves.
  const google::protobuf::ArenaOptions o = arena_options_for(wire.size());
  google::protobuf::Arena arena(o);
  const uint64_t before = heap_in_use();
  Message* m = prototype.New(&arena);
  m->ParseFromString(wire);
  const uint64_t heap = heap_in_use() - before;
  EXPECT_LE(std::max<uint64_t>(arena.SpaceAllocated(), heap),
            o.start_block_size + bound + std::min<uint64_t>(bound, o.max_block_size));
}

TEST(ParseBoundTest, BoundsRandomMessagesOfBothSchemas) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100; ++i) {
    SCOPED_TRACE(i);
    prometheus::WriteRequest wr;
    fill(&wr, rng, 0);
    check(wr, wr.SerializeAsString());
    strata::otlp::ExportMetricsServiceRequest otlp;
    fill(&otlp, rng, 0);
    check(otlp, otlp.SerializeAsString());
  }
}

TEST(ParseBoundTest, BoundsHostileBodies) {
  const prometheus::WriteRequest wr;
  const strata::otlp::ExportMetricsServiceRequest otlp;
  auto times = [](const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  // Empty series; series of empty labels; empty samples.
  for (const std::string& wire : {times(std::string("\x0a\x00", 2), 100000),
                                  "\x0a\xc0\x9a\x0c" + times(std::string("\x0a\x00", 2), 100000),
                                  "\x0a\xc0\x9a\x0c" + times(std::string("\x12\x00", 2), 100000),
                                  times(std::string("\x78\x00", 2), 100000),  // unknown varints
                                  times(std::string("\x7a\x00", 2), 100000),  // unknown LEN
                                  times(std::string("\x7b\x7c", 2), 100000),  // unknown groups
                                  std::string("\x0a\xff\xff\xff\xff\x0f", 6)}) {  // truncated
    SCOPED_TRACE(wire.size());
    check(wr, wire);
    check(otlp, wire);
    EXPECT_GE(protobuf_parse_bound(wire, wr.GetDescriptor()), wire.size() > 10 ? 20 * wire.size() : 0);
  }
}

// A real request: series with a handful of labels and a sample each comes
// out at a modest multiple of its size, and the JSON allowance grows with
// its values.
TEST(ParseBoundTest, RealRequestsStayModest) {
  prometheus::WriteRequest wr;
  for (int i = 0; i < 1000; ++i) {
    auto* ts = wr.add_timeseries();
    const char* kv[] = {"__name__", "http_requests_total", "job", "api-gateway", "instance",
                        "10.0.0.1:9090", "code", "200", "route", "/v1/chat/completions"};
    for (int k = 0; k < 10; k += 2) {
      auto* l = ts->add_labels();
      l->set_name(kv[k]);
      l->set_value(std::string(kv[k + 1]) + std::to_string(i));
    }
    auto* s = ts->add_samples();
    s->set_timestamp(1700000000000 + i);
    s->set_value(i);
  }
  const std::string wire = wr.SerializeAsString();
  const uint64_t bound = protobuf_parse_bound(wire, wr.GetDescriptor());
  EXPECT_LT(bound, 20 * wire.size());
  check(wr, wire);
  EXPECT_EQ(json_parse_bound("{}"), (16 << 10) + 3 * 2 + 512 * 2);
  EXPECT_EQ(json_parse_bound(R"({"a":[1,2]})"), (16 << 10) + 3 * 11 + 512 * 5);
}

#ifndef STRATA_ASAN
// Decodes `body` as the OTLP handler does (on an arena sized for it) and
// checks the peak it held against what the handler reserves for it. Whether
// the body decodes does not matter: a refused one may have held more.
void check_json(const std::string& body) {
  const uint64_t bound = json_parse_bound(body);
  const google::protobuf::ArenaOptions o = arena_options_for(body.size());
  const uint64_t reserved = o.start_block_size + bound + std::min<uint64_t>(bound, o.max_block_size);
  const int64_t before = g_new_live.load();
  g_new_peak.store(before);
  {
    google::protobuf::Arena arena(o);
    auto* m = google::protobuf::Arena::CreateMessage<strata::otlp::ExportMetricsServiceRequest>(&arena);
    (void)decode_otlp_request(body, OtlpEncoding::kJson, m);
  }
  const uint64_t peak = uint64_t(g_new_peak.load() - before);
  EXPECT_LE(peak, reserved) << body.size() << " bytes of JSON: " << body.substr(0, 120);
}

TEST(ParseBoundTest, BoundsJsonOfRandomMessages) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100; ++i) {
    SCOPED_TRACE(i);
    strata::otlp::ExportMetricsServiceRequest otlp;
    fill(&otlp, rng, 0);
    std::string body;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(otlp, &body).ok());
    check_json(body);
    // The same with the document path taken (exemplar ids are rewritten
    // through a JSON document first).
    check_json(body.substr(0, body.size() - 1) + (body.size() > 2 ? "," : "") + R"("x":"traceId"})");
  }
}

TEST(ParseBoundTest, BoundsJsonOfHostileShapes) {
  auto repeat = [](std::string_view open, std::string_view item, std::string_view close, size_t n) {
    std::string out(open);
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) out += ',';
      out += item;
    }
    return out + std::string(close);
  };
  constexpr size_t kN = 200000;
  const std::string rm = R"({"resourceMetrics":[)";
  const std::string dp = R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"histogram":{"dataPoints":[)";
  const std::string dp_end = "]}}]}]}]}";
  const std::string ids = R"(,"x":"traceId"})";  // sends the body through the JSON document
  const std::string deep = std::string(60, '[') + std::string(60, ']');
  for (const std::string& body : {
           repeat(rm, "{}", "]}", kN),                       // empty messages
           repeat(rm, "{}", "]" + ids, kN),                  // and held as a document too
           repeat(rm, R"({"resource":{"attributes":[{"key":"","value":{}}]}})", "]}", kN / 8),
           repeat(dp, "{}", dp_end, kN),                     // empty data points
           repeat(dp + R"({"bucketCounts":[)", "1", "]}" + dp_end, kN),
           repeat(dp + R"({"explicitBounds":[)", "1e5", "]}" + dp_end, kN),
           repeat(dp + R"({"exemplars":[)", R"({"spanId":"0102030405060708","traceId":""})",
                  "]}" + dp_end, kN / 8),
           repeat(R"({"x":[)", "[]", "]" + ids, kN),         // unknown fields in the document
           repeat(R"({"x":[)", "{}", "]" + ids, kN),
           repeat(R"({"x":[)", R"({"a":0})", "]" + ids, kN / 2),
           repeat(R"({"x":[)", "1e5", "]" + ids, kN),        // numbers printed longer
           repeat(R"({"x":[)", R"("\u0041")", "]" + ids, kN / 2),
           repeat(R"({"x":[)", deep, "]" + ids, kN / 60),    // nesting at the depth limit
           repeat(R"({"x":[)", deep, "]}", kN / 60),
       }) {
    check_json(body);
  }
}
#endif

}  // namespace
}  // namespace strata::remote
