// Replays fuzz_seeds_otlp/ through the libFuzzer entry point of fuzz_otlp.cc
// (which aborts on any answer but 200/400/413), and the seeds with every
// mode byte, so a broken harness or seed shows in an ordinary build.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(FuzzOtlpSeedsTest, SeedsRunThroughTheHarness) {
  int seeds = 0;
  for (const auto& e : std::filesystem::directory_iterator(STRATA_OTLP_FUZZ_SEEDS)) {
    SCOPED_TRACE(e.path().string());
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string input = ss.str();
    ASSERT_FALSE(input.empty());
    for (int mode = 0; mode < 8; ++mode) {
      input[0] = char(mode);
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    }
    ++seeds;
  }
  EXPECT_GE(seeds, 4);
}

}  // namespace
