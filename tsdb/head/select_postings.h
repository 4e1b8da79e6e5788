// Series ids of the head matching a set of label matchers: the head's side of
// the one matcher algorithm (tsdb/index/postings_for_matchers.h), which
// blocks share. Used by the querier and delete_series. Thread-safe.
#pragma once

#include "tsdb/head/head_postings.h"
#include "tsdb/head/symbols.h"
#include "tsdb/labels/matcher.h"

namespace strata::tsdb {

PostingList select_postings(const SymbolTable& syms, const HeadPostings& postings,
                            const Matchers& matchers);

}  // namespace strata::tsdb
