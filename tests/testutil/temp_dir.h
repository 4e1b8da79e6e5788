// Temporary directories for tests: created under $TMPDIR (or /tmp) and
// removed recursively when the TempDir goes away, unless
// STRATA_TEST_KEEP_TMP is set to something other than "0" (then the path is
// printed, to look at data and logs after a failure). Not thread-safe.
#pragma once

#include <string>

namespace strata::testutil {

// mkdtemp("<tmp>/<prefix>XXXXXX"); "" on failure.
std::string make_temp_dir(const std::string& prefix);
// rm -rf; ignores errors and empty paths.
void remove_tree(const std::string& path);

class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  bool ok() const { return !path_.empty(); }
  // Keep the directory after all (e.g. DIFFTEST_KEEP_TMP).
  void keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

}  // namespace strata::testutil
