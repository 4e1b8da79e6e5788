// libFuzzer target for file_sd_configs files and http_sd_configs bodies
// (scrape/discovery/target_group.h): any bytes give target groups or an
// error Status, never a crash. Groups that parse have sources
// `<origin>:<index>` in order and the origin label. (A target's __address__
// may be empty, as in Prometheus: scraping drops such targets, not SD.)
//
// Input layout: byte 0 picks the format (even: JSON, odd: YAML), the rest is
// the file. Seeds (seeds/): file_sd files in both formats.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "scrape/discovery/target_group.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::scrape;
  if (size == 0) return 0;
  const GroupFileFormat format = data[0] % 2 ? GroupFileFormat::kYaml : GroupFileFormat::kJson;
  std::string_view content(reinterpret_cast<const char*>(data + 1), size - 1);
  auto groups = parse_target_groups(content, format, "/sd/targets.file");
  if (!groups.ok()) {
    if (groups.status().message().empty()) abort();
    return 0;
  }
  for (size_t i = 0; i < groups->size(); ++i) {
    const TargetGroup& g = (*groups)[i];
    if (g.source != "/sd/targets.file:" + std::to_string(i)) abort();
    if (g.labels.get("__meta_filepath") != "/sd/targets.file") abort();
  }
  return 0;
}
