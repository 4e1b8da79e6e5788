// Postings: sorted lists of series ids, and the set operations queries combine
// them with (the head's index is tsdb/head/head_postings.h; blocks keep theirs
// in the index file). Pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace strata::tsdb {

using PostingList = std::vector<uint32_t>;  // sorted, unique series ids

PostingList intersect(std::span<const uint32_t> a, std::span<const uint32_t> b);
PostingList merge_union(const std::vector<const PostingList*>& lists);
PostingList subtract(std::span<const uint32_t> a, std::span<const uint32_t> b);

}  // namespace strata::tsdb
