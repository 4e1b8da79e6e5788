#include "promql/annotations.h"

namespace strata::promql {

std::string line_col(std::string_view query, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < query.size(); ++i) {
    if (query[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

void Annotations::warn(std::string_view text, std::string_view query, size_t pos) {
  warnings_.insert("PromQL warning: " + std::string(text) + " (" + line_col(query, pos) + ")");
}

void Annotations::info(std::string_view text, std::string_view query, size_t pos) {
  infos_.insert("PromQL info: " + std::string(text) + " (" + line_col(query, pos) + ")");
}

}  // namespace strata::promql
