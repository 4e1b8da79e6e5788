// The reader on corrupt Prometheus blocks: random byte flips and truncations
// of a real block's index, chunk segment and tombstones files must give an
// error or valid data — never a crash, a hang or an out-of-bounds read.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "tests/testutil/prom_blocks.h"
#include "tests/testutil/strata.h"
#include "tests/testutil/temp_dir.h"
#include "tests/tsdb/promblock/prom_test_util.h"
#include "tsdb/promblock/prom_dir.h"

namespace strata::tsdb::prom {
namespace {

namespace fs = std::filesystem;

// Opens `dir` and reads every sample; the status of the first failure.
absl::Status read_everything(const std::string& dir, int64_t mint, int64_t maxt) {
  STRATA_ASSIGN_OR_RETURN(auto d, PromDir::open(posix_file_system(), dir));
  STRATA_ASSIGN_OR_RETURN(auto got, read_samples(*d, mint, maxt));
  STRATA_ASSIGN_OR_RETURN(auto q, d->querier(mint, maxt));
  STRATA_RETURN_IF_ERROR(q->label_values("job", {}, 0).status());
  return absl::OkStatus();
}

TEST(PromCorruptTest, FlippedAndTruncatedFilesGiveErrorsNotCrashes) {
  if (!testutil::prometheus_installed())
    GTEST_SKIP() << testutil::kPrometheusBinary << " is not installed (Debian package prometheus)";
  testutil::TempDir tmp("prom_corrupt");
  testutil::PromBlocksSpec spec;
  spec.series = 40;  // small files: more of each is hit per mutation
  auto b = testutil::make_prom_blocks(tmp.path() + "/snapshot", spec);
  ASSERT_TRUE(b.ok()) << b.status();
  b->prometheus.reset();
  auto d = PromDir::open(posix_file_system(), b->snapshot_dir);
  ASSERT_TRUE(d.ok()) << d.status();
  // The block with the tombstone, so all three files are exercised.
  std::string block;
  for (const auto& x : (*d)->blocks()) {
    if (!x->tombstones().empty()) block = fs::path(x->dir()).filename();
  }
  ASSERT_FALSE(block.empty());
  const std::vector<std::string> files = {"index", "chunks/000001", "tombstones", "meta.json"};

  std::mt19937_64 rng(20240601);
  const std::string work = tmp.path() + "/work";
  int errors = 0, ok = 0;
  for (int iter = 0; iter < 300; ++iter) {
    fs::remove_all(work);
    fs::create_directories(work);
    fs::copy(b->snapshot_dir + "/" + block, work + "/" + block, fs::copy_options::recursive);
    const std::string file = work + "/" + block + "/" + files[iter % files.size()];
    std::string data = read_file_bytes(file);
    ASSERT_FALSE(data.empty());
    SCOPED_TRACE(file + " iteration " + std::to_string(iter));
    if (rng() % 4 == 0) {
      data.resize(rng() % data.size());
    } else {
      const int flips = 1 + int(rng() % 8);
      for (int i = 0; i < flips; ++i) data[rng() % data.size()] ^= char(1 + rng() % 255);
    }
    write_file_bytes(file, data);
    absl::Status s = read_everything(work, b->mint_ms, b->maxt_ms);
    s.ok() ? ++ok : ++errors;
  }
  // Most mutations hit a checksummed byte; none may crash.
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace strata::tsdb::prom
