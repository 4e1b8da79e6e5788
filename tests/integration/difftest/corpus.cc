#include "tests/integration/difftest/corpus.h"

#include <cctype>
#include <fstream>

namespace strata::difftest {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

void replace_all(std::string* s, const std::string& from, const std::string& to) {
  for (size_t p = s->find(from); p != std::string::npos; p = s->find(from, p + to.size())) s->replace(p, from.size(), to);
}

}  // namespace

bool load_corpus_file(const std::string& path, std::vector<CorpusQuery>* out, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path;
    return false;
  }
  const size_t slash = path.find_last_of('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    out->push_back({base, n, t});
  }
  return true;
}

std::string substitute_placeholders(const std::string& query, int64_t start_ms, int64_t end_ms) {
  std::string q = query;
  replace_all(&q, "${DATA_START}", std::to_string(start_ms / 1000));
  replace_all(&q, "${DATA_END}", std::to_string(end_ms / 1000));
  return q;
}

bool parse_label_values_query(const std::string& query, std::string* selector, std::string* label) {
  const std::string prefix = "label_values(";
  const std::string q = trim(query);
  if (q.compare(0, prefix.size(), prefix) != 0 || q.back() != ')') return false;
  const std::string inner = q.substr(prefix.size(), q.size() - prefix.size() - 1);
  const size_t comma = inner.find_last_of(',');
  if (comma == std::string::npos) return false;
  *selector = trim(inner.substr(0, comma));
  *label = trim(inner.substr(comma + 1));
  if (selector->empty() || label->empty()) return false;
  for (char c : *label)
    if (!std::isalnum((unsigned char)c) && c != '_') return false;
  return true;
}

}  // namespace strata::difftest
