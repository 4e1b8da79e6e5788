// protobuf_parse_bound against what libprotobuf really allocates: random
// messages of both schemas (remote write 1.0, OTLP metrics), filled through
// reflection with any mix of fields, strings and repetitions, and hostile
// bodies of empty messages and unknown fields, parsed on the heap (malloc's
// own count of bytes in use) and on the handler's arena.
#include "remote/parse_bound.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <memory>
#include <random>
#include <string>

#include "google/protobuf/arena.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "remote/codec.h"
#include "remote/otlp_metrics.pb.h"
#include "remote/remote.pb.h"

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
  EXPECT_EQ(json_parse_bound("{}"), 3 * 2 + 512 * 2);
  EXPECT_EQ(json_parse_bound(R"({"a":[1,2]})"), 3 * 11 + 512 * 5);
}

}  // namespace
}  // namespace strata::remote
