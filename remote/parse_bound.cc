#include "remote/parse_bound.h"

#include <utility>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "remote/wire_reader.h"

namespace strata::remote {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

constexpr uint64_t kSlot = 16;          // a repeated field's 8-byte slot, twice (growth)
constexpr uint64_t kMessageExtra = 96;  // malloc header, unknown-field set, arena cleanup entry
constexpr uint64_t kString = 64;        // std::string object, its header, its buffer's header
constexpr uint64_t kUnknown = 48;       // an UnknownField record (16 bytes), twice, and a header
constexpr int kMaxDepth = 100;          // protobuf's recursion limit

class Bound {
 public:
  uint64_t total = 0;

  void walk(Reader r, const Descriptor* d, int depth) {
    total += object_size(d) + kMessageExtra;
    uint32_t field, wire;
    while (!r.done()) {
      const uint8_t* start = r.p;
      if (!r.tag(&field, &wire)) return unwalkable(r.end - start);
      const FieldDescriptor* f = d != nullptr ? d->FindFieldByNumber(int(field)) : nullptr;
      if (wire != kLen) {
        if (!r.skip(wire)) return unwalkable(r.end - start);  // groups, invalid wire types
        total += kUnknown;  // >= a slot: whether known or kept as unknown
        continue;
      }
      Reader sub;
      if (!r.sub(&sub)) return unwalkable(r.end - start);
      const uint64_t len = uint64_t(sub.end - sub.p);
      if (f != nullptr && f->type() == FieldDescriptor::TYPE_MESSAGE) {
        total += kSlot;
        if (depth >= kMaxDepth) unwalkable(len);
        else walk(sub, f->message_type(), depth + 1);
      } else if (f != nullptr && f->is_packable()) {
        total += kSlot + 2 * 8 * len;  // >= 1 wire byte per element of <= 8 bytes
      } else {
        total += kSlot + kUnknown + kString + len;  // string, bytes or an unknown field
      }
    }
  }

 private:
  // Every two bytes a field, or a group's unknown-field set.
  void unwalkable(uint64_t bytes) { total += (bytes / 2 + 1) * (kUnknown + kMessageExtra); }

  // The generated class' size (SpaceUsedLong of the empty prototype), looked
  // up once per type and walk: a schema has a handful of message types.
  uint64_t object_size(const Descriptor* d) {
    if (d == nullptr) return 0;
    for (const auto& [desc, size] : sizes_)
      if (desc == d) return size;
    const google::protobuf::Message* proto =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(d);
    const uint64_t size = proto != nullptr ? uint64_t(proto->SpaceUsedLong()) : 256;
    sizes_.emplace_back(d, size);
    return size;
  }

  std::vector<std::pair<const Descriptor*, uint64_t>> sizes_;
};

}  // namespace

uint64_t protobuf_parse_bound(std::string_view wire, const Descriptor* desc) {
  Bound b;
  const auto* p = reinterpret_cast<const uint8_t*>(wire.data());
  b.walk(Reader{p, p + wire.size()}, desc, 0);
  return b.total;
}

uint64_t json_parse_bound(std::string_view text) {
  // Protobuf's JSON parser holds ~2.5 KiB whatever the body (its object
  // writer's stack, the type resolver's results).
  constexpr uint64_t kParserState = 16 << 10;
  uint64_t values = 1;
  for (char c : text) values += c == '{' || c == '[' || c == ',' || c == ':';
  return kParserState + 3 * uint64_t(text.size()) + 512 * values;
}

}  // namespace strata::remote
