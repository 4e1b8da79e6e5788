// Labels: a series' identity, a list of (name, value) pairs sorted by name with
// unique names. This is the value type that crosses module boundaries (ingest,
// storage results, PromQL values); the head stores its own interned form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::tsdb {

inline constexpr std::string_view kMetricName = "__name__";

struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
};

class Labels {
 public:
  Labels() = default;
  // `sorted` must be sorted by name with unique names (checked in debug builds).
  explicit Labels(std::vector<Label> sorted);
  // Sorts; later duplicates of a name are kept (callers validate separately).
  static Labels from_unsorted(std::vector<Label> items);
  // From name, value, name, value, ... (any order).
  static Labels from_strings(std::initializer_list<std::string_view> kv);

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  const Label& operator[](size_t i) const { return items_[i]; }
  const std::vector<Label>& items() const { return items_; }

  // The value of `name`, or "" when absent (Prometheus treats absent as empty).
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  std::string_view metric_name() const { return get(kMetricName); }

  // Stable within a process; equal label sets hash equally.
  uint64_t hash() const;
  // Hash of only the named labels (`include`) or of all but them (!include).
  // `names` must be sorted.
  uint64_t hash_for(const std::vector<std::string>& names, bool include) const;

  // Prometheus' labels.String(): {a="1", b="2"} with Go-quoted values.
  std::string to_string() const;

  // Lexicographic by (name, value) pairs, then length (labels.Compare).
  static int compare(const Labels& a, const Labels& b);
  bool operator==(const Labels& o) const { return items_ == o.items_; }
  bool operator<(const Labels& o) const { return compare(*this, o) < 0; }

  // Edits, returning new label sets.
  Labels without(const std::vector<std::string>& names) const;  // names sorted
  Labels keep(const std::vector<std::string>& names) const;     // names sorted
  Labels without_metric_name() const;
  // Sets (or, with empty value, removes) one label.
  Labels with(std::string_view name, std::string_view value) const;

 private:
  std::vector<Label> items_;
};

// Go's strconv.Quote for label values in messages: "a\"b\n".
std::string go_quote(std::string_view s);

}  // namespace strata::tsdb
