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
        if (!match_class(p, &next, r.rune, &ok)) return false;  // malformed: Go errors
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
    ++star_s;  // byte by byte, as Go's '*' retries (a class may then match mid-rune)
    pi = star_p + 1, si = star_s;
  }
  return true;
}

bool has_meta(std::string_view p) { return p.find_first_of("*?[\\") != std::string_view::npos; }

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The names in `dir` matching `pattern`, sorted, appended joined to dir;
// false (Go's ErrBadPattern) when the pattern is malformed and there was a
// name to match it against.
bool glob_in(const std::string& dir, std::string_view pattern, std::vector<std::string>* out) {
  if (!is_dir(dir)) return true;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return true;  // unreadable: no matches, as Go
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(d);
  if (!names.empty() && !go_glob_pattern_valid(pattern)) return false;
  std::sort(names.begin(), names.end());
  for (const auto& n : names)
    if (match(pattern, n)) out->push_back(go_join_path(dir, n));
  return true;
}

// Go's Glob: false when a part of the pattern is malformed.
bool glob(const std::string& pattern, std::vector<std::string>* out) {
  if (!go_glob_pattern_valid(pattern)) return false;
  if (!has_meta(pattern)) {
    struct stat st;
    if (::lstat(pattern.c_str(), &st) == 0) out->push_back(pattern);
    return true;
  }
  // Split after the last '/', then drop that '/' unless it is the root.
  const size_t slash = pattern.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0              ? "/"
                                                    : pattern.substr(0, slash);
  const std::string_view file =
      slash == std::string::npos ? std::string_view(pattern) : std::string_view(pattern).substr(slash + 1);
  if (!has_meta(dir)) return glob_in(dir, file, out);
  std::vector<std::string> dirs;
  if (!glob(dir, &dirs)) return false;
  for (const auto& d : dirs)
    if (!glob_in(d, file, out)) return false;
  return true;
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
  std::vector<std::string> out;
  if (!glob(pattern, &out)) return absl::InvalidArgumentError(kGoBadPattern);
  return out;
}

std::string go_clean_path(std::string_view path) {
  const bool rooted = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;  // never "." or ""; ".." only leading
  for (size_t i = 0; i <= path.size();) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    const std::string_view part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
        continue;
      }
      if (rooted) continue;  // "/.." is "/"
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out.push_back('/');
    out.append(parts[k]);
  }
  return out.empty() ? "." : out;
}

std::string go_join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return name.empty() ? "" : go_clean_path(name);
  if (name.empty()) return go_clean_path(dir);
  return go_clean_path(std::string(dir) + "/" + std::string(name));
}

std::string go_join_dir(std::string_view dir, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return go_join_path(dir.empty() ? "." : dir, path);
}

}  // namespace strata
