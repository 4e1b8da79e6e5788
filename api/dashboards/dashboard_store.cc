#include "api/dashboards/dashboard_store.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <system_error>

namespace strata::api {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

std::string string_field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

absl::Status parse_stored_dashboard(const std::string& text, const std::string& fallback_uid,
                                    StoredDashboard* out) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Without exceptions nlohmann gives no position; parse again for the message.
    try {
      (void)Json::parse(text);
    } catch (const Json::exception& e) {
      return absl::InvalidArgumentError(std::string("invalid JSON: ") + e.what());
    }
    return absl::InvalidArgumentError("invalid JSON");
  }
  // The HTTP API's shape: {"dashboard": {...}, "meta": {...}}.
  if (j.is_object() && j.contains("dashboard") && j["dashboard"].is_object() &&
      !j.contains("panels"))
    j = j["dashboard"];
  if (!j.is_object()) return absl::InvalidArgumentError("not a JSON object");
  out->uid = string_field(j, "uid");
  if (out->uid.empty()) out->uid = fallback_uid;
  out->title = string_field(j, "title");
  if (out->title.empty()) out->title = out->uid;
  out->tags.clear();
  if (auto it = j.find("tags"); it != j.end() && it->is_array()) {
    for (const Json& t : *it)
      if (t.is_string()) out->tags.push_back(t.get<std::string>());
  }
  // Replaced, not thrown: invalid UTF-8 in a string must not make the file unservable.
  out->json = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return absl::OkStatus();
}

DashboardStore::DashboardStore(DashboardStoreOptions opts)
    : opts_(std::move(opts)), set_(std::make_shared<DashboardSet>()) {}

absl::Status DashboardStore::load() {
  auto set = std::make_shared<DashboardSet>();
  if (opts_.dir.empty()) {
    std::lock_guard lock(mu_);
    set_ = std::move(set);
    return absl::OkStatus();
  }
  std::error_code ec;
  std::vector<fs::path> files;
  fs::directory_iterator it(opts_.dir, ec);
  if (ec)
    return absl::InvalidArgumentError("cannot read dashboards directory " + opts_.dir + ": " +
                                      ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path& p = it->path();
    if (p.extension() != ".json") continue;
    std::error_code fec;
    if (!it->is_regular_file(fec)) continue;
    files.push_back(p);
  }
  if (ec)
    return absl::InvalidArgumentError("cannot read dashboards directory " + opts_.dir + ": " +
                                      ec.message());
  std::sort(files.begin(), files.end());
  std::set<std::string> uids;
  int read = 0;
  for (const fs::path& p : files) {
    const std::string name = p.filename().string();
    auto problem = [&](std::string message) {
      set->problems.push_back({name, std::move(message)});
    };
    if (read >= opts_.max_files) {
      problem("not read: more than " + std::to_string(opts_.max_files) + " dashboard files");
      continue;
    }
    std::error_code sec;
    uintmax_t size = fs::file_size(p, sec);
    if (sec) {
      problem("cannot read: " + sec.message());
      continue;
    }
    if (size > uintmax_t(opts_.max_file_bytes)) {
      problem("not read: " + std::to_string(size) + " bytes, more than the limit of " +
              std::to_string(opts_.max_file_bytes));
      continue;
    }
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      problem("cannot read: open failed");
      continue;
    }
    ++read;
    // One byte more than file_size() said: a file that grew meanwhile is
    // noticed, and never more than the limit is held.
    std::string text(size_t(size) + 1, '\0');
    in.read(text.data(), std::streamsize(text.size()));
    text.resize(size_t(in.gcount()));
    if (text.size() > size) {
      problem("not read: the file changed while it was read");
      continue;
    }
    StoredDashboard d;
    d.file = name;
    if (absl::Status s = parse_stored_dashboard(text, p.stem().string(), &d); !s.ok()) {
      problem(std::string(s.message()));
      continue;
    }
    if (!uids.insert(d.uid).second) {
      problem("skipped: uid \"" + d.uid + "\" is already used by another file");
      continue;
    }
    set->dashboards.push_back(std::move(d));
  }
  std::sort(set->dashboards.begin(), set->dashboards.end(),
            [](const StoredDashboard& a, const StoredDashboard& b) {
              return a.title != b.title ? a.title < b.title : a.uid < b.uid;
            });
  std::lock_guard lock(mu_);
  set_ = std::move(set);
  return absl::OkStatus();
}

std::shared_ptr<const DashboardSet> DashboardStore::snapshot() const {
  std::lock_guard lock(mu_);
  return set_;
}

}  // namespace strata::api
