// Prometheus' template function map (template/template.go, 2.42), except the
// humanize family (humanize.cc).
#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "base/duration.h"
#include "base/go_quote.h"
#include "net/url.h"
#include "rules/template/call.h"
#include "rules/template/go_regexp.h"
#include "rules/template/humanize.h"
#include "rules/template/str_cat.h"
#include "net/url.h"

namespace strata::rules::tmpl {
namespace {

absl::Status err(std::string_view msg) { return absl::InvalidArgumentError(std::string(msg)); }
absl::Status errs(absl::string_view msg) { return absl::InvalidArgumentError(std::string(msg)); }

// unicode.ToUpper/ToLower for the scripts label values commonly use
// (ASCII, Latin-1, Latin Extended-A pairs, Greek, Cyrillic); other runes
// are kept.
int32_t to_upper_rune(int32_t r) {
  if (r >= 'a' && r <= 'z') return r - 32;
  if (r < 0x80) return r;
  if ((r >= 0xE0 && r <= 0xFE && r != 0xF7)) return r - 32;
  if (r == 0xFF) return 0x178;
  if (r == 0xB5) return 0x39C;
  if (r >= 0x100 && r <= 0x17F && r != 0x130 && r != 0x131 && r != 0x138 && r != 0x149 &&
      r != 0x17F) {
    bool odd_upper = (r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E);
    if (odd_upper ? (r % 2 == 0) : (r % 2 == 1)) return r - 1;
    return r;
  }
  if (r >= 0x3B1 && r <= 0x3C9 && r != 0x3C2) return r - 32;
  if (r == 0x3C2) return 0x3A3;
  if (r >= 0x430 && r <= 0x44F) return r - 32;
  if (r >= 0x450 && r <= 0x45F) return r - 80;
  return r;
}

int32_t to_lower_rune(int32_t r) {
  if (r >= 'A' && r <= 'Z') return r + 32;
  if (r < 0x80) return r;
  if ((r >= 0xC0 && r <= 0xDE && r != 0xD7)) return r + 32;
  if (r == 0x178) return 0xFF;
  if (r >= 0x100 && r <= 0x17F && r != 0x130 && r != 0x131 && r != 0x138 && r != 0x149 &&
      r != 0x17F) {
    bool odd_upper = (r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E);
    if (odd_upper ? (r % 2 == 1) : (r % 2 == 0)) return r + 1;
    return r;
  }
  if (r >= 0x391 && r <= 0x3A9 && r != 0x3A2) return r + 32;
  if (r >= 0x410 && r <= 0x42F) return r + 32;
  if (r >= 0x400 && r <= 0x40F) return r + 80;
  return r;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// strings.Map with a case function: invalid UTF-8 becomes U+FFFD.
std::string map_runes(std::string_view s, int32_t (*f)(int32_t)) {
  std::string out;
  if (is_ascii(s)) {
    for (char c : s) out.push_back(static_cast<char>(f(static_cast<unsigned char>(c))));
    return out;
  }
  while (!s.empty()) {
    DecodedRune r = decode_rune(s);
    append_utf8(&out, f(r.rune));
    s.remove_prefix(r.width);
  }
  return out;
}

// strings.Title's isSeparator.
bool is_separator(int32_t r) {
  if (r <= 0x7F) {
    if ((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_') {
      return false;
    }
    return true;
  }
  // unicode.IsLetter/IsDigit: treat other runes as letters, except spaces.
  return r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 ||
         r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000;
}

std::string title(std::string_view s) {
  std::string out;
  int32_t prev = ' ';
  while (!s.empty()) {
    DecodedRune r = decode_rune(s);
    int32_t c = r.rune;
    if (is_separator(prev)) c = to_upper_rune(c);
    append_utf8(&out, c);
    prev = r.rune;
    s.remove_prefix(r.width);
  }
  return out;
}

// net.ParseIP (no zones).
bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string strip_domain(std::string_view hp) {
  std::string_view host_view, port_view;
  if (!net::split_host_port(hp, &host_view, &port_view)) host_view = hp;
  std::string host(host_view), port(port_view);
  if (is_ip(host)) return std::string(hp);
  host = host.substr(0, host.find('.'));
  if (!port.empty()) {
    if (host.find(':') != std::string::npos) return cat("[", host, "]:", port);
    return cat(host, ":", port);
  }
  return host;
}

// url.URL.Path of an external URL: what follows scheme://host, up to ? or #.
std::string url_path(std::string_view u) {
  size_t scheme = u.find("://");
  std::string_view rest = scheme == std::string_view::npos ? u : u.substr(scheme + 3);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return "";
  rest = rest.substr(slash);
  size_t end = rest.find_first_of("?#");
  return std::string(rest.substr(0, end));
}

// Compiles `pattern` once per expansion (at most kMaxCachedRegexps kept).
// The error is Go's *syntax.Error text.
constexpr size_t kMaxCachedRegexps = 32;

absl::StatusOr<std::shared_ptr<const RE2>> cached_regexp(const std::string& pattern,
                                                         const CallContext& ctx) {
  for (const auto& [p, re] : *ctx.regexps) {
    if (p == pattern) return re;
  }
  auto re = go_regexp_compile(pattern);
  if (!re.ok()) return re.status();
  std::shared_ptr<const RE2> shared(std::move(*re));
  if (ctx.regexps->size() < kMaxCachedRegexps) ctx.regexps->emplace_back(pattern, shared);
  return shared;
}

const Sample* sample_of(const Value& v) {
  return v.kind() == Kind::kSample ? v.sample_ptr() : nullptr;
}

absl::StatusOr<Value> query(const std::string& q, const CallContext& ctx) {
  const ExecEnv& env = *ctx.env;
  if (env.query == nullptr || !*env.query) return err("no query engine available");
  if (++*ctx.query_calls > env.limits.max_query_calls) {
    return err(cat("more than ", env.limits.max_query_calls, " queries in one expansion"));
  }
  absl::StatusOr<std::vector<Sample>> r = (*env.query)(q, env.t_ms);
  if (!r.ok()) return errs(r.status().message());
  if (r->size() > env.limits.max_query_samples) {
    return err(cat("query returned ", r->size(), " samples, more than the limit of ",
                   env.limits.max_query_samples));
  }
  auto list = std::make_shared<SampleList>();
  list->reserve(r->size());
  for (Sample& s : *r) list->push_back(std::make_shared<const Sample>(std::move(s)));
  return Value::query_result(std::move(list));
}

}  // namespace

absl::StatusOr<Value> call_prometheus(FuncId id, const std::vector<Value>& a,
                                      const CallContext& ctx) {
  const ExecLimits& limits = ctx.env->limits;
  switch (id) {
    case FuncId::kQuery:
      return query(a[0].as_string(), ctx);
    case FuncId::kFirst:
      if (a[0].samples().empty()) return err("first() called on vector with no elements");
      return Value::sample(a[0].samples()[0]);
    case FuncId::kLabel: {
      const Sample* s = sample_of(a[1]);
      return Value::string(s == nullptr ? "" : std::string(s->labels.get(a[0].as_string())));
    }
    case FuncId::kValue: {
      const Sample* s = sample_of(a[0]);
      return Value::floating(s == nullptr ? 0 : s->value);
    }
    case FuncId::kStrvalue: {
      const Sample* s = sample_of(a[0]);
      return Value::string(s == nullptr ? "" : std::string(s->labels.get("__value__")));
    }
    case FuncId::kArgs: {
      auto m = std::make_shared<AnyMap>();
      for (size_t i = 0; i < a.size(); ++i) m->emplace_back(cat("arg", i), a[i]);
      std::sort(m->begin(), m->end(),
                [](const auto& x, const auto& y) { return x.first < y.first; });
      return Value::any_map(std::move(m));
    }
    case FuncId::kReReplaceAll: {
      auto re = cached_regexp(a[0].as_string(), ctx);
      if (!re.ok()) {
        return err(go_must_compile_message(a[0].as_string(), std::string(re.status().message())));
      }
      *ctx.work_bytes += a[2].as_string().size();
      auto r =
          go_regexp_replace_all(**re, a[2].as_string(), a[1].as_string(), limits.max_output_bytes);
      if (!r.ok()) return r.status();
      return Value::string(*std::move(r));
    }
    case FuncId::kSafeHtml:
      return Value::html(a[0].as_string());
    case FuncId::kMatch: {
      auto re = cached_regexp(a[0].as_string(), ctx);
      if (!re.ok()) return errs(re.status().message());
      const std::string& s = a[1].as_string();
      *ctx.work_bytes += s.size();
      return Value::boolean(RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), **re));
    }
    case FuncId::kTitle:
      return Value::string(title(a[0].as_string()));
    case FuncId::kToUpper:
      return Value::string(map_runes(a[0].as_string(), to_upper_rune));
    case FuncId::kToLower:
      return Value::string(map_runes(a[0].as_string(), to_lower_rune));
    case FuncId::kGraphLink:
      return Value::string(cat("/graph?g0.expr=", net::query_escape(a[0].as_string()), "&g0.tab=0"));
    case FuncId::kTableLink:
      return Value::string(cat("/graph?g0.expr=", net::query_escape(a[0].as_string()), "&g0.tab=1"));
    case FuncId::kSortByLabel: {
      auto list = std::make_shared<SampleList>(a[1].samples());
      const std::string& label = a[0].as_string();
      std::stable_sort(list->begin(), list->end(), [&](const SamplePtr& x, const SamplePtr& y) {
        return x->labels.get(label) < y->labels.get(label);
      });
      return Value::query_result(std::move(list));
    }
    case FuncId::kHumanize:
    case FuncId::kHumanize1024:
    case FuncId::kHumanizeDuration:
    case FuncId::kHumanizePercentage:
    case FuncId::kHumanizeTimestamp:
    case FuncId::kToTime:
      return humanize(id, a[0]);
    case FuncId::kPathPrefix:
      return Value::string(url_path(ctx.env->data->external_url));
    case FuncId::kExternalURL:
      return Value::string(ctx.env->data->external_url);
    case FuncId::kParseDuration: {
      absl::StatusOr<int64_t> ms = parse_duration(a[0].as_string());
      if (!ms.ok()) return errs(ms.status().message());
      int64_t ns = *ms * 1000000;  // parse_duration keeps ns within int64
      return Value::floating(static_cast<double>(ns) / 1e9);
    }
    case FuncId::kStripPort: {
      std::string_view host, port;
      if (!net::split_host_port(a[0].as_string(), &host, &port)) return Value::string(a[0].as_string());
      return Value::string(std::string(host));
    }
    case FuncId::kStripDomain:
      return Value::string(strip_domain(a[0].as_string()));
    default:
      return err("internal error: not a Prometheus function");
  }
}

}  // namespace strata::rules::tmpl
