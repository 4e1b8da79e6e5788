// The head's write-ahead log: logging commits, replay at open, checkpoints.
#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/status.h"
#include "tsdb/head/head.h"
#include "tsdb/wal/records.h"

namespace strata::tsdb {
namespace {

constexpr const char* kCheckpointPrefix = "checkpoint.";

// "checkpoint.00000012" -> 12; nullopt for anything else (incl. ".tmp").
std::optional<uint32_t> checkpoint_index(const std::string& name) {
  if (name.rfind(kCheckpointPrefix, 0) != 0) return std::nullopt;
  std::string num = name.substr(std::strlen(kCheckpointPrefix));
  if (num.size() != 8 || num.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return uint32_t(std::stoul(num));
}

std::string checkpoint_name(uint32_t index) { return kCheckpointPrefix + wal_segment_name(index); }

}  // namespace

absl::StatusOr<std::unique_ptr<Head>> Head::open(HeadOptions opts, metrics::Registry* registry) {
  auto head = std::make_unique<Head>(std::move(opts), registry);
  if (head->opts_.dir.empty()) return head;
  FileSystem* fs = head->opts_.fs;
  if (auto s = fs->mkdirs(join_path(head->opts_.dir, "wal")); !s.ok()) return s;
  double t0 = monotonic_seconds();
  if (auto s = head->replay(); !s.ok()) return annotate(s, "replaying WAL");
  log::info("tsdb", "WAL replay completed",
            {{"series", head->stats().num_series},
             {"duration", std::to_string(monotonic_seconds() - t0) + "s"}});
  auto w = WalWriter::open(fs, join_path(head->opts_.dir, "wal"), head->opts_.wal, registry);
  if (!w.ok()) return w.status();
  head->wal_ = std::move(*w);
  return head;
}

absl::Status Head::log_commit(std::vector<PendingSample>& samples,
                              const std::vector<std::pair<std::string, MetricMetadata>>& metadata) {
  std::lock_guard<std::mutex> lock(wal_mu_);
  // Truncation (which takes wal_mu_ too) may have removed a series after the
  // appender looked it up: append to its successor instead.
  for (PendingSample& p : samples) {
    bool dead;
    {
      std::lock_guard<std::mutex> sl(series_lock(p.s->id));
      dead = p.s->dead;
    }
    if (dead) p.s = get_or_create(labels_of(*p.s));
  }
  if (wal_) {
    std::vector<WalSeries> new_series;
    std::vector<WalSample> ws;
    ws.reserve(samples.size());
    for (const PendingSample& p : samples) {
      if (!p.s->logged) {
        new_series.push_back({p.s->id, labels_of(*p.s)});
        p.s->logged = true;  // reset below if the write fails
      }
      ws.push_back({p.s->id, p.t, p.v});
    }
    std::vector<std::pair<WalRecordType, std::string>> records;
    if (!new_series.empty()) {
      records.emplace_back(WalRecordType::kSeries, std::string());
      encode_series(new_series, &records.back().second);
    }
    if (!ws.empty()) {
      records.emplace_back(WalRecordType::kSamples, std::string());
      encode_samples(ws, &records.back().second);
    }
    if (!metadata.empty()) {
      std::vector<WalMetadata> md;
      for (const auto& [f, m] : metadata) md.push_back({f, m});
      records.emplace_back(WalRecordType::kMetadata, std::string());
      encode_metadata(md, &records.back().second);
    }
    if (!records.empty()) {
      if (auto s = wal_->log(records); !s.ok()) {
        for (const WalSeries& ns : new_series) by_id(uint32_t(ns.ref))->logged = false;
        return annotate(s, "writing WAL");
      }
    }
  }
  for (const PendingSample& p : samples) p.s->pending.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

absl::Status Head::replay() {
  FileSystem* fs = opts_.fs;
  const std::string& dir = opts_.dir;
  auto names = fs->list_dir(dir);
  if (!names.ok()) return names.status();
  std::optional<uint32_t> cp;
  for (const std::string& n : *names) {
    if (n.rfind(kCheckpointPrefix, 0) == 0 && n.size() > 4 && n.substr(n.size() - 4) == ".tmp") {
      (void)fs->remove_all(join_path(dir, n));  // an interrupted checkpoint
      continue;
    }
    if (auto i = checkpoint_index(n); i && (!cp || *i > *cp)) cp = i;
  }
  absl::flat_hash_map<uint64_t, MemSeries*> refs;
  uint64_t unknown_refs = 0;
  std::vector<WalSeries> series;
  std::vector<WalSample> samples;
  std::vector<WalChunk> chunks;
  std::vector<WalMetadata> md;
  auto handle = [&](WalRecordType type, std::string_view payload) -> absl::Status {
    switch (type) {
      case WalRecordType::kSeries: {
        series.clear();
        if (auto s = decode_series(payload, &series); !s.ok()) return s;
        for (WalSeries& ws : series) {
          if (ws.ref > UINT32_MAX) return absl::DataLossError("series ref out of range");
          MemSeries* existing = by_id(uint32_t(ws.ref));
          if (existing) {
            refs[ws.ref] = existing;
            continue;
          }
          refs[ws.ref] = get_or_create_impl(ws.labels, nullptr, uint32_t(ws.ref));
        }
        return absl::OkStatus();
      }
      case WalRecordType::kSamples: {
        samples.clear();
        if (auto s = decode_samples(payload, &samples); !s.ok()) return s;
        MemSeries* last = nullptr;
        uint64_t last_ref = UINT64_MAX;
        int64_t mint = INT64_MAX, maxt = INT64_MIN;
        for (const WalSample& x : samples) {
          if (x.ref != last_ref) {
            auto it = refs.find(x.ref);
            last = it == refs.end() ? nullptr : it->second;
            last_ref = x.ref;
          }
          if (!last) {
            ++unknown_refs;
            continue;
          }
          // Replay is single-threaded: nobody else touches the head yet.
          if (append_locked(last, x.t, x.v) == AppendErrorKind::kNone) {
            mint = std::min(mint, x.t);
            maxt = std::max(maxt, x.t);
          }
        }
        if (maxt >= mint) update_time_range(mint, maxt);
        return absl::OkStatus();
      }
      case WalRecordType::kChunks: {
        chunks.clear();
        if (auto s = decode_chunks(payload, &chunks); !s.ok()) return s;
        for (WalChunk& c : chunks) {
          auto it = refs.find(c.ref);
          if (it == refs.end()) {
            ++unknown_refs;
            continue;
          }
          MemSeries* s = it->second;
          XorIterator xi(c.data);
          int64_t last_t = INT64_MIN;
          uint64_t last_bits = 0;
          while (xi.next()) last_t = xi.t(), last_bits = xi.v_bits();
          if (!xi.ok() || last_t == INT64_MIN) return absl::DataLossError("corrupt chunk in checkpoint");
          s->sealed.push_back({c.mint, c.maxt, std::make_shared<const std::string>(std::move(c.data))});
          num_chunks_.fetch_add(1, std::memory_order_relaxed);
          if (last_t > s->last_t_ms) {
            s->last_t_ms = last_t;
            s->last_v_bits = last_bits;
          }
          update_time_range(c.mint, c.maxt);
        }
        return absl::OkStatus();
      }
      case WalRecordType::kMetadata: {
        md.clear();
        if (auto s = decode_metadata(payload, &md); !s.ok()) return s;
        for (const WalMetadata& m : md) metadata_.update(m.family, m.md);
        return absl::OkStatus();
      }
      case WalRecordType::kTombstones:
        return absl::OkStatus();
    }
    return absl::OkStatus();
  };
  WalDamage damage;
  if (cp) {
    std::string cpdir = join_path(dir, checkpoint_name(*cp));
    if (auto s = read_wal(fs, cpdir, 0, handle, &damage); !s.ok()) return s;
    if (!damage.reason.empty())
      return absl::DataLossError("checkpoint " + cpdir + " is damaged at segment " +
                                 std::to_string(damage.segment) + " offset " +
                                 std::to_string(damage.offset) + ": " + damage.reason);
  }
  std::string waldir = join_path(dir, "wal");
  uint32_t first = cp ? *cp + 1 : 0;
  if (auto s = read_wal(fs, waldir, first, handle, &damage); !s.ok()) return s;
  if (!damage.reason.empty()) {
    log::warn("tsdb", "WAL corruption, truncating",
              {{"segment", wal_segment_name(damage.segment)}, {"offset", damage.offset},
               {"reason", damage.reason}});
    registry_->counter("strata_tsdb_wal_corruptions_total", "WAL corruptions found during replay.").inc();
    if (auto s = repair_wal(fs, waldir, damage); !s.ok()) return annotate(s, "repairing WAL");
  }
  if (unknown_refs > 0)
    log::warn("tsdb", "WAL samples for unknown series were dropped", {{"samples", unknown_refs}});
  // Everything replayed is already in the log.
  uint32_t n = next_id_.load();
  for (uint32_t id = 0; id < n; ++id) {
    if (MemSeries* s = by_id(id)) s->logged = true;
  }
  // Old segments a previous checkpoint covered may still be around after a crash.
  if (cp) {
    auto segs = list_wal_segments(fs, waldir);
    if (segs.ok())
      for (uint32_t seg : *segs)
        if (seg <= *cp) (void)fs->remove(join_path(waldir, wal_segment_name(seg)));
  }
  return absl::OkStatus();
}

absl::Status Head::write_checkpoint(uint32_t last_segment, int64_t mint_ms) {
  FileSystem* fs = opts_.fs;
  const std::string& dir = opts_.dir;
  std::string final_dir = join_path(dir, checkpoint_name(last_segment));
  std::string tmp = final_dir + ".tmp";
  (void)fs->remove_all(tmp);
  WalOptions wo;
  wo.sync = WalSyncPolicy::kNever;  // one fsync at the end is enough
  wo.segment_bytes = opts_.wal.segment_bytes;
  metrics::Registry scratch;  // checkpoint writes do not count as WAL traffic
  auto w = WalWriter::open(fs, tmp, wo, &scratch);
  if (!w.ok()) return w.status();
  std::vector<WalSeries> series;
  std::vector<WalChunk> chunks;
  auto flush = [&]() -> absl::Status {
    std::vector<std::pair<WalRecordType, std::string>> recs;
    if (!series.empty()) {
      recs.emplace_back(WalRecordType::kSeries, std::string());
      encode_series(series, &recs.back().second);
    }
    if (!chunks.empty()) {
      recs.emplace_back(WalRecordType::kChunks, std::string());
      encode_chunks(chunks, &recs.back().second);
    }
    series.clear();
    chunks.clear();
    return recs.empty() ? absl::OkStatus() : (*w)->log(recs);
  };
  uint32_t n = next_id_.load();
  for (uint32_t id = 0; id < n; ++id) {
    MemSeries* s = by_id(id);
    if (!s) continue;
    {
      std::lock_guard<std::mutex> lock(series_lock(id));
      if (s->dead) continue;
      for (const SealedChunk& c : s->sealed) {
        if (c.maxt_ms >= mint_ms) chunks.push_back({id, c.mint_ms, c.maxt_ms, *c.data});
      }
      if (s->open && s->open_maxt_ms >= mint_ms)
        chunks.push_back({id, s->open_mint_ms, s->open_maxt_ms, s->open->bytes()});
    }
    series.push_back({id, labels_of(*s)});
    if (series.size() >= 1000) {
      if (auto st = flush(); !st.ok()) return st;
    }
  }
  if (auto st = flush(); !st.ok()) return st;
  std::vector<WalMetadata> md;
  for (auto& [family, entries] : metadata_.get("", 0, 0))
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) md.push_back({family, *it});
  if (!md.empty()) {
    std::string payload;
    encode_metadata(md, &payload);
    if (auto st = (*w)->log({{WalRecordType::kMetadata, std::move(payload)}}); !st.ok()) return st;
  }
  if (auto st = (*w)->close(); !st.ok()) return st;
  // Make the checkpoint durable before it replaces the segments it covers.
  auto segs = list_wal_segments(fs, tmp);
  if (segs.ok()) {
    for (uint32_t seg : *segs) {
      auto f = fs->open_writable(join_path(tmp, wal_segment_name(seg)), true);
      if (f.ok()) (void)(*f)->sync();
    }
  }
  if (auto st = fs->sync_dir(tmp); !st.ok()) return st;
  if (auto st = fs->rename(tmp, final_dir); !st.ok()) return st;
  if (auto st = fs->sync_dir(dir); !st.ok()) return st;
  // The checkpoint now stands for every segment up to last_segment.
  std::string waldir = join_path(dir, "wal");
  auto wsegs = list_wal_segments(fs, waldir);
  if (wsegs.ok())
    for (uint32_t seg : *wsegs)
      if (seg <= last_segment) (void)fs->remove(join_path(waldir, wal_segment_name(seg)));
  auto names = fs->list_dir(dir);
  if (names.ok())
    for (const std::string& nm : *names)
      if (auto i = checkpoint_index(nm); i && *i < last_segment) (void)fs->remove_all(join_path(dir, nm));
  return absl::OkStatus();
}

absl::Status Head::close() {
  if (!wal_) return absl::OkStatus();
  auto s = wal_->close();
  return s;
}

}  // namespace strata::tsdb
