// Basic authentication with bcrypt and a verdict cache (see server/basic_auth.h).
#include "server/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace strata::server {
namespace {

// bcrypt("strata-unknown-user") at cost 10 (the toolkit's dummy cost):
// checked for users that do not exist, so they take as long as real ones.
constexpr const char* kDummyHash = "$2b$10$abcdefghijklmnopqrstuuqpZqzkesNbem/F3mAQ2.9WIXDLKPWNS";

bool bcrypt_with(crypt_data* scratch, std::string_view password, const std::string& hash) {
  if (password.find('\0') != std::string_view::npos) return false;
  std::string pw(password);
  std::memset(scratch, 0, sizeof(*scratch));
  const char* out = crypt_rn(pw.c_str(), hash.c_str(), scratch, int(sizeof(*scratch)));
  // crypt_rn returns NULL (or a "*" failure token) for a setting it rejects.
  if (out == nullptr || out[0] == '*') return false;
  size_t n = std::strlen(out);
  return n == hash.size() && CRYPTO_memcmp(out, hash.data(), n) == 0;
}

}  // namespace

bool bcrypt_matches(std::string_view password, const std::string& hash) {
  auto scratch = std::make_unique<crypt_data>();
  return bcrypt_with(scratch.get(), password, hash);
}

std::optional<BasicCredentials> parse_basic_authorization(std::string_view value) {
  // As Go's Request.BasicAuth: the scheme is case-insensitive.
  constexpr std::string_view kScheme = "Basic ";
  if (value.size() < kScheme.size() ||
      !absl::EqualsIgnoreCase(absl::string_view(value.data(), kScheme.size()),
                              absl::string_view(kScheme.data(), kScheme.size())))
    return std::nullopt;
  std::string decoded;
  std::string_view b64 = value.substr(kScheme.size());
  if (!absl::Base64Unescape(absl::string_view(b64.data(), b64.size()), &decoded))
    return std::nullopt;
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

BasicAuthenticator::BasicAuthenticator() : scratch_(std::make_unique<crypt_data>()) {}
BasicAuthenticator::~BasicAuthenticator() = default;

std::string BasicAuthenticator::cache_key(const BasicCredentials& c, const std::string& hash) {
  // Lengths first, so no two (user, hash, password) triples share a key.
  std::string in;
  in.reserve(24 + c.user.size() + hash.size() + c.password.size());
  for (size_t n : {c.user.size(), hash.size(), c.password.size()}) {
    const uint64_t len = n;
    in.append(reinterpret_cast<const char*>(&len), sizeof(len));
  }
  in += c.user;
  in += hash;
  in += c.password;
  std::string key(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  EVP_Digest(in.data(), in.size(), reinterpret_cast<unsigned char*>(key.data()), &len,
             EVP_sha256(), nullptr);
  key.resize(len);
  return key;
}

std::optional<bool> BasicAuthenticator::check_cached(
    const std::map<std::string, std::string>& users, const BasicCredentials& c) const {
  auto it = users.find(c.user);
  if (it == users.end()) return std::nullopt;  // unknown users always pay for a bcrypt
  std::string key = cache_key(c, it->second);
  std::lock_guard<std::mutex> lock(cache_mu_);
  auto hit = cache_.find(key);
  if (hit == cache_.end()) return std::nullopt;
  return hit->second;
}

bool BasicAuthenticator::verify(const std::map<std::string, std::string>& users,
                                const BasicCredentials& c) {
  auto it = users.find(c.user);
  const bool known = it != users.end();
  const std::string& hash = known ? it->second : std::string(kDummyHash);
  bool ok;
  {
    std::lock_guard<std::mutex> lock(hash_mu_);
    // Checked again under the lock, and the verdict remembered before it is
    // released: requests that queued up with the same credentials (many
    // connections of one client at start-up) cost one bcrypt, not one each.
    if (known) {
      if (auto v = check_cached(users, c)) return *v;
    }
    ok = bcrypt_with(scratch_.get(), c.password, hash);
    ++hashes_;
    if (known) remember(cache_key(c, hash), ok);
  }
  return known && ok;
}

void BasicAuthenticator::remember(std::string key, bool ok) {
  std::lock_guard<std::mutex> lock(cache_mu_);
  auto [it, inserted] = cache_.try_emplace(key, ok);
  if (!inserted) return;
  order_.push_back(std::move(key));
  while (order_.size() > kCacheEntries) {
    cache_.erase(order_.front());
    order_.pop_front();
  }
}

size_t BasicAuthenticator::hashes_computed() const {
  std::lock_guard<std::mutex> lock(hash_mu_);
  return hashes_;
}

}  // namespace strata::server
