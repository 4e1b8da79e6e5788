// The difftest's generated-query mode: instead of the corpus and the catalogue
// dataset, the fuzz dataset (tests/promql/fuzz/fuzz_dataset.h) and queries
// from the PromQL fuzzers' generator, restricted to what Prometheus 2.42
// knows, each with its own evaluation (an instant time, or range start, end
// and step). Reproducible from (seed, index) and the dataset's end time.
//
// Known differences of generated queries cannot be listed verbatim; the
// file (known_differences_generated.txt) lists substrings: a query
// containing one is not compared. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/integration/difftest/corpus.h"
#include "tests/integration/difftest/dataset.h"

namespace strata::difftest {

// One evaluation of a query: an instant query at `t_ms`, or a range query.
struct EvalCase {
  std::string name;
  bool range = false;
  int64_t t_ms = 0, start_ms = 0, end_ms = 0, step_ms = 0;
};

// The fuzz dataset ending at `end_ms` (a multiple of 15 s), as remote-write series.
Dataset generated_dataset(int64_t end_ms);

// Queries `first` .. `first + count - 1` of campaign `seed` over `data`:
// appends one CorpusQuery (file "generated", line = index) and its EvalCase each.
void generate_queries(const Dataset& data, uint64_t seed, int64_t first, int64_t count,
                      std::vector<CorpusQuery>* queries, std::vector<EvalCase>* cases);

// Reads the substrings of the known-differences file of generated queries
// (same comment syntax as the corpus); false with `error` if unreadable.
bool load_known_substrings(const std::string& path, std::vector<std::string>* out, std::string* error);

}  // namespace strata::difftest
