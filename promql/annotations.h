// Annotations: the warnings and infos a query returns beside its result,
// rendered as Prometheus 3 does in the API: "PromQL warning: <text> (L:C)".
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace strata::promql {

class Annotations {
 public:
  // `query` and `pos` (byte offset of the sub-expression) give the (L:C) suffix.
  void warn(std::string_view text, std::string_view query, size_t pos);
  void info(std::string_view text, std::string_view query, size_t pos);
  std::vector<std::string> warnings() const { return {warnings_.begin(), warnings_.end()}; }
  std::vector<std::string> infos() const { return {infos_.begin(), infos_.end()}; }

 private:
  std::set<std::string> warnings_;  // deduplicated like Prometheus' annotation map
  std::set<std::string> infos_;
};

// "1:5" style position of byte offset `pos` in `query`.
std::string line_col(std::string_view query, size_t pos);

}  // namespace strata::promql
