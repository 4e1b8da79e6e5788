// libFuzzer target for WAL replay: arbitrary bytes as a head's WAL, opened
// with Head::open (the real replay: framing, checksums, the four payload
// decoders, applying records, cutting a damaged tail, starting a new
// segment) over an in-memory file system. Invariants: open() returns a head
// or an error Status, never crashes; a head that opened answers queries over
// everything it replayed (every series read to the end without error) and
// opens again from its own, repaired WAL with the same series count.
//
// Input layout: byte 0 picks the mode, the rest is the file's bytes.
//   mode & 1  checksums are recomputed before writing, record by record, so
//             that mutations reach the payload decoders instead of stopping
//             at "checksum mismatch"
//   mode & 2  the bytes are a checkpoint (wal/checkpoint.00000000/00000000)
//             followed by an empty segment 00000001, else segment 00000000
//   mode & 4  the bytes are also the head snapshot file (head_snapshot.h),
//             opened with snapshots on
//
// Seeds (seeds/): WAL segments written by the real WalWriter
// (make_seeds.py describes them).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "base/crc32c.h"
#include "base/log.h"
#include "base/metrics.h"
#include "tests/fuzz/mem_fs.h"
#include "tsdb/head/head.h"
#include "tsdb/head/head_snapshot.h"
#include "tsdb/labels/matcher.h"

namespace {

using namespace strata;

// Rewrites each whole record's CRC-32C (type byte + payload), as the writer
// would have (tsdb/docs/format/wal.md).
void fix_checksums(std::string& b) {
  size_t o = 0;
  while (b.size() - o >= 9) {
    uint32_t len;
    std::memcpy(&len, b.data() + o + 1, 4);
    if (len > b.size() - o - 9) break;
    uint32_t crc = crc32c_extend(0, b.data() + o, 1);
    crc = crc32c_extend(crc, b.data() + o + 9, len);
    std::memcpy(b.data() + o + 5, &crc, 4);
    o += 9 + size_t(len);
  }
}

// Every series of the head, with every sample read; the count of series.
size_t read_all(tsdb::Head& head) {
  auto q = head.querier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  auto m = tsdb::Matcher::make(tsdb::MatchType::kRegexMatch, "__name__", ".+");
  if (!m.ok()) abort();
  tsdb::SelectOptions so;
  so.sorted = true;
  auto set = q->select(so, tsdb::Matchers{*m});
  size_t n = 0;
  while (set->next()) {
    auto it = set->at().iterator();
    while (it.next()) {
    }
    if (!it.status().ok()) abort();  // replayed samples must read back
    ++n;
  }
  if (!set->status().ok()) abort();
  auto names = q->label_names({});
  if (names.ok())
    for (const auto& name : *names) (void)q->label_values(name, {});
  return n;
}

std::unique_ptr<tsdb::Head> open(fuzz::MemFs* fs, bool snapshot, metrics::Registry* reg) {
  tsdb::HeadOptions opts;
  opts.dir = "/db";
  opts.fs = fs;
  opts.replay_workers = 1;
  opts.max_exemplars = 64;  // the default 100k-entry ring costs more than the replay
  opts.stripes = 16;        // and so do the default 4096 lock stripes (two heads per input)
  opts.wal.sync = tsdb::WalSyncPolicy::kNever;
  opts.snapshot_on_shutdown = snapshot;
  auto h = tsdb::Head::open(opts, reg);
  if (!h.ok()) {
    if (h.status().message().empty()) abort();
    return nullptr;
  }
  return std::move(*h);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool once = [] {
    log::configure(log::Level::kError, log::Format::kLogfmt);
    return true;
  }();
  (void)once;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  if (mode & 1) fix_checksums(bytes);

  fuzz::MemFs fs;
  if (mode & 2) {
    fs.put("/db/wal/checkpoint.00000000/00000000", bytes);
    fs.put("/db/wal/00000001", "");
  } else {
    fs.put("/db/wal/00000000", bytes);
  }
  const bool snapshot = (mode & 4) != 0;
  if (snapshot) fs.put(std::string("/db/") + tsdb::kHeadSnapshotFile, bytes);

  metrics::Registry reg;
  auto head = open(&fs, snapshot, &reg);
  if (!head) return 0;
  const size_t series = read_all(*head);
  head.reset();  // closes the WAL (and, with snapshots on, writes one)

  // What replay kept (the damaged tail cut off) must open again, whole.
  metrics::Registry reg2;
  auto again = open(&fs, snapshot, &reg2);
  if (!again) {
    fprintf(stderr, "a replayed WAL does not open again\n");
    abort();
  }
  if (read_all(*again) != series) {
    fprintf(stderr, "reopening changed the series count\n");
    abort();
  }
  return 0;
}
