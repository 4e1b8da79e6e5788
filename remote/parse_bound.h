// An upper bound on the memory libprotobuf allocates to parse given wire
// bytes, computed from the bytes without allocating, so that a receiver can
// reserve it (HttpRequest::reserve) before the parse. The wire size alone
// says little: an empty submessage is two bytes on the wire and a C++ object
// of 40-200 bytes in memory, so a body of tiny messages is parsed into 20-100
// times its size, and a ratio picked for real requests is far off for a
// hostile one.
//
// What is counted, per field occurrence, walking known submessages by their
// descriptors (heap or arena; the constants cover allocator overhead):
//   - a message: its object (the generated class' size), its slot in a
//     repeated field twice over (geometric growth) and its unknown-field set;
//   - a string or bytes field: a std::string object, its slot, its bytes;
//   - a packed repeated scalar: up to 8 bytes per wire byte, twice over;
//   - any other field, known or not: a repeated slot or an unknown-field
//     record, twice over.
// Bytes it cannot walk (a group, a malformed field: protobuf either fails
// there or keeps them as unknown fields) are counted as if every two of them
// were an unknown field. A real request comes out at ~10-25x its wire size,
// a body of empty messages at ~60x: either way what a parse can take.
//
// Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace google::protobuf {
class Descriptor;
}

namespace strata::remote {

uint64_t protobuf_parse_bound(std::string_view wire, const google::protobuf::Descriptor* desc);

// The same for a protobuf message given as JSON (protobuf's JSON mapping,
// parsed by its JSON parser, or first into a JSON document where ids need
// rewriting): 16 KiB for the parsers' own state, three times the text, for
// the document's strings and the binary form the parser writes on the way,
// and 512 bytes per JSON value (one per `{`, `[`, `,` and `:`, and one
// more), for a document node, a message or field, and their overheads. A
// value is one byte of text at the least, so this is measured, not proved:
// ParseBoundTest checks it against the decoder's peak on random messages
// and hostile shapes, the worst of which (attributes, exemplars) peak at a
// fifth of it.
uint64_t json_parse_bound(std::string_view text);

}  // namespace strata::remote
