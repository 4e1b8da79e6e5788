#include "tsdb/promblock/prom_block.h"

#include "base/status.h"
#include "tsdb/promblock/prom_tombstones.h"

namespace strata::tsdb::prom {

absl::StatusOr<std::shared_ptr<PromBlock>> PromBlock::open(FileSystem* fs,
                                                           const std::string& dir) {
  std::shared_ptr<PromBlock> b(new PromBlock());
  b->dir_ = dir;
  auto ctx = [&](const absl::Status& s) { return annotate(s, "cannot open Prometheus block " + dir); };
  auto meta = read_meta(fs, dir);
  if (!meta.ok()) return ctx(annotate(meta.status(), "reading meta.json"));
  b->meta_ = *std::move(meta);
  if (b->meta_.version != 1) {
    return ctx(absl::UnimplementedError("meta.json version " + std::to_string(b->meta_.version) +
                                        " is not supported"));
  }
  auto index = PromIndex::open(fs, join_path(dir, kIndexFileName));
  if (!index.ok()) return ctx(index.status());
  b->index_ = *std::move(index);
  auto chunks = PromChunks::open(fs, join_path(dir, kChunksDirName));
  if (!chunks.ok()) return ctx(chunks.status());
  b->chunks_ = *std::move(chunks);
  auto tomb = read_prom_tombstones(fs, join_path(dir, kTombstonesFileName));
  if (!tomb.ok()) return ctx(tomb.status());
  b->tombstones_ = *std::move(tomb);
  return b;
}

}  // namespace strata::tsdb::prom
