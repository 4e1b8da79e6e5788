#include "rules/dispatch/notification_log.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/status.h"

namespace strata::rules::dispatch {
namespace {

constexpr char kFile[] = "notifications.json";

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

bool parse_hex(const std::string& s, uint64_t* out) {
  if (s.size() != 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

bool parse_fps(const nlohmann::json& j, std::vector<uint64_t>* out) {
  if (!j.is_array()) return false;
  for (const auto& x : j) {
    uint64_t v;
    if (!x.is_string() || !parse_hex(x.get<std::string>(), &v)) return false;
    out->push_back(v);
  }
  std::sort(out->begin(), out->end());
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<NotificationLog>> NotificationLog::open(FileSystem* fs,
                                                                       const std::string& dir,
                                                                       int64_t retention_ms) {
  STRATA_RETURN_IF_ERROR(annotate(fs->mkdirs(dir), "creating notification log directory"));
  std::unique_ptr<NotificationLog> log(new NotificationLog(fs, dir, retention_ms));
  STRATA_RETURN_IF_ERROR(log->load());
  return log;
}

absl::Status NotificationLog::load() {
  const std::string path = join_path(dir_, kFile);
  if (!fs_->exists(path)) return absl::OkStatus();
  STRATA_ASSIGN_OR_RETURN(std::string text, fs_->read_file(path));
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  bool ok = j.is_object() && j.value("version", 0) == 1 && j.contains("entries") &&
            j["entries"].is_array();
  if (ok) {
    for (const auto& e : j["entries"]) {
      LogEntry le;
      if (!e.is_object() || !e.contains("key") || !e["key"].is_string() || !e.contains("at_ms") ||
          !e["at_ms"].is_number_integer() || !e.contains("expires_ms") ||
          !e["expires_ms"].is_number_integer() ||
          !parse_fps(e.value("firing", nlohmann::json()), &le.firing) ||
          !parse_fps(e.value("resolved", nlohmann::json()), &le.resolved)) {
        ok = false;
        break;
      }
      le.at_ms = e["at_ms"].get<int64_t>();
      le.expires_ms = e["expires_ms"].get<int64_t>();
      entries_[e["key"].get<std::string>()] = std::move(le);
      if (entries_.size() > kMaxEntries) {
        ok = false;
        break;
      }
    }
  }
  if (!ok) {
    entries_.clear();
    STRATA_RETURN_IF_ERROR(fs_->rename(path, path + ".corrupt"));
  }
  return absl::OkStatus();
}

const LogEntry* NotificationLog::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

absl::Status NotificationLog::record(const std::string& key, std::vector<uint64_t> firing,
                                     std::vector<uint64_t> resolved, int64_t now_ms) {
  std::sort(firing.begin(), firing.end());
  std::sort(resolved.begin(), resolved.end());
  entries_[key] = LogEntry{std::move(firing), std::move(resolved), now_ms, now_ms + retention_ms_};
  while (entries_.size() > kMaxEntries) {
    auto oldest = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.at_ms < b.second.at_ms; });
    entries_.erase(oldest);
  }
  return persist();
}

absl::Status NotificationLog::gc(int64_t now_ms) {
  size_t before = entries_.size();
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires_ms <= now_ms; });
  return entries_.size() == before ? absl::OkStatus() : persist();
}

absl::Status NotificationLog::persist() {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& [key, e] : entries_) {
    nlohmann::json f = nlohmann::json::array(), r = nlohmann::json::array();
    for (uint64_t v : e.firing) f.push_back(hex(v));
    for (uint64_t v : e.resolved) r.push_back(hex(v));
    entries.push_back({{"key", key},
                       {"firing", f},
                       {"resolved", r},
                       {"at_ms", e.at_ms},
                       {"expires_ms", e.expires_ms}});
  }
  nlohmann::json doc = {{"version", 1}, {"entries", std::move(entries)}};
  const std::string text = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string path = join_path(dir_, kFile);
  const std::string tmp = path + ".tmp";
  STRATA_ASSIGN_OR_RETURN(auto f, fs_->open_writable(tmp));
  STRATA_RETURN_IF_ERROR(f->append(text));
  STRATA_RETURN_IF_ERROR(f->sync());
  STRATA_RETURN_IF_ERROR(f->close());
  STRATA_RETURN_IF_ERROR(fs_->rename(tmp, path));
  return fs_->sync_dir(dir_);
}

}  // namespace strata::rules::dispatch
