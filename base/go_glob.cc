#include "base/go_glob.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>

#include "base/go_quote.h"

namespace strata {
namespace {

// One character of a class (filepath.Match's getEsc): not '-' or ']', a
// backslash escapes the next one, and it must be valid UTF-8 with more
// pattern after it (the class is still open). Sets *r to the character.
bool class_char(std::string_view p, size_t* i, int32_t* r) {
  if (*i >= p.size() || p[*i] == '-' || p[*i] == ']') return false;
  if (p[*i] == '\\' && ++*i >= p.size()) return false;
  const DecodedRune d = decode_rune(p.substr(*i));
  if (d.rune == kRuneError && d.width == 1) return false;
  *r = d.rune;
  *i += size_t(d.width);
  return *i < p.size();
}

// A class at p[*i] (just past '['), matched against rune `c`; false when the
// class is malformed, else *matched says whether c is in it.
bool match_class(std::string_view p, size_t* i, int32_t c, bool* matched) {
  bool negated = false, in = false;
  if (*i < p.size() && p[*i] == '^') negated = true, ++*i;
  for (int ranges = 0;; ++ranges) {
    if (ranges > 0 && *i < p.size() && p[*i] == ']') {
      ++*i;
      break;
    }
    int32_t lo, hi;
    if (!class_char(p, i, &lo)) return false;
    hi = lo;
    if (p[*i] == '-' && !class_char(p, &++*i, &hi)) return false;
    in = in || (lo <= c && c <= hi);
  }
  *matched = in != negated;
  return true;
}

// filepath.Match of a valid pattern against one path component: '*' any
// run of characters, '?' one, a class one of its set, '\x' x.
bool match(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size() || pi < p.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star_p = pi++, star_s = si;
      continue;
    }
    if (pi < p.size() && si < s.size()) {
      const DecodedRune r = decode_rune(s.substr(si));
      bool ok;
      size_t next = pi + 1;
      if (p[pi] == '?') {
        ok = true;
      } else if (p[pi] == '[') {
        match_class(p, &next, r.rune, &ok);
      } else {
        const size_t at = p[pi] == '\\' ? pi + 1 : pi;
        ok = p[at] == s[si];
        next = at + 1;
        if (ok) {  // a literal byte; the rest of a multi-byte rune follows as literals
          pi = next, ++si;
          continue;
        }
      }
      if (ok) {
        pi = next, si += size_t(r.width);
        continue;
      }
    }
    if (star_p == std::string_view::npos || star_s >= s.size()) return false;
    star_s += size_t(decode_rune(s.substr(star_s)).width);
    pi = star_p + 1, si = star_s;
  }
  return true;
}

bool has_meta(std::string_view p) { return p.find_first_of("*?[\\") != std::string_view::npos; }

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The names in `dir` matching `pattern`, sorted, appended as dir/name.
void glob_in(const std::string& dir, std::string_view pattern, const std::string& prefix,
             std::vector<std::string>* out) {
  if (!is_dir(dir)) return;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;  // unreadable: no matches, as Go
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view n = e->d_name;
    if (n != "." && n != ".." && match(pattern, n)) names.emplace_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) out->push_back(prefix + n);
}

void glob(const std::string& pattern, std::vector<std::string>* out) {
  if (!has_meta(pattern)) {
    struct stat st;
    if (::lstat(pattern.c_str(), &st) == 0) out->push_back(pattern);
    return;
  }
  const size_t slash = pattern.rfind('/');
  if (slash == std::string::npos) return glob_in(".", pattern, "", out);
  const std::string dir = slash == 0 ? "/" : pattern.substr(0, slash);
  const std::string_view file = std::string_view(pattern).substr(slash + 1);
  std::vector<std::string> dirs;
  if (has_meta(dir)) {
    glob(dir, &dirs);
  } else {
    dirs.push_back(dir);
  }
  for (const auto& d : dirs) glob_in(d, file, d == "/" ? "/" : d + "/", out);
}

}  // namespace

bool go_glob_pattern_valid(std::string_view p) {
  for (size_t i = 0; i < p.size();) {
    if (p[i] == '\\') {
      if (i + 1 >= p.size()) return false;
      i += 2;
    } else if (p[i] == '[') {
      bool unused;
      if (!match_class(p, &++i, 0, &unused)) return false;
    } else {
      ++i;
    }
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> go_glob(const std::string& pattern) {
  if (!go_glob_pattern_valid(pattern)) return absl::InvalidArgumentError(kGoBadPattern);
  std::vector<std::string> out;
  glob(pattern, &out);
  return out;
}

}  // namespace strata
