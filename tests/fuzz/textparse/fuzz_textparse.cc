// libFuzzer targets for the exposition parsers, one per format (built from
// this file twice, TEXTPARSE_FUZZ_OPENMETRICS 0 or 1): any body must parse
// to kEof or stop with an InvalidArgument error, without crashing or reading
// outside what it owns, and every view handed out is read in full.
// Checked too: a parse is deterministic, and an OpenMetrics body that parses
// ends with `# EOF` (and an optional newline).
//
// Seeds: seeds/text, seeds/openmetrics. Run with
// `make fuzz FUZZ_TARGETS=textparse_text,textparse_openmetrics` (tests/fuzz/README.md).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tests/scrape/textparse/dump.h"

namespace {

namespace tp = strata::scrape::textparse;

constexpr tp::Format kFormat = TEXTPARSE_FUZZ_OPENMETRICS ? tp::Format::kOpenMetrics : tp::Format::kPrometheusText;

// Parses all of `body`; returns a digest of every view and of the error.
uint64_t parse(std::string_view body, bool* ok) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](std::string_view s) {
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
  };
  absl::Status s = tp::testing::visit_all(kFormat, body, [&](std::string_view v) {
    if (v.data() == nullptr && !v.empty()) abort();
    mix(v);
  });
  *ok = s.ok();
  if (!s.ok()) {
    if (s.code() != absl::StatusCode::kInvalidArgument || s.message().empty()) abort();
    mix(std::string(s.message()));
  }
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  bool ok1 = false, ok2 = false;
  uint64_t h1 = parse(body, &ok1);
  uint64_t h2 = parse(body, &ok2);
  if (h1 != h2 || ok1 != ok2) abort();
  if (TEXTPARSE_FUZZ_OPENMETRICS && ok1) {
    std::string_view end = body.substr(body.size() >= 6 ? body.size() - 6 : 0);
    if (!(end.ends_with("# EOF") || end == "# EOF\n")) abort();
  }
  return 0;
}
