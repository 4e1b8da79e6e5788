#include "tsdb/labels/relabel.h"

#include <locale.h>
#include <re2/re2.h>
#include <wctype.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "base/go_quote.h"

namespace strata::tsdb::relabel {
namespace {

struct Named {
  Action action;
  const char* name;
};
constexpr std::array<Named, 11> kActions = {{
    {Action::kReplace, "replace"},
    {Action::kKeep, "keep"},
    {Action::kDrop, "drop"},
    {Action::kKeepEqual, "keepequal"},
    {Action::kDropEqual, "dropequal"},
    {Action::kHashMod, "hashmod"},
    {Action::kLabelMap, "labelmap"},
    {Action::kLabelDrop, "labeldrop"},
    {Action::kLabelKeep, "labelkeep"},
    {Action::kLowercase, "lowercase"},
    {Action::kUppercase, "uppercase"},
}};

// ---- MD5 (RFC 1321) ----

struct Md5Table {
  uint32_t k[64];
  Md5Table() {
    // K[i] = floor(|sin(i + 1)| * 2^32), as the RFC defines the table.
    for (int i = 0; i < 64; ++i) k[i] = uint32_t(std::floor(std::fabs(std::sin(double(i + 1))) * 4294967296.0));
  }
};

constexpr uint8_t kShift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

inline uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

void md5_block(const uint8_t* p, uint32_t h[4]) {
  static const Md5Table table;
  uint32_t m[16];
  for (int i = 0; i < 16; ++i)
    m[i] = uint32_t(p[4 * i]) | uint32_t(p[4 * i + 1]) << 8 | uint32_t(p[4 * i + 2]) << 16 |
           uint32_t(p[4 * i + 3]) << 24;
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
  for (int i = 0; i < 64; ++i) {
    uint32_t f;
    int g;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) % 16;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) % 16;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) % 16;
    }
    f += a + table.k[i] + m[g];
    a = d;
    d = c;
    c = b;
    b += rotl(f, kShift[i]);
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
}

// ---- Unicode helpers ----

// C.UTF-8's LC_CTYPE gives towlower/towupper the Unicode simple case
// mappings Go's unicode.ToLower/ToUpper use. Null if the locale is missing
// (then only ASCII letters change case).
locale_t utf8_ctype() {
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0));
  return loc;
}

// Go's strings.Map(unicode.ToLower/ToUpper, s) after strings.ToLower's ASCII
// fast path: invalid bytes come out as U+FFFD.
void map_case(std::string_view s, bool upper, std::string* out) {
  out->clear();
  bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    out->assign(s.data(), s.size());
    for (char& c : *out) c = upper ? absl::ascii_toupper(c) : absl::ascii_tolower(c);
    return;
  }
  out->reserve(s.size());
  locale_t loc = utf8_ctype();
  while (!s.empty()) {
    DecodedRune d = decode_rune(s);
    s.remove_prefix(d.width);
    int32_t r = d.rune;
    if (r < 0x80) {
      out->push_back(upper ? absl::ascii_toupper(char(r)) : absl::ascii_tolower(char(r)));
      continue;
    }
    if (loc) r = int32_t(upper ? towupper_l(wint_t(r), loc) : towlower_l(wint_t(r), loc));
    append_utf8(out, r);
  }
}

// Go's unicode.IsLetter(r) || unicode.IsDigit(r) for a non-ASCII rune.
bool is_word_rune(std::string_view rune_bytes) {
  static const RE2 kWord("[\\p{L}\\p{Nd}]", RE2::Quiet);
  return RE2::FullMatch(re2::StringPiece(rune_bytes.data(), rune_bytes.size()), kWord);
}

struct Ref {
  std::string_view name;
  int num = -1;  // -1: a name, not a number
  std::string_view rest;
};

