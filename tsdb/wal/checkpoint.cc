#include "tsdb/wal/checkpoint.h"

#include <cstdio>
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "base/coding.h"
#include "base/status.h"
#include "tsdb/wal/codec.h"
#include "tsdb/wal/reader.h"
#include "tsdb/wal/record.h"
#include "tsdb/wal/segment.h"

namespace strata::tsdb {
namespace {

constexpr std::string_view kPrefix = "checkpoint.";
// Records of about this many entries keep replay batches large and records
// far below the segment size.
constexpr size_t kSamplesPerRecord = 16384;
constexpr size_t kSeriesPerRecord = 4096;

// Writes framed records into numbered segment files of one directory.
class CheckpointOutput {
 public:
  CheckpointOutput(FileSystem* fs, std::string dir, uint64_t segment_bytes)
      : fs_(fs), dir_(std::move(dir)), segment_bytes_(segment_bytes) {}

  absl::Status add(WalRecordType type, std::string_view payload) {
    batch_.clear();
    batch_.add(type, payload);
    if (file_ && file_->size() > 0 && file_->size() + batch_.bytes().size() > segment_bytes_) {
      STRATA_RETURN_IF_ERROR(file_->close());
      file_.reset();
    }
    if (!file_) {
      STRATA_ASSIGN_OR_RETURN(file_, SegmentFile::create(fs_, dir_, next_index_++));
    }
    bytes_ += batch_.bytes().size();
    return file_->write(batch_.bytes());
  }
  // fsyncs and closes the last file (earlier ones were closed, hence synced).
  absl::Status close() { return file_ ? file_->close() : absl::OkStatus(); }
  uint64_t bytes() const { return bytes_; }

 private:
  FileSystem* fs_;
  std::string dir_;
  uint64_t segment_bytes_;
  std::unique_ptr<SegmentFile> file_;
  uint32_t next_index_ = 0;
  uint64_t bytes_ = 0;
  WalBatch batch_;
};

// Filters the records of the inputs into the output, keeping the order of
// series before the samples that use them and of samples before the
// tombstones that follow them.
class CheckpointBuilder {
 public:
  CheckpointBuilder(const CheckpointOptions& opts, CheckpointOutput* out, CheckpointStats* st)
      : opts_(opts), out_(out), st_(st) {}

  absl::Status consume(WalReader* r) {
    WalFrame f;
    while (r->next(&f)) {
      if (opts_.stop && opts_.stop->load(std::memory_order_relaxed))
        return absl::CancelledError("checkpoint abandoned: storage is shutting down");
      switch (f.type) {
        case WalRecordType::kSeries: {
          SeriesRecordReader sr(f.payload);
          uint64_t ref;
          while (sr.next(&ref, &labels_)) {
            if (!opts_.keep_series(ref)) {
              ++st_->series_dropped;
              continue;
            }
            if (!written_.insert(ref).second) continue;
            encode_series_entry(ref, labels_, &series_body_);
            ++series_n_;
            ++st_->series_kept;
          }
          if (!sr.ok()) {
            r->mark_damaged("malformed series record");
            break;
          }
          if (series_n_ >= kSeriesPerRecord) STRATA_RETURN_IF_ERROR(flush_series());
          break;
        }
        case WalRecordType::kSamples: {
          scratch_.clear();
          if (!decode_samples(f.payload, &scratch_)) {
            r->mark_damaged("malformed samples record");
            break;
          }
          for (const WalSample& s : scratch_) {
            if (s.t_ms < opts_.mint_ms || !opts_.keep_series(s.ref)) {
              ++st_->samples_dropped;
              continue;
            }
            samples_.push_back(s);
          }
          if (samples_.size() >= kSamplesPerRecord) STRATA_RETURN_IF_ERROR(flush_samples());
          break;
        }
        case WalRecordType::kTombstones: {
          tombs_.clear();
          if (!decode_tombstones(f.payload, &tombs_)) {
            r->mark_damaged("malformed tombstones record");
            break;
          }
          std::vector<WalTombstone> keep;
          for (const WalTombstone& t : tombs_)
            if (t.maxt_ms >= opts_.mint_ms && opts_.keep_series(t.ref)) keep.push_back(t);
          if (keep.empty()) break;
          STRATA_RETURN_IF_ERROR(flush_samples());
          payload_.clear();
          encode_tombstones(keep, &payload_);
          STRATA_RETURN_IF_ERROR(out_->add(WalRecordType::kTombstones, payload_));
          st_->tombstones_kept += keep.size();
          break;
        }
        case WalRecordType::kMetadata:
          break;  // replaced by the head's current metadata
      }
    }
    if (auto& d = r->damage()) {
      st_->damage.push_back(join_path(d->dir, wal_segment_name(d->segment)) + " at offset " +
                            std::to_string(d->offset) + ": " + d->reason);
    }
    return r->status();
  }

