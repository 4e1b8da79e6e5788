// The difftest's synthetic dataset: a few thousand series, 2 h 45 min at a
// 15 s scrape interval, whose metric names and labels are those the query
// corpus (tests/promql/corpus/) uses. Fully deterministic given the end time:
// values depend only on the series' labels and the sample index.
//
// The data imitates what Prometheus would have scraped: counters with resets
// at process restarts, gauges, classic histograms (cumulative `_bucket` with
// `le`, `_sum`, `_count`), targets that go down (stale markers, `up` = 0),
// disappear (stale markers), vanish without stale markers, appear late, miss
// scrapes, have scrape offsets and jitter; a few NaN and ±Inf gauge values;
// label values that need JSON escaping.
//
// build_dataset() is pure; DatasetBuilder is single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tests/testutil/remote_write.h"

namespace strata::difftest {

using testutil::encode_write_request;
using testutil::LabelPairs;
using testutil::normal_nan;
using testutil::RwSample;
using testutil::RwSeries;
using testutil::stale_nan;

inline constexpr int kSamples = 661;          // 2 h 45 min at 15 s, both ends included
inline constexpr int64_t kStepMs = 15'000;    // the scrape interval

struct Dataset {
  int64_t start_ms = 0;  // grid time of sample index 0
  int64_t end_ms = 0;    // grid time of sample index kSamples - 1
  std::vector<RwSeries> series;
  size_t sample_count() const;
};

// `end_ms` must be a multiple of kStepMs; it becomes Dataset::end_ms.
Dataset build_dataset(int64_t end_ms);

// Remote-write bodies holding `window` grid steps of every series each, in
// time order: sending them in order never goes below Prometheus' head
// out-of-bounds limit (max time in head - 1 h).
std::vector<std::string> encode_in_windows(const Dataset& data, int window);

// --- building blocks, used by the metric catalogue (dataset_catalog.cc) ---

// A scrape target: the labels every series of it carries, its scrape offset,
// and its lifecycle in sample indices.
struct Target {
  std::string job, instance;
  LabelPairs extra;            // labels added to every series (e.g. service="bots")
  int offset_ms = 0;           // constant scrape offset within the 15 s interval
  int jitter_ms = 0;           // per-sample random jitter, +- this much
  int first = 0;               // first index with samples (instance started)
  int last = kSamples - 1;     // last index with samples
  bool stale_after_last = true;             // stale marker at last + 1
  std::vector<std::pair<int, int>> down;    // [from, to): scrapes fail, up = 0
  std::vector<int> restarts;                // process restarts: counters reset
  std::vector<int> missed;                  // no sample at all (lost scrape)
  int every = 1;                            // sample every n-th grid point
  bool with_up = true;                      // emit the `up` series
};

// Overrides of the target's lifecycle for one series (e.g. a build_info
// series that ends when the version changes).
struct Window {
  int first = 0;
  int last = kSamples - 1;
  bool stale_after_last = true;
};

// How traffic varies over time (multiplies a counter's base rate).
enum class Shape {
  kSteady,    // +-10 % noise
  kDiurnal,   // slow sine, +-30 %
  kIncident,  // x6 during the incident (indices 420..450)
  kBursty,    // mostly zero, occasional bursts
};

class DatasetBuilder {
 public:
  explicit DatasetBuilder(Dataset* out) : out_(out) {}

  // `up`: 1, or 0 while the target is down.
  void up(const Target& t);
  // A counter increasing by about rate_per_s * 15 per scrape, reset at
  // restarts; integer-valued if `integer`.
  void counter(const Target& t, const std::string& name, LabelPairs labels, double rate_per_s,
               Shape shape = Shape::kDiurnal, bool integer = true, Window w = {});
  // A gauge; fn(i, u) gives the value at index i, with u uniform in [0, 1).
  void gauge(const Target& t, const std::string& name, LabelPairs labels,
             const std::function<double(int, double)>& fn, Window w = {});
  // A classic histogram `name`_bucket/_sum/_count of log-normally distributed
  // observations (median, sigma), `rate_per_s` observations per second.
  // glitch_le: the bucket made non-monotonic for indices 100..110 (or "").
  void histogram(const Target& t, const std::string& name, LabelPairs labels,
                 const std::vector<double>& bounds, double rate_per_s, double median, double sigma,
                 Shape shape = Shape::kDiurnal, const std::string& glitch_le = "");

 private:
  enum class Slot { kNone, kSample, kStale };
  Slot slot(const Target& t, const Window& w, int i, bool is_up) const;
  bool is_down(const Target& t, int i) const;
  bool is_restart(const Target& t, int i) const;
  int64_t timestamp(const Target& t, uint64_t seed, int i) const;
  LabelPairs full_labels(const Target& t, const std::string& name, const LabelPairs& labels) const;
  // Emits one series from per-index values (only read at kSample slots).
  void emit(const Target& t, const Window& w, LabelPairs labels, const std::vector<double>& values,
            bool is_up = false);

  Dataset* out_;
};

// Deterministic helpers shared with the catalogue.
uint64_t hash_labels(const LabelPairs& labels);
double uniform01(uint64_t seed, int i, int salt = 0);
double shape_factor(Shape shape, uint64_t seed, int i);

// The catalogue itself (dataset_catalog.cc).
void add_catalog(DatasetBuilder* b, int64_t start_ms);

}  // namespace strata::difftest
