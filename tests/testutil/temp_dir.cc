#include "tests/testutil/temp_dir.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

namespace strata::testutil {

std::string make_temp_dir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) return "";
  return buf.data();
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  if (!path.empty()) std::filesystem::remove_all(path, ec);
}

TempDir::TempDir(const std::string& prefix) : path_(make_temp_dir(prefix)) {
  const char* keep = std::getenv("STRATA_TEST_KEEP_TMP");
  keep_ = keep && *keep && std::string(keep) != "0";
}

TempDir::~TempDir() {
  if (!keep_) {
    remove_tree(path_);
  } else if (!path_.empty()) {
    std::fprintf(stderr, "testutil: kept %s\n", path_.c_str());
  }
}

}  // namespace strata::testutil
