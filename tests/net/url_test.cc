// net::parse_url and resolve_reference.
#include "net/url.h"

#include <gtest/gtest.h>

namespace strata::net {
namespace {

TEST(UrlTest, Parses) {
  struct Case {
    const char* in;
    const char* scheme;
    const char* host;
    const char* port;
    const char* target;
  } cases[] = {
      {"http://127.0.0.1:9090/api/v1/write", "http", "127.0.0.1", "9090", "/api/v1/write"},
      {"https://example.com", "https", "example.com", "443", "/"},
      {"HTTP://h?x=1#frag", "http", "h", "80", "/?x=1"},
      {"http://[::1]:8080/m", "http", "::1", "8080", "/m"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    auto u = parse_url(c.in);
    ASSERT_TRUE(u.ok()) << u.status();
    EXPECT_EQ(u->scheme, c.scheme);
    EXPECT_EQ(u->host, c.host);
    EXPECT_EQ(u->port, c.port);
    EXPECT_EQ(u->target, c.target);
  }
  EXPECT_EQ(parse_url("http://[::1]:8080/m")->host_port(), "[::1]:8080");
}

TEST(UrlTest, UserinfoIsDecodedAndRedacted) {
  auto u = parse_url("http://us%40r:p%3Ass@h:81/x");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->user, "us@r");
  EXPECT_EQ(u->password, "p:ss");
  EXPECT_EQ(u->redacted(), "http://us@r:xxxxx@h:81/x");
}

TEST(UrlTest, RejectsWhatItCannotUse) {
  EXPECT_EQ(parse_url("ftp://h/").status().message(), "unsupported protocol scheme \"ftp\"");
  EXPECT_FALSE(parse_url("127.0.0.1:9090").ok());
  EXPECT_FALSE(parse_url("http://h:99999/").ok());
  EXPECT_FALSE(parse_url("http:///path").ok());
}

TEST(UrlTest, RedactsUnparsedUrls) {
  EXPECT_EQ(redact_unparsed("http://u:secret@h:x/p@q"), "http://u:xxxxx@h:x/p@q");
  EXPECT_EQ(redact_unparsed("h:1/p"), "h:1/p");
  EXPECT_EQ(redact_unparsed("http://u@h/"), "http://u@h/");
}

TEST(UrlTest, ResolvesRedirectLocations) {
  auto base = *parse_url("http://u:p@h:1/a/b?q=1");
  EXPECT_EQ(resolve_reference(base, "/c")->absolute(), "http://h:1/c");
  EXPECT_EQ(resolve_reference(base, "c?d=2")->absolute(), "http://h:1/a/c?d=2");
  EXPECT_EQ(resolve_reference(base, "?z")->absolute(), "http://h:1/a/b?z");
  EXPECT_EQ(resolve_reference(base, "//other:2/x")->absolute(), "http://other:2/x");
  EXPECT_EQ(resolve_reference(base, "https://s/")->absolute(), "https://s:443/");
  EXPECT_FALSE(resolve_reference(base, "/c")->has_userinfo);
}

}  // namespace
}  // namespace strata::net
