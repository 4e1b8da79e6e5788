#include "tsdb/wal/checkpoint.h"

#include <gtest/gtest.h>

#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/wal/codec.h"
#include "tsdb/wal/reader.h"
#include "tsdb/wal/writer.h"

namespace strata::tsdb {
namespace {

using testing::TempDir;

void write_series(WalWriter* w, uint64_t ref, const std::string& name) {
  WalBatch b;
  std::string p;
  encode_series_count(1, &p);
  encode_series_entry(ref, Labels::from_strings({"__name__", name}), &p);
  b.add(WalRecordType::kSeries, p);
  ASSERT_TRUE(w->write(b).ok());
}

void write_samples(WalWriter* w, std::vector<WalSample> s) {
  WalBatch b;
  encode_samples(s, b.begin());
  b.end(WalRecordType::kSamples);
  ASSERT_TRUE(w->write(b).ok());
}

TEST(CheckpointTest, KeepsLiveSeriesAndRecentDataInOrder) {
  TempDir d;
  FileSystem* fs = posix_file_system();
  metrics::Registry reg;
  WalOptions o;
  o.sync = WalSyncPolicy::kNever;
  auto w = WalWriter::open(fs, d.path(), o, &reg);
  ASSERT_TRUE(w.ok());
  write_series(w->get(), 1, "live");
  write_series(w->get(), 2, "dead");
  write_samples(w->get(), {{1, 100, 1}, {2, 100, 2}, {1, 200, 3}, {2, 200, 4}});
  {
    WalBatch b;
    std::string p;
    std::vector<WalTombstone> ts = {{1, 0, 150}, {1, 0, 250}, {2, 0, 300}};
    encode_tombstones(ts, &p);
    b.add(WalRecordType::kTombstones, p);
    ASSERT_TRUE((*w)->write(b).ok());
  }
  write_samples(w->get(), {{1, 300, 5}});
  auto last = (*w)->roll();
  ASSERT_TRUE(last.ok());
  write_samples(w->get(), {{1, 400, 6}});  // after the checkpointed range

  CheckpointOptions co;
  co.keep_series = [](uint64_t ref) { return ref == 1; };
  co.mint_ms = 200;
  co.metadata = {{"live", {"gauge", "h", ""}}};
  auto st = write_checkpoint(fs, d.path(), *last, co);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->series_kept, 1u);
  EXPECT_EQ(st->series_dropped, 1u);
  EXPECT_EQ(st->samples_kept, 2u);
  EXPECT_EQ(st->tombstones_kept, 1u);
  EXPECT_FALSE(fs->exists(d.path() + "/00000000"));
  EXPECT_TRUE(fs->exists(d.path() + "/00000001"));
  auto found = find_checkpoint(fs, d.path());
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(**found, 0u);

  // series(1), samples(1@200), tombstone(1: 0..250), samples(1@300), metadata.
  auto r = WalReader::open(fs, d.path() + "/" + checkpoint_dir_name(0));
  std::vector<std::string> kinds;
  std::vector<int64_t> ts;
  WalFrame f;
  while ((*r)->next(&f)) {
    kinds.push_back(wal_record_type_name(f.type));
    if (f.type == WalRecordType::kSamples) {
      std::vector<WalSample> s;
      ASSERT_TRUE(decode_samples(f.payload, &s));
      for (auto& x : s) ts.push_back(x.t_ms);
    }
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"series", "samples", "tombstones", "samples", "metadata"}));
  EXPECT_EQ(ts, (std::vector<int64_t>{200, 300}));

  // The next checkpoint folds the previous one in and deletes it.
  auto last2 = (*w)->roll();
  co.mint_ms = 0;
  st = write_checkpoint(fs, d.path(), *last2, co);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->samples_kept, 3u);
  EXPECT_FALSE(fs->exists(d.path() + "/" + checkpoint_dir_name(0)));
  EXPECT_TRUE(fs->exists(d.path() + "/" + checkpoint_dir_name(*last2)));
}

TEST(CheckpointTest, LeftoverTemporaryDirectoryIsRemoved) {
  TempDir d;
  FileSystem* fs = posix_file_system();
  ASSERT_TRUE(fs->mkdirs(d.path() + "/checkpoint.00000004.tmp").ok());
  ASSERT_TRUE(fs->mkdirs(d.path() + "/checkpoint.00000002").ok());
  auto found = find_checkpoint(fs, d.path());
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(**found, 2u);
  EXPECT_FALSE(fs->exists(d.path() + "/checkpoint.00000004.tmp"));
}

}  // namespace
}  // namespace strata::tsdb
