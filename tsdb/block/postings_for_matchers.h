// Selects the series ids of a block's index that match a list of label
// matchers, with the head's semantics (tsdb/head/head_read.cc): matchers that
// do not match "" select series; those that do are applied by subtracting the
// series their inverse selects, so an absent label counts as "". Equality and
// literal alternations (`a|b|c`) look up lists directly; regexes with a
// literal prefix scan only the values sharing it.
#pragma once

#include "absl/status/statusor.h"
#include "tsdb/block/index_reader.h"
#include "tsdb/index/postings.h"
#include "tsdb/labels/matcher.h"

namespace strata::tsdb {

PostingList postings_for_matchers(const IndexReader& ix, const Matchers& matchers);

}  // namespace strata::tsdb