  absl::Status finish() {
    STRATA_RETURN_IF_ERROR(flush_samples());
    for (size_t i = 0; i < opts_.metadata.size(); i += 1024) {
      std::vector<std::pair<std::string, MetricMetadata>> part(
          opts_.metadata.begin() + i,
          opts_.metadata.begin() + std::min(opts_.metadata.size(), i + 1024));
      payload_.clear();
      encode_metadata(part, &payload_);
      STRATA_RETURN_IF_ERROR(out_->add(WalRecordType::kMetadata, payload_));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status flush_series() {
    if (series_n_ == 0) return absl::OkStatus();
    payload_.clear();
    encode_series_count(series_n_, &payload_);
    payload_.append(series_body_);
    series_body_.clear();
    series_n_ = 0;
    return out_->add(WalRecordType::kSeries, payload_);
  }
  absl::Status flush_samples() {
    STRATA_RETURN_IF_ERROR(flush_series());
    if (samples_.empty()) return absl::OkStatus();
    payload_.clear();
    encode_samples(samples_, &payload_);
    st_->samples_kept += samples_.size();
    samples_.clear();
    return out_->add(WalRecordType::kSamples, payload_);
  }

  const CheckpointOptions& opts_;
  CheckpointOutput* out_;
  CheckpointStats* st_;
  absl::flat_hash_set<uint64_t> written_;
  std::vector<LabelView> labels_;
  std::string series_body_;
  uint64_t series_n_ = 0;
  std::vector<WalSample> scratch_, samples_;
  std::vector<WalTombstone> tombs_;
  std::string payload_;
};

}  // namespace

std::string checkpoint_dir_name(uint32_t last_segment) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "checkpoint.%08u", last_segment);
  return buf;
}

bool parse_checkpoint_dir_name(std::string_view name, uint32_t* last_segment) {
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  return parse_wal_segment_name(name.substr(kPrefix.size()), last_segment);
}

absl::StatusOr<std::optional<uint32_t>> find_checkpoint(FileSystem* fs,
                                                        const std::string& wal_dir) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->list_dir(wal_dir));
  std::optional<uint32_t> best;
  for (const std::string& n : names) {
    uint32_t i;
    if (parse_checkpoint_dir_name(n, &i)) {
      if (!best || i > *best) best = i;
    } else if (n.substr(0, kPrefix.size()) == kPrefix && n.size() > 4 &&
               n.substr(n.size() - 4) == ".tmp") {
      // An interrupted checkpoint write: the segments it was built from are
      // still there.
      STRATA_RETURN_IF_ERROR(fs->remove_all(join_path(wal_dir, n)));
    }
  }
  return best;
}

absl::StatusOr<CheckpointStats> write_checkpoint(FileSystem* fs, const std::string& wal_dir,
                                                 uint32_t last_segment,
                                                 const CheckpointOptions& opts) {
  CheckpointStats st;
  STRATA_ASSIGN_OR_RETURN(std::optional<uint32_t> prev, find_checkpoint(fs, wal_dir));
  if (prev && *prev >= last_segment)
    return absl::FailedPreconditionError("checkpoint " + checkpoint_dir_name(*prev) +
                                         " already covers segment " +
                                         wal_segment_name(last_segment));
  std::string final_dir = join_path(wal_dir, checkpoint_dir_name(last_segment));
  std::string tmp = final_dir + ".tmp";
  STRATA_RETURN_IF_ERROR(fs->remove_all(tmp));
  // Written into tmp and renamed; on failure (a full disk) tmp is removed at
  // once rather than at the next attempt, to give the space back.
  absl::Status built = [&]() -> absl::Status {
    STRATA_RETURN_IF_ERROR(fs->mkdirs(tmp));
    CheckpointOutput out(fs, tmp, opts.segment_bytes);
    CheckpointBuilder b(opts, &out, &st);
    if (prev) {
      STRATA_ASSIGN_OR_RETURN(auto r,
                              WalReader::open(fs, join_path(wal_dir, checkpoint_dir_name(*prev))));
      STRATA_RETURN_IF_ERROR(b.consume(r.get()));
    }
    {
      STRATA_ASSIGN_OR_RETURN(auto r,
                              WalReader::open(fs, wal_dir, prev ? *prev + 1 : 0, last_segment));
      STRATA_RETURN_IF_ERROR(b.consume(r.get()));
    }
    STRATA_RETURN_IF_ERROR(b.finish());
    STRATA_RETURN_IF_ERROR(out.close());
    st.bytes = out.bytes();
    STRATA_RETURN_IF_ERROR(fs->sync_dir(tmp));
    return fs->rename(tmp, final_dir);
  }();
  if (!built.ok()) {
    (void)fs->remove_all(tmp);
    return built;
  }
  STRATA_RETURN_IF_ERROR(fs->sync_dir(wal_dir));
  // The checkpoint now stands for everything up to last_segment. A crash
  // from here on leaves files that replay and the next checkpoint ignore.
  STRATA_ASSIGN_OR_RETURN(std::vector<uint32_t> segs, list_wal_segments(fs, wal_dir));
  for (uint32_t s : segs)
    if (s <= last_segment)
      STRATA_RETURN_IF_ERROR(fs->remove(join_path(wal_dir, wal_segment_name(s))));
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->list_dir(wal_dir));
  for (const std::string& n : names) {
    uint32_t i;
    if (parse_checkpoint_dir_name(n, &i) && i < last_segment)
      STRATA_RETURN_IF_ERROR(fs->remove_all(join_path(wal_dir, n)));
  }
  return st;
}

}  // namespace strata::tsdb