// Go's regexp `extract`: a leading "name" or "{name}" after a '$'.
bool extract(std::string_view str, Ref* ref) {
  if (str.empty()) return false;
  bool brace = false;
  if (str[0] == '{') {
    brace = true;
    str.remove_prefix(1);
  }
  size_t i = 0;
  while (i < str.size()) {
    unsigned char c = static_cast<unsigned char>(str[i]);
    if (c < 0x80) {
      if (!absl::ascii_isalnum(c) && c != '_') break;
      ++i;
      continue;
    }
    DecodedRune d = decode_rune(str.substr(i));
    if (!is_word_rune(str.substr(i, d.width)) || (d.rune == kRuneError && d.width == 1)) break;
    i += d.width;
  }
  if (i == 0) return false;
  ref->name = str.substr(0, i);
  if (brace) {
    if (i >= str.size() || str[i] != '}') return false;
    ++i;
  }
  int num = 0;
  for (char c : ref->name) {
    if (c < '0' || c > '9' || num >= 100000000) {
      num = -1;
      break;
    }
    num = num * 10 + (c - '0');
  }
  if (ref->name[0] == '0' && ref->name.size() > 1) num = -1;
  ref->num = num;
  ref->rest = str.substr(i);
  return true;
}

bool valid_utf8_name(std::string_view s) {
  if (s.empty()) return false;
  while (!s.empty()) {
    DecodedRune d = decode_rune(s);
    if (d.rune == kRuneError && d.width == 1) return false;
    s.remove_prefix(d.width);
  }
  return true;
}

// What is known about a config's regex without running it.
enum class Shape { kGeneral, kMatchAll, kMatchAllButNewline };

Shape shape_of(const re2::RE2& re) {
  const std::string& p = re.pattern();
  if (p == "^(?s:(.*))$") return Shape::kMatchAll;
  if (p == "^(?:(.*))$") return Shape::kMatchAllButNewline;
  return Shape::kGeneral;
}

constexpr int kStackGroups = 16;

// Submatches of one full match: groups[i] is group i, null data() when it did
// not participate.
class Groups {
 public:
  explicit Groups(std::vector<std::string_view>* storage) : view_(*storage) {}

  // Runs `re` on `s`; fills the groups only if `want_groups`.
  bool match(const re2::RE2& re, std::string_view s, bool want_groups) {
    n_ = want_groups ? re.NumberOfCapturingGroups() + 1 : 0;
    switch (shape_of(re)) {
      case Shape::kMatchAllButNewline:
        if (s.find('\n') != std::string_view::npos) return false;
        [[fallthrough]];
      case Shape::kMatchAll:
        if (n_ > 0) {
          set_size(n_);
          view_[0] = s;
          view_[1] = s;
        }
        return true;
      case Shape::kGeneral: break;
    }
    re2::StringPiece stack[kStackGroups];
    std::vector<re2::StringPiece> heap;
    re2::StringPiece* sub = stack;
    if (n_ > kStackGroups) {
      heap.resize(n_);
      sub = heap.data();
    }
    if (!re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::ANCHOR_BOTH, sub, n_))
      return false;
    set_size(n_);
    for (int i = 0; i < n_; ++i) view_[i] = std::string_view(sub[i].data(), sub[i].size());
    return true;
  }
  std::span<const std::string_view> view() const { return {view_.data(), size_t(n_)}; }

 private:
  void set_size(int n) {
    view_.assign(size_t(n), std::string_view());
  }
  int n_ = 0;
  std::vector<std::string_view>& view_;
};

bool has_dollar(std::string_view s) { return s.find('$') != std::string_view::npos; }

}  // namespace

const char* action_name(Action a) {
  for (const Named& n : kActions)
    if (n.action == a) return n.name;
  return "replace";
}

std::optional<Action> parse_action(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(std::string(name));
  for (const Named& n : kActions)
    if (lower == n.name) return n.action;
  return std::nullopt;
}

absl::StatusOr<std::shared_ptr<const re2::RE2>> compile_regex(const std::string& text, RegexOptions opts) {
  const std::string anchored = (opts.dot_matches_newline ? "^(?s:" : "^(?:") + text + ")$";
  auto re = std::make_shared<const re2::RE2>(anchored, re2::RE2::Quiet);
  if (!re->ok()) {
    // The label matcher words RE2's errors as Go does; same wrapping, same text.
    auto m = Matcher::make(MatchType::kRegexMatch, "", text, opts);
    if (!m.ok()) return m.status();
    return absl::InvalidArgumentError("error parsing regexp: " + re->error());
  }
  return std::shared_ptr<const re2::RE2>(std::move(re));
}

