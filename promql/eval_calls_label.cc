// The label family: label_replace, label_join and info.
#include <algorithm>

#include "promql/evaluator.h"
#include "re2/re2.h"

namespace strata::promql {
namespace {

using F = FunctionId;
using Fam = FunctionFamily;

constexpr FunctionImpl kLabelFunctions[] = {
    {F::kLabelReplace, Fam::kLabel},
    {F::kLabelJoin, Fam::kLabel},
    {F::kInfo, Fam::kLabel},
};

// Go regexp.Expand for label_replace's replacement: $1, ${1}, $name, ${name}, $$.
std::string expand(const std::string& tmpl, const re2::RE2& re,
                   const std::vector<re2::StringPiece>& groups) {
  std::string out;
  const auto& named = re.NamedCapturingGroups();
  auto group_value = [&](const std::string& name) -> std::string {
    int idx = -1;
    if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) {
      if (name.size() > 9) return "";
      idx = std::stoi(name);
    } else {
      auto it = named.find(name);
      if (it != named.end()) idx = it->second;
    }
    if (idx < 0 || idx >= int(groups.size()) || groups[idx].data() == nullptr) return "";
    return std::string(groups[idx].data(), groups[idx].size());
  };
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c != '$' || i + 1 >= tmpl.size()) {
      out.push_back(c);
      continue;
    }
    if (tmpl[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    std::string name;
    size_t j = i + 1;
    if (tmpl[j] == '{') {
      size_t close = tmpl.find('}', j);
      if (close == std::string::npos) {
        out.push_back(c);
        continue;
      }
      name = tmpl.substr(j + 1, close - j - 1);
      bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
      });
      if (!ok) {
        out.push_back(c);
        continue;
      }
      i = close;
    } else {
      while (j < tmpl.size() && (std::isalnum(static_cast<unsigned char>(tmpl[j])) || tmpl[j] == '_'))
        name.push_back(tmpl[j++]);
      if (name.empty()) {
        out.push_back(c);
        continue;
      }
      i = j - 1;
    }
    out += group_value(name);
  }
  return out;
}

bool valid_label_name(const std::string& s, bool v3) {
  if (v3) return !s.empty() && tsdb::is_valid_utf8(s);
  return tsdb::is_valid_label_name(s);
}

}  // namespace

std::span<const FunctionImpl> label_functions() { return kLabelFunctions; }

absl::StatusOr<Evaluator::Result> Evaluator::eval_label_call(const PlanNode& n, const Grid& g) {
  auto args = eval_args(n, g);
  if (!args.ok()) return args.status();
  StepVector in = std::move((*args)[0].vec);
  if (n.fn->id == F::kInfo) {
    // Strata does not implement info() yet. Empty input gives an empty
    // result, as it does in Prometheus (no series, nothing to enrich); any
    // sample is an error rather than a result without the info labels.
    for (const StepSeries& s : in) {
      if (!std::all_of(s.v.begin(), s.v.end(), is_absent))
        return absl::UnimplementedError("function \"info\" is not supported");
    }
    return Result{};
  }
  Result r;
  auto str_arg = [&](size_t i) { return n.args[i]->str; };
  if (n.fn->id == F::kLabelReplace) {
    std::string dst = str_arg(1), repl = str_arg(2), src = str_arg(3), regex = str_arg(4);
    RE2::Options ro;
    ro.set_log_errors(false);
    re2::RE2 re((v3() ? "^(?s:" : "^(?:") + regex + ")$", ro);
    if (!re.ok())
      return absl::UnknownError("invalid regular expression in label_replace(): " + regex);
    if (!valid_label_name(dst, v3()))
      return absl::UnknownError("invalid destination label name in label_replace(): " + dst);
    std::vector<re2::StringPiece> groups(size_t(re.NumberOfCapturingGroups()) + 1);
    for (StepSeries& s : in) {
      std::string sv(s.metric.get(src));
      if (!re.Match(sv, 0, sv.size(), RE2::UNANCHORED, groups.data(), int(groups.size())))
        continue;
      s.metric = s.metric.with(dst, expand(repl, re, groups));
      if (dst == tsdb::kMetricName) s.drop_name = false;
    }
  } else {  // label_join
    std::string dst = str_arg(1), sep = str_arg(2);
    if (!valid_label_name(dst, v3()))
      return absl::UnknownError("invalid destination label name in label_join(): " + dst);
    std::vector<std::string> srcs;
    for (size_t i = 3; i < n.args.size(); ++i) {
      if (!valid_label_name(str_arg(i), v3()))
        return absl::UnknownError("invalid source label name in label_join(): " + str_arg(i));
      srcs.push_back(str_arg(i));
    }
    for (StepSeries& s : in) {
      std::string joined;
      for (size_t i = 0; i < srcs.size(); ++i) {
        if (i) joined += sep;
        joined += s.metric.get(srcs[i]);
      }
      s.metric = s.metric.with(dst, joined);
      if (dst == tsdb::kMetricName) s.drop_name = false;
    }
  }
  if (auto st = dedupe(in, g); !st.ok()) return st;
  r.vec = std::move(in);
  return r;
}

}  // namespace strata::promql
