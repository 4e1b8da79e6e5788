// bcrypt checks and the verdict cache of server/basic_auth.h.
#include "server/basic_auth.h"

#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/escaping.h"
#include "tests/testutil/test_certs.h"

namespace strata::server {
namespace {

TEST(BcryptTest, MatchesEveryPrefixHtpasswdAndGoWrite) {
  for (const char* prefix : {"$2y$", "$2a$", "$2b$"}) {
    SCOPED_TRACE(prefix);
    auto h = testutil::bcrypt_hash("s3cret", prefix);
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_TRUE(bcrypt_matches("s3cret", *h));
    EXPECT_FALSE(bcrypt_matches("s3cre", *h));
    EXPECT_FALSE(bcrypt_matches("", *h));
    EXPECT_FALSE(bcrypt_matches(std::string("s3cret\0x", 8), *h));
  }
}

TEST(BcryptTest, TheHashOfPrometheusDocs) {
  // Prometheus' "Securing Prometheus API and UI endpoints using basic auth"
  // guide: the hash of "test" made by its gen-pass.py (Python bcrypt).
  const std::string h = "$2b$12$hNf2lSsxfm0.i4a.1kVpSOVyBCfIB51VRjgBUyv6kdnyTlgWj81Ay";
  EXPECT_TRUE(bcrypt_matches("test", h));
  EXPECT_FALSE(bcrypt_matches("Test", h));
}

TEST(BcryptTest, MalformedHashesNeverMatch) {
  EXPECT_FALSE(bcrypt_matches("x", ""));
  EXPECT_FALSE(bcrypt_matches("x", "$2y$05$short"));
  EXPECT_FALSE(bcrypt_matches("x", "x"));  // DES would accept this setting
}

TEST(BasicAuthorizationTest, Parses) {
  auto c = parse_basic_authorization("Basic " + absl::Base64Escape("alice:pa:ss"));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->user, "alice");
  EXPECT_EQ(c->password, "pa:ss");
  EXPECT_TRUE(parse_basic_authorization("basic " + absl::Base64Escape("a:b")).has_value());
  EXPECT_FALSE(parse_basic_authorization("Bearer abc").has_value());
  EXPECT_FALSE(parse_basic_authorization("Basic !!!").has_value());
  EXPECT_FALSE(parse_basic_authorization("Basic " + absl::Base64Escape("nocolon")).has_value());
  EXPECT_FALSE(parse_basic_authorization("").has_value());
}

class BasicAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto h = testutil::bcrypt_hash("right");
    ASSERT_TRUE(h.ok()) << h.status();
    users_ = {{"alice", *h}};
  }
  std::map<std::string, std::string> users_;
  BasicAuthenticator auth_;
};

TEST_F(BasicAuthenticatorTest, CachesVerdictsSoBcryptRunsOncePerCredentials) {
  BasicCredentials right{"alice", "right"}, wrong{"alice", "wrong"};
  EXPECT_FALSE(auth_.check_cached(users_, right).has_value());
  EXPECT_TRUE(auth_.verify(users_, right));
  EXPECT_EQ(auth_.check_cached(users_, right), std::optional<bool>(true));
  EXPECT_FALSE(auth_.verify(users_, wrong));
  EXPECT_EQ(auth_.check_cached(users_, wrong), std::optional<bool>(false));
  EXPECT_EQ(auth_.hashes_computed(), 2u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(auth_.verify(users_, right));
    EXPECT_FALSE(auth_.verify(users_, wrong));
  }
  EXPECT_EQ(auth_.hashes_computed(), 2u);
}

TEST_F(BasicAuthenticatorTest, ANewHashMissesTheCache) {
  BasicCredentials right{"alice", "right"};
  EXPECT_TRUE(auth_.verify(users_, right));
  auto h = testutil::bcrypt_hash("other");
  ASSERT_TRUE(h.ok());
  std::map<std::string, std::string> changed = {{"alice", *h}};
  EXPECT_FALSE(auth_.check_cached(changed, right).has_value());
  EXPECT_FALSE(auth_.verify(changed, right));
  EXPECT_TRUE(auth_.verify(changed, {"alice", "other"}));
}

TEST_F(BasicAuthenticatorTest, UnknownUsersPayForABcryptAndAreNeverCached) {
  BasicCredentials ghost{"ghost", "right"};
  EXPECT_FALSE(auth_.verify(users_, ghost));
  EXPECT_FALSE(auth_.verify(users_, ghost));
  EXPECT_EQ(auth_.hashes_computed(), 2u);
  EXPECT_FALSE(auth_.check_cached(users_, ghost).has_value());
}

TEST_F(BasicAuthenticatorTest, CacheIsBounded) {
  // Verdicts for more distinct wrong passwords than the cache holds: the
  // first ones are evicted.
  for (size_t i = 0; i < BasicAuthenticator::kCacheEntries + 5; ++i)
    EXPECT_FALSE(auth_.verify(users_, {"alice", "wrong" + std::to_string(i)}));
  EXPECT_FALSE(auth_.check_cached(users_, {"alice", "wrong0"}).has_value());
  EXPECT_TRUE(auth_.check_cached(
      users_, {"alice", "wrong" + std::to_string(BasicAuthenticator::kCacheEntries + 4)}).has_value());
}

TEST_F(BasicAuthenticatorTest, ConcurrentChecksAgree) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, denied{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        bool good = (i + t) % 2 == 0;
        bool r = auth_.verify(users_, {"alice", good ? "right" : "wrong" + std::to_string(i % 3)});
        (r == good ? ok : denied)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 80);
  EXPECT_EQ(denied.load(), 0);
  // 1 right + 3 wrong passwords, each hashed once however the threads race.
  EXPECT_EQ(auth_.hashes_computed(), 4u);
}

}  // namespace
}  // namespace strata::server
