// Writes PromQL values in the API's shapes: {"resultType":..., "result":...}
// with label objects, [<seconds>, "<value>"] pairs and matrix "values".
#pragma once

#include "api/json_writer.h"
#include "promql/value.h"
#include "tsdb/labels/labels.h"

namespace strata::api {

void write_labels(JsonWriter& w, const tsdb::Labels& labels);
// The `data` object of /query and /query_range.
void write_query_data(JsonWriter& w, const promql::Value& v);

}  // namespace strata::api
