// The main() of the seed-replay tests (tests/fuzz/CMakeLists.txt): runs every
// file of the given directories (or the given files) through the harness's
// LLVMFuzzerTestOneInput once, as libFuzzer would, so an ordinary build
// checks that harness and seeds still work. A harness reports a broken
// invariant by aborting, so getting to the end is the test.
//
//   fuzz_<name>_replay [--vary-first-byte=N] DIR_OR_FILE...
//
// --vary-first-byte=N also runs each non-empty seed with its first byte set
// to 0..N-1, for harnesses whose first byte picks a mode.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void run(const std::string& input) {
  // A copy of exactly `size` bytes, so ASan sees reads past the end.
  std::vector<uint8_t> buf(input.begin(), input.end());
  LLVMFuzzerTestOneInput(buf.empty() ? nullptr : buf.data(), buf.size());
}

}  // namespace

int main(int argc, char** argv) {
  int vary = 0;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.starts_with("--vary-first-byte=")) {
      vary = std::atoi(argv[i] + a.find('=') + 1);
    } else if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(a))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (std::filesystem::is_regular_file(a)) {
      files.emplace_back(a);
    } else {
      std::fprintf(stderr, "no such file or directory: %s\n", argv[i]);
      return 2;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "no seeds\n");
    return 2;
  }
  size_t runs = 0;
  for (const auto& f : files) {
    std::string input = read_all(f);
    std::fprintf(stderr, "%s (%zu bytes)\n", f.c_str(), input.size());
    run(input);
    ++runs;
    for (int b = 0; b < vary && !input.empty(); ++b) {
      input[0] = char(b);
      run(input);
      ++runs;
    }
  }
  std::printf("%zu seeds, %zu runs: ok\n", files.size(), runs);
  return 0;
}
