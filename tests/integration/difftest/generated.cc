#include "tests/integration/difftest/generated.h"

#include "tests/promql/fuzz/fuzz_dataset.h"
#include "tests/promql/fuzz/query_generator.h"

namespace strata::difftest {

namespace fuzz = promql::fuzz;

Dataset generated_dataset(int64_t end_ms) {
  const fuzz::FuzzDataset f = fuzz::build_fuzz_dataset(end_ms);
  Dataset d;
  d.start_ms = f.start_ms;
  d.end_ms = f.end_ms;
  for (const fuzz::FuzzSeries& s : f.series) {
    RwSeries r;
    r.labels = s.labels;
    for (const fuzz::FuzzSample& p : s.samples) r.samples.push_back({p.t_ms, p.value});
    d.series.push_back(std::move(r));
  }
  return d;
}

void generate_queries(const Dataset& data, uint64_t seed, int64_t first, int64_t count,
                      std::vector<CorpusQuery>* queries, std::vector<EvalCase>* cases) {
  fuzz::GenOptions o;
  o.v3 = false;
  o.prometheus_242 = true;  // nothing Prometheus 2.42 does not know
  o.data_start_ms = data.start_ms;
  o.data_end_ms = data.end_ms;
  fuzz::QueryGenerator gen(fuzz::fuzz_schema(fuzz::build_fuzz_dataset(data.end_ms)), o);
  for (int64_t i = first; i < first + count; ++i) {
    const fuzz::GeneratedQuery q = gen.generate(seed, uint64_t(i));
    queries->push_back({"generated", int(i), q.text});
    const fuzz::EvalSpec& e = q.eval;
    cases->push_back({e.describe(), e.range, e.t_ms, e.start_ms, e.end_ms, e.step_ms});
  }
}

bool load_known_substrings(const std::string& path, std::vector<std::string>* out, std::string* error) {
  std::vector<CorpusQuery> lines;
  if (!load_corpus_file(path, &lines, error)) return false;
  for (const CorpusQuery& l : lines) out->push_back(l.text);
  return true;
}

}  // namespace strata::difftest
