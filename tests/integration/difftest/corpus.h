// Reads the PromQL query corpus (tests/promql/corpus/*.txt) and the list of
// known differences (tests/integration/difftest/known_differences.txt).
//
// Corpus format: one query per line; lines starting with '#' are comments;
// blank lines are ignored. In queries, `${DATA_START}` and `${DATA_END}` stand
// for the Unix time in seconds of the dataset's first and last grid point
// (for `@` modifiers with absolute times).
//
// Known differences: the same format; each query line (verbatim, before
// placeholder substitution) is excluded from the comparison. The comment
// above it must say why (a genuine 2.42 bug, or a documented intentional
// difference).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata::difftest {

struct CorpusQuery {
  std::string file;  // base name, e.g. "seeds.txt"
  int line = 0;
  std::string text;  // as written in the file
  std::string where() const { return file + ":" + std::to_string(line); }
};

// Appends the queries of `path` to `out`; false with `error` if unreadable.
bool load_corpus_file(const std::string& path, std::vector<CorpusQuery>* out, std::string* error);

// Replaces ${DATA_START} / ${DATA_END}.
std::string substitute_placeholders(const std::string& query, int64_t start_ms, int64_t end_ms);

// Grafana variable queries `label_values(<selector>, <label>)`: true with the
// two parts if `query` has that shape.
bool parse_label_values_query(const std::string& query, std::string* selector, std::string* label);

}  // namespace strata::difftest
