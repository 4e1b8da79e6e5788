#include "api/dashlint/interpolate.h"

#include <algorithm>

#include "base/duration.h"

namespace strata::dashlint {
namespace {

enum class Format {
  kPrometheus,  // no format given: the datasource's own escaping
  kRegex, kPipe, kCsv, kJson, kDoubleQuote, kSingleQuote, kRaw, kGlob, kLucene, kPercentEncode,
  kQueryParam, kSqlString, kText,
};

// Format names as Grafana spells them; resolved once per reference.
std::optional<Format> format_named(std::string_view f) {
  static const std::unordered_map<std::string_view, Format> kFormats = {
      {"regex", Format::kRegex},
      {"pipe", Format::kPipe},
      {"csv", Format::kCsv},
      {"json", Format::kJson},
      {"doublequote", Format::kDoubleQuote},
      {"singlequote", Format::kSingleQuote},
      {"raw", Format::kRaw},
      {"glob", Format::kGlob},
      {"lucene", Format::kLucene},
      {"percentencode", Format::kPercentEncode},
      {"queryparam", Format::kQueryParam},
      {"sqlstring", Format::kSqlString},
      {"text", Format::kText},
      // Grafana's date formats apply to $__from/$__to only; elsewhere glob.
  };
  auto it = kFormats.find(f);
  if (it == kFormats.end()) return std::nullopt;
  return it->second;
}

Builtin builtin_named(std::string_view n) {
  static const std::unordered_map<std::string_view, Builtin> kBuiltins = {
      {"__interval", Builtin::kInterval},
      {"__interval_ms", Builtin::kIntervalMs},
      {"__rate_interval", Builtin::kRateInterval},
      {"__rate_interval_ms", Builtin::kRateIntervalMs},
      {"__range", Builtin::kRange},
      {"__range_s", Builtin::kRangeS},
      {"__range_ms", Builtin::kRangeMs},
      {"__from", Builtin::kFrom},
      {"__to", Builtin::kTo},
      {"__dashboard", Builtin::kDashboard},
      {"__user", Builtin::kUser},
      {"__org", Builtin::kOrg},
  };
  auto it = kBuiltins.find(n);
  if (it != kBuiltins.end()) return it->second;
  // An interval variable's "auto" option stands for $__auto_interval_<name>.
  if (n.starts_with("__auto_interval")) return Builtin::kAutoInterval;
  return Builtin::kNone;
}

// Grafana's gtime.FormatInterval: the largest whole unit ("15s", "1m", "2h").
std::string format_interval(int64_t ms) {
  struct Unit {
    int64_t ms;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{365 * 86'400'000LL, "y"}, {86'400'000, "d"}, {3'600'000, "h"},
                                    {60'000, "m"}, {1'000, "s"}, {1, "ms"}};
  for (const Unit& u : kUnits)
    if (ms >= u.ms) return std::to_string(ms / u.ms) + u.name;
  return "1ms";
}

std::string builtin_value(Builtin b, const SampleTimes& t) {
  switch (b) {
    case Builtin::kInterval:
    case Builtin::kAutoInterval: return format_interval(t.interval_ms);
    case Builtin::kIntervalMs: return std::to_string(t.interval_ms);
    // Grafana writes Go's Duration.String() here ("1m0s").
    case Builtin::kRateInterval: return format_go_duration(t.rate_interval_ms);
    case Builtin::kRateIntervalMs: return std::to_string(t.rate_interval_ms);
    case Builtin::kRange: return std::to_string((t.range_ms + 500) / 1000) + "s";
    case Builtin::kRangeS: return std::to_string((t.range_ms + 500) / 1000);
    case Builtin::kRangeMs: return std::to_string(t.range_ms);
    case Builtin::kFrom: return std::to_string(t.to_ms - t.range_ms);
    case Builtin::kTo: return std::to_string(t.to_ms);
    case Builtin::kDashboard: return "dashboard";
    case Builtin::kUser: return "admin";
    case Builtin::kOrg: return "1";
    case Builtin::kNone: break;
  }
  return "";
}

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string replace_all(std::string_view s, char c, std::string_view with) {
  std::string out;
  for (char x : s) {
    if (x == c) out += with;
    else out += x;
  }
  return out;
}

// prometheusRegularEscape: for a value used as written (single value).
std::string regular_escape(std::string_view v) {
  return replace_all(replace_all(v, '\\', "\\\\"), '\'', "\\\\'");
}

// prometheusSpecialRegexEscape: a regex-escaped value for a PromQL string,
// hence two backslashes per escape.
std::string special_regex_escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\\\\\";
    } else if (std::string_view("$^*{}[]'+?.()|").find(c) != std::string_view::npos) {
      out += "\\\\";
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

// Grafana's regexEscape (the `regex` format): one backslash per escape.
std::string regex_escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (std::string_view("\\^$*+?.()|[]{}/").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string percent_encode(std::string_view v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (is_word(char(c)) || std::string_view("-.!~*'()").find(char(c)) != std::string_view::npos) {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string json_string(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

template <typename Fn>
std::string join(const std::vector<std::string>& vals, std::string_view sep, Fn&& each) {
  std::string out;
  for (size_t i = 0; i < vals.size(); ++i) {
    if (i) out += sep;
    out += each(vals[i]);
  }
  return out;
}

std::string format_values(const ResolvedVariable& rv, Format f) {
  const auto& vals = rv.values;
  auto same = [](const std::string& s) { return s; };
  bool many = vals.size() > 1;
  switch (f) {
    case Format::kPrometheus:
      if (!rv.multi_or_all) return join(vals, ",", regular_escape);
      if (!many) return join(vals, "", special_regex_escape);
      return "(" + join(vals, "|", special_regex_escape) + ")";
    case Format::kRegex:
      if (!many) return join(vals, "", regex_escape);
      return "(" + join(vals, "|", regex_escape) + ")";
    case Format::kPipe: return join(vals, "|", same);
    case Format::kCsv:
    case Format::kRaw: return join(vals, ",", same);
    case Format::kJson: return many ? "[" + join(vals, ",", json_string) + "]" : join(vals, "", json_string);
    case Format::kDoubleQuote:
      return join(vals, ",", [](const std::string& s) { return "\"" + replace_all(s, '"', "\\\"") + "\""; });
    case Format::kSingleQuote:
      return join(vals, ",", [](const std::string& s) { return "'" + replace_all(s, '\'', "\\'") + "'"; });
    case Format::kSqlString:
      return join(vals, ",", [](const std::string& s) { return "'" + replace_all(s, '\'', "''") + "'"; });
    case Format::kGlob: return many ? "{" + join(vals, ",", same) + "}" : join(vals, "", same);
    case Format::kLucene:
      return many ? "(" + join(vals, " OR ", json_string) + ")" : join(vals, "", same);
    case Format::kPercentEncode:
      return percent_encode(many ? "{" + join(vals, ",", same) + "}" : join(vals, "", same));
    case Format::kQueryParam:
      return join(vals, "&", [&](const std::string& s) {
        return "var-" + rv.var->name + "=" + percent_encode(s);
      });
    case Format::kText: return join(rv.texts.empty() ? vals : rv.texts, " + ", same);
  }
  return "";
}

// One reference found at `pos` of `src`: [start, end), name, format text.
struct Match {
  int end = 0;
  std::string_view name;
  std::string_view format;  // "" = none
  bool has_format = false;
};

std::optional<Match> match_at(std::string_view src, size_t pos) {
  auto word_end = [&](size_t i) {
    while (i < src.size() && is_word(src[i])) ++i;
    return i;
  };
  if (src[pos] == '$') {
    size_t i = pos + 1;
    size_t e = word_end(i);
    if (e > i) return Match{int(e), src.substr(i, e - i), {}, false};
    if (i < src.size() && src[i] == '{') {
      size_t ns = i + 1, ne = word_end(ns);
      if (ne == ns) return std::nullopt;
      size_t j = ne;
      if (j < src.size() && src[j] == '.') {  // ${var.field}: [^:^}]+
        size_t k = j + 1;
        while (k < src.size() && src[k] != ':' && src[k] != '^' && src[k] != '}') ++k;
        if (k == j + 1) return std::nullopt;
        j = k;
      }
      Match m{0, src.substr(ns, ne - ns), {}, false};
      if (j < src.size() && src[j] == ':') {  // :format is [^}]+
        size_t k = j + 1;
        while (k < src.size() && src[k] != '}') ++k;
        if (k == j + 1) return std::nullopt;
        m.format = src.substr(j + 1, k - j - 1);
        m.has_format = true;
        j = k;
      }
      if (j >= src.size() || src[j] != '}') return std::nullopt;
      m.end = int(j + 1);
      return m;
    }
    return std::nullopt;
  }
  // [[name]] or [[name:format]]
  if (src.substr(pos, 2) != "[[") return std::nullopt;
  size_t ns = pos + 2, ne = word_end(ns);
  if (ne == ns) return std::nullopt;
  Match m{0, src.substr(ns, ne - ns), {}, false};
  size_t j = ne;
  if (j < src.size() && src[j] == ':') {
    size_t fe = word_end(j + 1);
    if (fe == j + 1) return std::nullopt;
    m.format = src.substr(j + 1, fe - j - 1);
    m.has_format = true;
    j = fe;
  }
  if (src.substr(j, 2) != "]]") return std::nullopt;
  m.end = int(j + 2);
  return m;
}

}  // namespace

SampleTimes sample_times(int64_t scrape_interval_ms, int64_t range_ms, int64_t min_interval_ms) {
  SampleTimes t;
  t.scrape_interval_ms = scrape_interval_ms;
  t.range_ms = range_ms;
  // Grafana divides the range by the panel's width in points; ~1000 points,
  // rounded to whole seconds, is what a full-width panel gets.
  int64_t interval = std::max<int64_t>(1000, range_ms / 1000 / 1000 * 1000);
  interval = std::max({interval, min_interval_ms, scrape_interval_ms});
  t.interval_ms = interval;
  t.rate_interval_ms = std::max(interval + scrape_interval_ms, 4 * scrape_interval_ms);
  return t;
}

VariableScope::VariableScope(const Dashboard& d) {
  vars_.reserve(d.variables.size());
  for (const Variable& v : d.variables) {
    ResolvedVariable rv;
    rv.var = &v;
    rv.multi_or_all = v.multi || v.include_all;
    bool all = std::find(v.current.begin(), v.current.end(), "$__all") != v.current.end();
    std::vector<std::string> options = v.options;
    if (options.empty() && (v.type == VariableType::kCustom || v.type == VariableType::kInterval)) {
      // Custom and interval variables list their options in `query`: "a,b" or "key : value".
      std::string_view q = v.query;
      while (!q.empty()) {
        size_t c = q.find(',');
        std::string_view part = q.substr(0, c);
        if (size_t kv = part.find(" : "); kv != std::string_view::npos) part = part.substr(kv + 3);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        if (!part.empty()) options.emplace_back(part);
        if (c == std::string_view::npos) break;
        q.remove_prefix(c + 1);
      }
    }
    if (all) {
      if (v.all_value) rv.custom_all = v.all_value;
      rv.values = options;
      // A query variable exported without its options: two placeholders so
      // that the query gets Grafana's multi-value form.
      if (rv.values.empty()) rv.values = {"sample1", "sample2"};
      rv.texts = {"All"};
    } else if (!v.current.empty()) {
      rv.values = v.current;
      rv.texts = v.current_text;
    } else if (v.type == VariableType::kConstant || v.type == VariableType::kTextbox) {
      rv.values = {v.query};
    } else if (!options.empty()) {
      rv.values = {options.front()};
    } else {
      rv.values = {"sample"};
    }
    if (rv.texts.empty()) rv.texts = rv.values;
    vars_.push_back(std::move(rv));
  }
  for (size_t i = 0; i < vars_.size(); ++i) by_name_.emplace(vars_[i].var->name, i);
}

const ResolvedVariable* VariableScope::find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : &vars_[it->second];
}

int Interpolated::source_pos(int out_pos) const {
  int delta = 0;
  for (const Reference& r : refs) {
    if (out_pos < r.out_start) return out_pos + delta;
    if (out_pos < r.out_end) return r.in_start;
    delta = r.in_end - r.out_end;
  }
  return out_pos + delta;
}

const Reference* Interpolated::overlapping(int out_start, int out_end) const {
  for (const Reference& r : refs)
    if (r.out_start < out_end && out_start < r.out_end) return &r;
  return nullptr;
}

Interpolated interpolate(std::string_view src, const VariableScope& scope, const SampleTimes& t) {
  Interpolated out;
  size_t i = 0;
  while (i < src.size()) {
    char c = src[i];
    std::optional<Match> m;
    if (c == '$' || c == '[') m = match_at(src, i);
    if (!m) {
      out.text += c;
      ++i;
      continue;
    }
    Reference ref;
    ref.in_start = int(i);
    ref.in_end = m->end;
    ref.name = std::string(m->name);
    ref.out_start = int(out.text.size());
    std::string value;
    // Dashboard variables may not shadow the built-ins: Grafana passes those
    // as scoped variables, which win. Their formats (${__from:date:seconds})
    // do not change what kind of text they are, so they are not applied.
    Builtin b = m->name.starts_with("__") ? builtin_named(m->name) : Builtin::kNone;
    if (b != Builtin::kNone) {
      ref.builtin = b;
      value = builtin_value(b, t);
    } else if (const ResolvedVariable* rv = scope.find(m->name)) {
      ref.variable = rv;
      std::optional<Format> fmt = Format::kPrometheus;
      if (m->has_format) {
        fmt = format_named(m->format);
        // Grafana falls back to glob for a format it does not know.
        if (!fmt) {
          fmt = Format::kGlob;
          ref.unknown_format = true;
        }
      }
      // Grafana inserts a custom all value as it is, unless the format is text.
      if (rv->custom_all && *fmt != Format::kText && *fmt != Format::kPercentEncode)
        value = *rv->custom_all;
      else
        value = format_values(*rv, *fmt);
    } else {
      out.unknown.emplace_back(int(i), ref.name);
      out.text.append(src.substr(i, m->end - i));
      i = m->end;
      continue;
    }
    out.text += value;
    ref.out_end = int(out.text.size());
    out.refs.push_back(std::move(ref));
    i = m->end;
  }
  return out;
}

}  // namespace strata::dashlint
