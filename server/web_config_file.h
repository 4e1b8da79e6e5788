// WebConfigFile: the --web.config.file as the HTTP listener uses it — the
// parsed file (server/web_config.h), its TLS context, and the basic-auth
// checker — kept current while the server runs.
//
// The exporter toolkit re-reads the file for every connection; here
// current() does it cheaply: at most once a second it compares the size,
// mtime and inode of the file and of the certificate, key and client-CA
// files it names, and reloads when one changed (a rotated certificate is
// picked up for the next handshake). reload() does the same at once (SIGHUP,
// /-/reload). A file that fails to load keeps the previous state and logs
// an error; at start-up, load() returns the error instead. Whether the
// listener speaks TLS is fixed at start-up (as Prometheus decides it when it
// starts serving): a reloaded file that adds or removes tls_server_config is
// refused until a restart.
//
// Thread-safe; current() is called by I/O threads for every connection and
// request. A State is immutable; connections keep theirs (and its TLS
// context) alive while they use it.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/metrics.h"
#include "server/basic_auth.h"
#include "server/web_config.h"

namespace strata::server {

class WebConfigFile {
 public:
  struct State {
    WebConfig config;
    std::shared_ptr<boost::asio::ssl::context> tls;  // set iff config.tls
  };

  // Loads `path` (relative names in it resolve against its directory).
  // `registry` may be null (tests); it must outlive this object.
  static absl::StatusOr<std::unique_ptr<WebConfigFile>> load(const std::string& path,
                                                             metrics::Registry* registry);

  // The current state, reloaded first when a file changed (checked at most
  // every kCheckInterval). Never null.
  std::shared_ptr<const State> current();
  // Checks and reloads now. Errors leave the current state in place.
  absl::Status reload();

  bool tls() const { return tls_; }
  const std::string& path() const { return path_; }
  BasicAuthenticator& authenticator() { return auth_; }

  // One second: the toolkit re-reads per connection; a second's delay in
  // noticing an edit is invisible to an operator, and it bounds the stat()
  // calls under a flood of connections.
  static constexpr int64_t kCheckIntervalNs = 1'000'000'000;

 private:
  // size, mtime and inode of one file; all zero when it cannot be read.
  struct Stamp {
    int64_t size = 0, mtime_ns = 0, ino = 0;
    bool operator==(const Stamp&) const = default;
  };

  WebConfigFile(std::string path, metrics::Registry* registry);
  static Stamp stamp_of(const std::string& file);
  static std::vector<Stamp> stamps_of(const std::vector<std::string>& files);
  // Reads and builds a state with the stamps of its files.
  absl::StatusOr<std::shared_ptr<const State>> build(std::vector<Stamp>* stamps) const;
  std::vector<std::string> files_of(const State& s) const;
  absl::Status reload_locked(bool force) ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);

  const std::string path_;
  bool tls_ = false;
  BasicAuthenticator auth_;
  metrics::Gauge* last_reload_ok_ = nullptr;

  std::mutex reload_mu_;  // one reload at a time
  std::vector<std::string> files_ ABSL_GUARDED_BY(reload_mu_);
  std::vector<Stamp> stamps_ ABSL_GUARDED_BY(reload_mu_);
  std::atomic<int64_t> last_check_ns_{0};

  mutable std::mutex state_mu_;
  std::shared_ptr<const State> state_ ABSL_GUARDED_BY(state_mu_);
};

}  // namespace strata::server
