// HTTP basic authentication against the bcrypt hashes of a web config's
// basic_auth_users, as Prometheus' exporter toolkit checks it:
//
//  - A bcrypt check costs tens of milliseconds of CPU by design, so results
//    are cached: the key is a SHA-256 of user, hash and password (a changed
//    hash in a reloaded file misses the cache; no password is stored), and
//    the cache holds at most kCacheEntries results (oldest evicted first).
//    Failures are cached too, so a client retrying a wrong password costs
//    one bcrypt, not one per request.
//  - bcrypt itself runs under a mutex: a flood of wrong passwords burns at
//    most one core, and requests with cached credentials never wait for it.
//  - An unknown user is checked against a dummy hash, so the answer takes
//    as long as for a known one and does not reveal which users exist.
//
// Thread-safe. check_cached() is cheap (one SHA-256, one short lock) and may
// run on an I/O thread; verify() may block for the bcrypt queue and must run
// on a worker.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"

struct crypt_data;

namespace strata::server {

// Whether `password` matches the bcrypt `hash` ($2a$, $2b$, $2y$), compared
// in constant time. False for a malformed hash or a password with a NUL.
bool bcrypt_matches(std::string_view password, const std::string& hash);

struct BasicCredentials {
  std::string user, password;
};

// The user and password of an `Authorization: Basic <base64>` value;
// nullopt for another scheme or malformed base64.
std::optional<BasicCredentials> parse_basic_authorization(std::string_view value);

class BasicAuthenticator {
 public:
  // Large enough for every client of a typical server (scrapers, Grafana,
  // remote-write senders); small enough to bound memory (~100 B an entry).
  static constexpr size_t kCacheEntries = 1024;

  BasicAuthenticator();
  ~BasicAuthenticator();

  // The cached verdict for these credentials, or nullopt when verify() must
  // decide.
  std::optional<bool> check_cached(const std::map<std::string, std::string>& users,
                                   const BasicCredentials& c) const;
  // The bcrypt check (serialized, see above); caches the verdict.
  bool verify(const std::map<std::string, std::string>& users, const BasicCredentials& c);

  // For tests: bcrypt checks run so far.
  size_t hashes_computed() const;

 private:
  static std::string cache_key(const BasicCredentials& c, const std::string& hash);
  void remember(std::string key, bool ok);

  // Lock order: hash_mu_, then cache_mu_.
  mutable std::mutex cache_mu_;
  absl::flat_hash_map<std::string, bool> cache_ ABSL_GUARDED_BY(cache_mu_);
  std::deque<std::string> order_ ABSL_GUARDED_BY(cache_mu_);  // insertion order, for eviction

  mutable std::mutex hash_mu_;  // one bcrypt at a time
  std::unique_ptr<crypt_data> scratch_ ABSL_GUARDED_BY(hash_mu_);
  size_t hashes_ ABSL_GUARDED_BY(hash_mu_) = 0;
};

}  // namespace strata::server
