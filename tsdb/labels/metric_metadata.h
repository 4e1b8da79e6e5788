// MetricMetadata: a metric family's HELP/TYPE/UNIT, as remote write and
// scrapes carry it. A plain value type at the bottom of tsdb/ so the WAL
// codec, the head's metadata store and the storage interface share it.
#pragma once

#include <string>

namespace strata::tsdb {

struct MetricMetadata {
  std::string type;  // counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown
  std::string help;
  std::string unit;
  bool operator==(const MetricMetadata&) const = default;
};

}  // namespace strata::tsdb
