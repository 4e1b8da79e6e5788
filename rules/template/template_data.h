// What an alert's label and annotation templates see as `.`: Prometheus'
// AlertTemplateData struct {Labels, ExternalLabels, ExternalURL, Value}.
// A plain value the caller fills per evaluation; the expansion only reads it.
#pragma once

#include <string>

#include "tsdb/labels/labels.h"

namespace strata::rules {

struct AlertTemplateData {
  tsdb::Labels labels;           // .Labels / $labels: the alert's series labels
  tsdb::Labels external_labels;  // .ExternalLabels / $externalLabels
  std::string external_url;      // .ExternalURL / $externalURL (and externalURL, pathPrefix)
  double value = 0;              // .Value / $value: the sample value of the alert
};

}  // namespace strata::rules
