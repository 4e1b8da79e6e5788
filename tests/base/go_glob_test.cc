// Go's filepath.Glob: its pattern syntax, checked whole, and what it matches.
#include "base/go_glob.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace strata {
namespace {

TEST(GoGlobTest, PatternSyntaxIsGos) {
  for (const char* ok : {"", "*", "a*b?", "[a-z]", "[^a]", "[ab]c", "\\*", "[\\]]", "[\\-]", "[a-b]x",
                         "rules/*.yml", "x]", "[日-本]", "a-b"}) {
    EXPECT_TRUE(go_glob_pattern_valid(ok)) << ok;
  }
  for (const char* bad : {"[", "a[", "[a", "[]", "[]a]", "[^]", "[-]", "[x-]", "[a-b-c]", "\\", "a\\",
                          "[\\", "[a-\\", "a/[b", "[\xff]", "*[z"}) {
    EXPECT_FALSE(go_glob_pattern_valid(bad)) << bad;
  }
}

TEST(GoGlobTest, MatchesLikeGo) {
  auto dir = std::filesystem::temp_directory_path() / ("go-glob-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "sub");
  for (const char* f : {"a.yml", "b.yml", ".hidden.yml", "c.json", "sub/d.yml"}) std::ofstream(dir / f) << "x";
  auto m = go_glob((dir / "*.yml").string());
  ASSERT_TRUE(m.ok());
  // '*' matches a leading dot in Go; the matches are sorted.
  EXPECT_EQ(*m, (std::vector<std::string>{(dir / ".hidden.yml").string(), (dir / "a.yml").string(),
                                          (dir / "b.yml").string()}));
  m = go_glob((dir / "*").string());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size(), 5u);  // never "." or ".."
  m = go_glob((dir / "nope" / "*.yml").string());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->empty());
  m = go_glob((dir / "a.yml").string());  // no pattern: the file if it exists
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size(), 1u);
  EXPECT_EQ(go_glob((dir / "[").string()).status().message(), "syntax error in pattern");
  std::filesystem::create_directories(dir / "m");
  for (const char* f : {"x1", "y2", "z3", "\xe6\x97\xa5\xe6\x9c\xac", "a*b", "ab", "aXXb", "\xe6\x97\xa5.y"})
    std::ofstream(dir / "m" / f) << "x";
  auto names = [&](const std::string& pattern) {
    std::vector<std::string> out;
    const auto matches = go_glob((dir / "m").string() + "/" + pattern);
    for (const auto& p : matches.value())
      out.push_back(std::filesystem::path(p).filename().string());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("[xy][0-9]"), (V{"x1", "y2"}));
  EXPECT_EQ(names("[^xy]?"), (V{"ab", "z3", "\xe6\x97\xa5\xe6\x9c\xac"}));  // '?' is one rune
  EXPECT_EQ(names("a\\*b"), (V{"a*b"}));
  EXPECT_EQ(names("a*b"), (V{"a*b", "aXXb", "ab"}));
  EXPECT_EQ(names("\xe6\x97\xa5?"), (V{"\xe6\x97\xa5\xe6\x9c\xac"}));
  EXPECT_EQ(go_glob((dir / "*" / "d.yml").string()).value(), (V{(dir / "sub" / "d.yml").string()}));
  // '*' retries byte by byte, as Go's does: a class can then match the
  // middle of a multi-byte rune (as a RuneError, which is not that rune).
  EXPECT_EQ(names("*[^\xe6\x97\xa5].y"), (V{"\xe6\x97\xa5.y"}));
  std::filesystem::remove_all(dir);
}

TEST(GoGlobTest, EveryDirectoryPartIsCheckedAsGoDoes) {
  auto dir = std::filesystem::temp_directory_path() / ("go-glob-parts-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "rules");
  std::ofstream(dir / "rules" / "a.yml") << "x";
  const std::string d = dir.string();
  // Valid as a whole, but the split at the last '/' leaves a directory part
  // ending inside a class or in a backslash: Go's Glob checks that part too.
  for (const std::string bad : {d + "/rules/[a/b]*.yml", d + "/rules\\/*.yml", d + "/[/]/*"}) {
    EXPECT_EQ(go_glob(bad).status().message(), "syntax error in pattern") << bad;
  }
  // Matches are joined as filepath.Join joins them: cleaned.
  using V = std::vector<std::string>;
  EXPECT_EQ(go_glob(d + "/rules//*.yml").value(), (V{d + "/rules/a.yml"}));
  EXPECT_EQ(go_glob(d + "/./rules/../rules/*.yml").value(), (V{d + "/rules/a.yml"}));
  std::filesystem::remove_all(dir);
}

TEST(GoGlobTest, CleanAndJoinAreGos) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "."},           {".", "."},       {"./a", "a"},        {"a/", "a"},     {"a//b", "a/b"},
      {"a/./b", "a/b"},    {"a/../b", "b"},  {"a/..", "."},       {"../a", "../a"}, {"../../a/..", "../.."},
      {"/", "/"},          {"/..", "/"},     {"/../a", "/a"},     {"//a//", "/a"}, {"a/b/../../..", ".."},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(go_clean_path(in), want) << in;
  EXPECT_EQ(go_join_path(".", "./rules/*.yml"), "rules/*.yml");
  EXPECT_EQ(go_join_path("/etc/prometheus", "../r.yml"), "/etc/r.yml");
  EXPECT_EQ(go_join_path("", "a/"), "a");
  EXPECT_EQ(go_join_path("dir", ""), "dir");
  EXPECT_EQ(go_join_path("", ""), "");
  // config.JoinDir: empty and absolute paths as they are.
  EXPECT_EQ(go_join_dir("", "a/./b"), "a/b");
  EXPECT_EQ(go_join_dir("/etc", "/x//y"), "/x//y");
  EXPECT_EQ(go_join_dir("d", ""), "");
}

}  // namespace
}  // namespace strata
