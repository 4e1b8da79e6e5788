// DashboardStore: the Grafana dashboards of --web.dashboards.dir, read into
// memory for the UI's dashboards page (/api/v1/strata/dashboards). Every
// `*.json` file of the directory (not recursive) is one dashboard, in the JSON
// Grafana 9-11 exports, or wrapped as its HTTP API answers
// (`{"dashboard": {...}}`). A dashboard's uid is its `uid` field, else the
// file name without `.json`; a later file with a uid already taken is
// skipped with a problem.
//
// Reading is bounded: files larger than max_file_bytes and files past
// max_files are not read, and reported as problems; so are unreadable files
// and invalid JSON. load() replaces the whole set at once (on start and on
// every reload); readers get an immutable snapshot, so any thread may call
// any method.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"

namespace strata::api {

struct DashboardStoreOptions {
  std::string dir;  // "" = no dashboards
  // A large Grafana dashboard is a few hundred KiB; 4 MiB leaves room and
  // keeps one file from holding much memory.
  int64_t max_file_bytes = 4 << 20;
  // Far more than anyone browses; bounds memory and the time of a reload.
  int max_files = 1000;
};

struct StoredDashboard {
  std::string uid;
  std::string title;
  std::string file;  // name inside the directory
  std::vector<std::string> tags;
  std::string json;  // the dashboard object (unwrapped), compact JSON
};

struct DashboardProblem {
  std::string file;
  std::string message;
};

struct DashboardSet {
  std::vector<StoredDashboard> dashboards;  // sorted by title, then uid
  std::vector<DashboardProblem> problems;
};

class DashboardStore {
 public:
  explicit DashboardStore(DashboardStoreOptions opts);

  // Re-reads the directory. Fails (keeping the previous set) only when the
  // directory itself cannot be listed; bad files become problems.
  absl::Status load();

  std::shared_ptr<const DashboardSet> snapshot() const;
  const DashboardStoreOptions& options() const { return opts_; }

 private:
  const DashboardStoreOptions opts_;
  mutable std::mutex mu_;
  std::shared_ptr<const DashboardSet> set_ ABSL_GUARDED_BY(mu_);
};

// Parses one dashboard file's text into `out` (uid from the JSON, else
// `fallback_uid`). InvalidArgument with the JSON parser's message when it is
// not a JSON object.
absl::Status parse_stored_dashboard(const std::string& text, const std::string& fallback_uid,
                                    StoredDashboard* out);

}  // namespace strata::api
