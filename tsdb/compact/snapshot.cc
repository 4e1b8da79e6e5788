// BlockStore::snapshot: Prometheus' /api/v1/admin/tsdb/snapshot. Block files
// are immutable, so a snapshot is a directory of hard links to them (copies
// when the file system cannot link); the head is written as one more block.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <random>

#include "base/clock.h"
#include "base/status.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/compact/block_store.h"

namespace strata::tsdb {
namespace {

// A hard link on the POSIX file system; a copy otherwise (test file systems,
// or a link across devices).
absl::Status link_or_copy(FileSystem* fs, const std::string& from, const std::string& to) {
  if (fs == posix_file_system() && ::link(from.c_str(), to.c_str()) == 0) return absl::OkStatus();
  STRATA_ASSIGN_OR_RETURN(std::string data, fs->read_file(from));
  STRATA_ASSIGN_OR_RETURN(auto f, fs->open_writable(to));
  STRATA_RETURN_IF_ERROR(f->append(data));
  STRATA_RETURN_IF_ERROR(f->sync());
  return f->close();
}

absl::Status link_tree(FileSystem* fs, const std::string& from, const std::string& to) {
  STRATA_RETURN_IF_ERROR(fs->mkdirs(to));
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->list_dir(from));
  for (const std::string& n : names) {
    std::string src = join_path(from, n), dst = join_path(to, n);
    auto sub = fs->list_dir(src);
    if (sub.ok()) {
      STRATA_RETURN_IF_ERROR(link_tree(fs, src, dst));
    } else {
      STRATA_RETURN_IF_ERROR(link_or_copy(fs, src, dst));
    }
  }
  return fs->sync_dir(to);
}

std::string snapshot_name() {
  std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y%m%dT%H%M%SZ", &tm);
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(rng()));
  return std::string(ts) + "-" + hex;
}

}  // namespace

absl::StatusOr<std::string> BlockStore::snapshot(Querier* head, int64_t head_mint_ms,
                                                 int64_t head_maxt_ms) {
  std::lock_guard<std::mutex> lock(write_mu_);
  std::string name = snapshot_name();
  std::string dir = join_path(join_path(dir_, "snapshots"), name);
  auto fail = [&](const absl::Status& s) {
    (void)fs_->remove_all(dir);
    return annotate(s, "snapshot " + name);
  };
  if (auto s = fs_->mkdirs(dir); !s.ok()) return fail(s);
  for (const auto& b : blocks()) {
    if (auto s = link_tree(fs_, b->dir(), join_path(dir, b->meta().ulid)); !s.ok()) return fail(s);
    // Tombstones change in place: the snapshot gets a copy of the current set.
    std::string t = join_path(join_path(dir, b->meta().ulid), kTombstonesFileName);
    (void)fs_->remove(t);
    if (auto s = b->tombstones()->write(fs_, t); !s.ok()) return fail(s);
  }
  if (head && head_maxt_ms >= head_mint_ms) {
    BlockWriterOptions opts;
    opts.compress_chunks = opts_.compress_chunks;
    auto meta = write_block_from_querier(fs_, dir, head, head_mint_ms, head_maxt_ms + 1, opts);
    if (!meta.ok()) return fail(meta.status());
  }
  if (auto s = fs_->sync_dir(dir); !s.ok()) return fail(s);
  return name;
}

}  // namespace strata::tsdb