bool Config::operator==(const Config& o) const {
  auto pattern = [](const std::shared_ptr<const re2::RE2>& r) { return r ? r->pattern() : std::string(); };
  return source_labels == o.source_labels && separator == o.separator && target_label == o.target_label &&
         replacement == o.replacement && modulus == o.modulus && action == o.action &&
         regex_text == o.regex_text && pattern(regex) == pattern(o.regex);
}

Config default_config() {
  Config c;
  c.regex = *compile_regex(c.regex_text);
  return c;
}

// ---- LabelsBuilder ----

void LabelsBuilder::reset(const Labels& base) {
  size_t n = 0;
  for (const Label& l : base) {
    if (l.value.empty()) continue;
    if (n < items_.size()) {
      items_[n].name.assign(l.name);
      items_[n].value.assign(l.value);
    } else {
      items_.push_back(l);
    }
    ++n;
  }
  items_.resize(n);
}

std::vector<Label>::iterator LabelsBuilder::find_slot(std::string_view name) {
  return std::lower_bound(items_.begin(), items_.end(), name,
                          [](const Label& l, std::string_view n) { return l.name < n; });
}

std::string_view LabelsBuilder::get(std::string_view name) const {
  auto it = std::lower_bound(items_.begin(), items_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != items_.end() && it->name == name) return it->value;
  return {};
}

bool LabelsBuilder::has(std::string_view name) const { return !get(name).empty(); }

void LabelsBuilder::set(std::string_view name, std::string_view value) {
  if (value.empty()) {
    del(name);
    return;
  }
  auto it = find_slot(name);
  if (it != items_.end() && it->name == name) {
    if (it->value.data() != value.data() || it->value.size() != value.size()) it->value.assign(value);
    return;
  }
  // Copy first: `name` or `value` may point into an element that insert()
  // moves.
  Label l{std::string(name), std::string(value)};
  items_.insert(it, std::move(l));
}

void LabelsBuilder::del(std::string_view name) {
  auto it = find_slot(name);
  if (it != items_.end() && it->name == name) items_.erase(it);
}

Labels LabelsBuilder::release() {
  Labels out(std::move(items_));
  items_.clear();
  return out;
}

// ---- the engine ----

class Processor {
 public:
  static bool apply(const Config& c, LabelsBuilder& lb, const Options& o, Groups& g);
  static std::vector<std::string_view>* groups(LabelsBuilder& lb) { return &lb.groups_; }
};

bool Processor::apply(const Config& c, LabelsBuilder& lb, const Options& o, Groups& g) {
  std::string& val = lb.joined_;
  val.clear();
  for (size_t i = 0; i < c.source_labels.size(); ++i) {
    if (i) val.append(c.separator);
    val.append(lb.get(c.source_labels[i]));
  }
  const re2::RE2& re = *c.regex;
  switch (c.action) {
    case Action::kDrop:
      return !g.match(re, val, false);
    case Action::kKeep:
      return g.match(re, val, false);
    case Action::kDropEqual:
      return lb.get(c.target_label) != val;
    case Action::kKeepEqual:
      return lb.get(c.target_label) == val;
    case Action::kReplace: {
      const bool templated = has_dollar(c.target_label) || has_dollar(c.replacement);
      if (!g.match(re, val, templated)) break;
      std::string_view target = c.target_label, value = c.replacement;
      if (templated) {
        lb.target_.clear();
        expand(c.target_label, re, g.view(), &lb.target_);
        lb.value_.clear();
        expand(c.replacement, re, g.view(), &lb.value_);
        target = lb.target_;
        value = lb.value_;
      }
      if (o.legacy_label_names ? !is_legacy_label_name(target) : !valid_utf8_name(target)) break;
      lb.set(target, value);  // "" deletes
      break;
    }
    case Action::kLowercase:
    case Action::kUppercase:
      map_case(val, c.action == Action::kUppercase, &lb.value_);
      lb.set(c.target_label, lb.value_);
      break;
    case Action::kHashMod:
      lb.set(c.target_label, std::to_string(hash_mod(val, c.modulus)));
      break;
    case Action::kLabelMap: {
      // Read the set as it was before this rule: collect first, then set.
      size_t n = 0;
      for (const Label& l : lb.items_) {
        if (!g.match(re, l.name, true)) continue;
        if (n == lb.pending_.size()) lb.pending_.emplace_back();
        Label& p = lb.pending_[n++];
        p.name.clear();
        expand(c.replacement, re, g.view(), &p.name);
        p.value.assign(l.value);
      }
      for (size_t i = 0; i < n; ++i) lb.set(lb.pending_[i].name, lb.pending_[i].value);
      break;
    }
    case Action::kLabelDrop:
      lb.erase_if([&](const Label& l) { return g.match(re, l.name, false); });
      break;
    case Action::kLabelKeep:
      lb.erase_if([&](const Label& l) { return !g.match(re, l.name, false); });
      break;
  }
  return true;
}

