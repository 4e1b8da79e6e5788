#include "tsdb/block/meta.h"

#include <nlohmann/json.hpp>

#include <random>

#include "base/status.h"

namespace strata::tsdb {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

std::string meta_to_json(const BlockMeta& m) {
  nlohmann::ordered_json j;
  j["ulid"] = m.ulid;
  j["minTime"] = m.min_time_ms;
  j["maxTime"] = m.max_time_ms;
  j["stats"] = {{"numSamples", m.stats.num_samples},
                {"numSeries", m.stats.num_series},
                {"numChunks", m.stats.num_chunks}};
  if (m.stats.num_tombstones > 0) j["stats"]["numTombstones"] = m.stats.num_tombstones;
  nlohmann::ordered_json c;
  c["level"] = m.compaction.level;
  c["sources"] = m.compaction.sources;
  if (!m.compaction.parents.empty()) {
    c["parents"] = nlohmann::ordered_json::array();
    for (const auto& p : m.compaction.parents) {
      c["parents"].push_back({{"ulid", p.ulid}, {"minTime", p.min_time_ms}, {"maxTime", p.max_time_ms}});
    }
  }
  if (m.compaction.failed) c["failed"] = true;
  j["compaction"] = c;
  j["version"] = m.version;
  return j.dump(1, '\t') + "\n";
}

absl::StatusOr<BlockMeta> meta_from_json(std::string_view json) {
  try {
    auto j = nlohmann::json::parse(json);
    BlockMeta m;
    m.ulid = j.at("ulid").get<std::string>();
    m.min_time_ms = j.at("minTime").get<int64_t>();
    m.max_time_ms = j.at("maxTime").get<int64_t>();
    m.version = j.at("version").get<int>();
    if (m.version != kBlockMetaVersion) {
      return absl::FailedPreconditionError("unsupported block version " + std::to_string(m.version));
    }
    const auto& s = j.at("stats");
    m.stats.num_samples = s.at("numSamples").get<uint64_t>();
    m.stats.num_series = s.at("numSeries").get<uint64_t>();
    m.stats.num_chunks = s.at("numChunks").get<uint64_t>();
    m.stats.num_tombstones = s.value("numTombstones", uint64_t(0));
    {
      const auto* c = &j.at("compaction");
      m.compaction.level = c->at("level").get<int>();
      m.compaction.failed = c->value("failed", false);
      m.compaction.sources = c->at("sources").get<std::vector<std::string>>();
      if (auto p = c->find("parents"); p != c->end()) {
        for (const auto& e : *p) {
          m.compaction.parents.push_back({e.at("ulid").get<std::string>(), e.at("minTime").get<int64_t>(),
                                          e.at("maxTime").get<int64_t>()});
        }
      }
    }
    if (!is_ulid(m.ulid)) return absl::DataLossError("invalid ulid \"" + m.ulid + "\"");
    if (m.max_time_ms < m.min_time_ms) return absl::DataLossError("maxTime before minTime");
    return m;
  } catch (const std::exception& e) {
    return absl::DataLossError(std::string("invalid meta.json: ") + e.what());
  }
}

absl::Status write_meta(FileSystem* fs, const std::string& dir, const BlockMeta& m) {
  std::string tmp = join_path(dir, std::string(kMetaFileName) + ".tmp");
  STRATA_ASSIGN_OR_RETURN(auto f, fs->open_writable(tmp));
  STRATA_RETURN_IF_ERROR(f->append(meta_to_json(m)));
  STRATA_RETURN_IF_ERROR(f->sync());
  STRATA_RETURN_IF_ERROR(f->close());
  STRATA_RETURN_IF_ERROR(fs->rename(tmp, join_path(dir, kMetaFileName)));
  return fs->sync_dir(dir);
}

absl::StatusOr<BlockMeta> read_meta(FileSystem* fs, const std::string& dir) {
  auto data = fs->read_file(join_path(dir, kMetaFileName));
  if (!data.ok()) return annotate(data.status(), "reading meta.json");
  auto m = meta_from_json(*data);
  if (!m.ok()) return annotate(m.status(), "reading meta.json");
  return m;
}

std::string new_ulid(int64_t t_ms) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string out(26, '0');
  uint64_t t = uint64_t(t_ms) & ((1ull << 48) - 1);
  // 10 characters of time (50 bits, the top 2 always 0), 16 of randomness.
  for (int i = 9; i >= 0; --i) {
    out[i] = kCrockford[t & 31];
    t >>= 5;
  }
  uint64_t r1 = rng(), r2 = rng();
  for (int i = 10; i < 26; ++i) {
    uint64_t& r = i < 18 ? r1 : r2;
    out[i] = kCrockford[r & 31];
    r >>= 5;
  }
  return out;
}

bool is_ulid(std::string_view s) {
  if (s.size() != 26) return false;
  for (char c : s) {
    if (std::string_view(kCrockford).find(c) == std::string_view::npos) return false;
  }
  return s[0] <= '7';
}

}  // namespace strata::tsdb
