// A remote write 2.0 Request (io.prometheus.write.v2.Request) decoded in
// place into the same WriteRequestView the 1.0 receiver ingests
// (remote/write_view.h): label names and values are views into the symbol
// table of the decompressed body, so ingest does not care which version
// arrived. Per series, its metadata (type, help and unit refs) becomes a
// metadata entry of its metric family (once per family and request), and
// its native histograms are counted (Series::histograms) to be rejected.
// Sample and histogram start timestamps are not stored (Strata has no
// created-timestamp support) and are ignored.
//
// Errors (InvalidArgument, answered 400): malformed protobuf, a known field
// with the wrong wire type, an odd number of labels_refs, a ref outside the
// symbol table (the message names the series, `timeseries[3]`), or one of
// the reserved fields 1-3 (a 1.0 WriteRequest sent as 2.0 would otherwise
// decode as an empty request and be dropped silently).
// tests/remote/write_v2_view_test.cc compares the decode with libprotobuf's
// parse of remote/write_v2.proto on generated and mutated requests.
//
// Not thread-safe (one view per worker thread); pure otherwise.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "remote/write_view.h"

namespace strata::remote {

// Growth of `out`'s vectors and of the decoder's own (symbols, refs) beyond
// their capacity, and libprotobuf's parse of the largest histogram, are
// charged to `meter` first (null: unmetered); a refusal returns its status.
absl::Status decode_write_v2_request(std::string_view raw, WriteRequestView* out,
                                     MemoryMeter* meter = nullptr);

}  // namespace strata::remote
