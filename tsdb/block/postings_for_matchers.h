// The series ids of a block's index that match a list of label matchers:
// the block's side of the one matcher algorithm
// (tsdb/index/postings_for_matchers.h), which the head shares.
#pragma once

#include "tsdb/block/index_reader.h"
#include "tsdb/index/postings.h"
#include "tsdb/labels/matcher.h"

namespace strata::tsdb {

PostingList postings_for_matchers(const IndexReader& ix, const Matchers& matchers);

}  // namespace strata::tsdb