bool process(LabelsBuilder& lb, std::span<const Config> rules, const Options& opts) {
  Groups g(Processor::groups(lb));
  for (const Config& c : rules)
    if (!Processor::apply(c, lb, opts, g)) return false;
  return true;
}

std::optional<Labels> process(const Labels& in, std::span<const Config> rules, const Options& opts) {
  LabelsBuilder lb(in);
  if (!process(lb, rules, opts)) return std::nullopt;
  return lb.release();
}

// ---- building blocks ----

void expand(std::string_view tmpl, const re2::RE2& re, std::span<const std::string_view> groups,
            std::string* out) {
  auto append_group = [&](size_t i) {
    if (i < groups.size() && groups[i].data() != nullptr) out->append(groups[i]);
  };
  while (!tmpl.empty()) {
    size_t d = tmpl.find('$');
    if (d == std::string_view::npos) break;
    out->append(tmpl.substr(0, d));
    tmpl.remove_prefix(d + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {  // $$ is a literal $
      out->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    Ref ref;
    if (!extract(tmpl, &ref)) {  // malformed: the $ is text
      out->push_back('$');
      continue;
    }
    tmpl = ref.rest;
    if (ref.num >= 0) {
      append_group(size_t(ref.num));
    } else {
      const auto& names = re.NamedCapturingGroups();
      auto it = names.find(std::string(ref.name));
      if (it != names.end()) append_group(size_t(it->second));
    }
  }
  out->append(tmpl);
}

std::array<uint8_t, 16> md5(std::string_view data) {
  uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t n = data.size();
  size_t full = n / 64 * 64;
  for (size_t off = 0; off < full; off += 64) md5_block(p + off, h);
  // Padding: 0x80, zeros to 56 mod 64, then the bit length little-endian.
  uint8_t tail[128] = {};
  size_t rem = n - full;
  std::memcpy(tail, p + full, rem);
  tail[rem] = 0x80;
  size_t tail_len = rem + 1 + 8 <= 64 ? 64 : 128;
  uint64_t bits = uint64_t(n) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 8 + i] = uint8_t(bits >> (8 * i));
  for (size_t off = 0; off < tail_len; off += 64) md5_block(tail + off, h);
  std::array<uint8_t, 16> out;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = uint8_t(h[i] >> (8 * j));
  return out;
}

uint64_t hash_mod(std::string_view value, uint64_t modulus) {
  if (modulus == 0) return 0;
  std::array<uint8_t, 16> sum = md5(value);
  uint64_t x = 0;
  for (int i = 8; i < 16; ++i) x = (x << 8) | sum[i];
  return x % modulus;
}

void to_lower(std::string_view s, std::string* out) { map_case(s, false, out); }
void to_upper(std::string_view s, std::string* out) { map_case(s, true, out); }

bool is_legacy_label_name(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' ||
              (i > 0 && absl::ascii_isdigit(static_cast<unsigned char>(c)));
    if (!ok) return false;
  }
  return true;
}

}  // namespace strata::tsdb::relabel
