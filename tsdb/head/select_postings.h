// Series ids of the head matching a set of label matchers, with Prometheus'
// semantics (a matcher that matches "" also selects series without the
// label). Shared by the querier and delete_series. Thread-safe.
#pragma once

#include "tsdb/head/head_postings.h"
#include "tsdb/head/symbols.h"
#include "tsdb/labels/matcher.h"

namespace strata::tsdb {

PostingList select_postings(const SymbolTable& syms, const HeadPostings& postings,
                            const Matchers& matchers);

}  // namespace strata::tsdb
