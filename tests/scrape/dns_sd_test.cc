// dns_sd_configs: the DNS wire format (queries, answers, malformed answers
// as untrusted input), resolv.conf and the search list, and the provider
// against a real DNS server: Debian's dnsmasq, started by the test on
// 127.0.0.1 at a free port with only local records (--no-resolv and no
// --server: it never forwards a query), stopped by its PID. All DNS traffic
// goes to 127.0.0.1.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "scrape/discovery/dns_message.h"
#include "scrape/discovery/provider.h"
#include "tests/testutil/eventually.h"
#include "tests/testutil/temp_dir.h"

namespace strata::scrape {
namespace {

// ---------------------------------------------------------------------------
// Wire format.

// Builds DNS messages for the parser tests.
struct Wire {
  std::string b;
  Wire& u8(int v) {
    b.push_back(char(v));
    return *this;
  }
  Wire& u16(int v) { return u8(v >> 8).u8(v & 0xff); }
  Wire& u32(uint32_t v) { return u16(int(v >> 16)).u16(int(v & 0xffff)); }
  Wire& name(std::initializer_list<std::string_view> labels) {
    for (auto l : labels) {
      u8(int(l.size()));
      b += l;
    }
    return u8(0);
  }
  Wire& raw(std::string_view s) {
    b += s;
    return *this;
  }
  Wire& header(int id, int flags, int qd, int an) { return u16(id).u16(flags).u16(qd).u16(an).u16(0).u16(0); }
  // Type, class IN, TTL, then RDLENGTH and the data.
  Wire& rr_tail(int type, std::string_view rdata) {
    u16(type).u16(1).u32(300).u16(int(rdata.size()));
    return raw(rdata);
  }
};

TEST(DnsMessageTest, BuildsQueries) {
  auto q = dns::build_query(0x1234, "a.test.", dns::kTypeA, /*edns=*/false);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(*q, Wire().header(0x1234, 0x0100, 1, 0).name({"a", "test"}).u16(1).u16(1).b);

  q = dns::build_query(7, "_m._tcp.test.", dns::kTypeSrv, /*edns=*/true);
  ASSERT_TRUE(q.ok());
  Wire want;
  want.u16(7).u16(0x0100).u16(1).u16(0).u16(0).u16(1).name({"_m", "_tcp", "test"}).u16(33).u16(1);
  want.u8(0).u16(41).u16(4096).u32(0).u16(0);
  EXPECT_EQ(*q, want.b);

  // Escapes in presentation form.
  q = dns::build_query(1, "a\\.b.c\\032d.", dns::kTypeA, false);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->substr(12, 9), Wire().name({"a.b", "c d"}).b);
  EXPECT_TRUE(dns::build_query(1, ".", dns::kTypeA, false).ok());

  EXPECT_FALSE(dns::build_query(1, "a.test", dns::kTypeA, false).ok());  // not absolute
  EXPECT_FALSE(dns::build_query(1, "a..test.", dns::kTypeA, false).ok());
  EXPECT_FALSE(dns::build_query(1, std::string(64, 'x') + ".test.", dns::kTypeA, false).ok());
  std::string long_name;
  for (int i = 0; i < 26; ++i) long_name += "abcdefghi.";  // 260 octets
  EXPECT_FALSE(dns::build_query(1, long_name, dns::kTypeA, false).ok());
  EXPECT_FALSE(dns::build_query(1, "a\\999.", dns::kTypeA, false).ok());
}

// A response with every record type the provider reads, names compressed.
std::string sample_response() {
  Wire w;
  w.header(0xBEEF, 0x8180, 1, 9);
  w.name({"a", "test"}).u16(33).u16(1);  // question at offset 12
  const std::string ptr_q = "\xC0\x0C";
  // A, AAAA (loopback, v4-mapped, RFC 5952 compression, no run to compress)
  w.raw(ptr_q).rr_tail(1, std::string("\x7f\x00\x00\x02", 4));
  w.raw(ptr_q).rr_tail(28, std::string(15, '\0') + "\x01");
  w.raw(ptr_q).rr_tail(28, std::string(10, '\0') + "\xff\xff\x01\x02\x03\x04");
  w.raw(ptr_q).rr_tail(28, std::string("\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x01", 16));
  w.raw(ptr_q).rr_tail(28, std::string("\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x01\x00\x01\x00\x01\x00\x01", 16));
  // SRV 0 10 9100 h.<a.test>: the target ends in a pointer into the question.
  w.raw(ptr_q).rr_tail(33, Wire().u16(0).u16(10).u16(9100).u8(1).raw("h").raw("\xC0\x0E").b);
  // MX 10 mail.test.
  w.raw(ptr_q).rr_tail(15, Wire().u16(10).name({"mail", "test"}).b);
  // CNAME with a label that needs escaping, TXT (not read)
  w.raw(ptr_q).rr_tail(5, Wire().name({"we ird.x", "test"}).b);
  w.raw(ptr_q).rr_tail(16, "\x03txt");
  return w.b;
}

TEST(DnsMessageTest, ParsesAnswers) {
  auto m = dns::parse_message(sample_response());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->id, 0xBEEF);
  EXPECT_TRUE(m->response);
  EXPECT_FALSE(m->truncated);
  EXPECT_EQ(m->rcode, dns::kRcodeSuccess);
  EXPECT_EQ(m->question, "a.test.");
  EXPECT_EQ(m->qtype, dns::kTypeSrv);
  ASSERT_EQ(m->answers.size(), 9u);
  EXPECT_EQ(m->answers[0].name, "a.test.");
  EXPECT_EQ(m->answers[0].address, "127.0.0.2");
  EXPECT_EQ(m->answers[1].address, "::1");
  EXPECT_EQ(m->answers[2].address, "1.2.3.4");
  EXPECT_EQ(m->answers[3].address, "2001:db8::1:0:0:1");
  EXPECT_EQ(m->answers[4].address, "2001:db8:1:0:1:1:1:1");
  EXPECT_EQ(m->answers[5].type, dns::kTypeSrv);
  EXPECT_EQ(m->answers[5].target, "h.test.");
  EXPECT_EQ(m->answers[5].port, 9100);
  EXPECT_EQ(m->answers[6].target, "mail.test.");
  EXPECT_EQ(m->answers[7].target, "we\\ ird\\.x.test.");
  EXPECT_EQ(m->answers[8].type, 16);

  std::string tc = sample_response();
  tc[2] = char(0x82);  // TC
  tc[3] = char(0x83);  // NXDOMAIN
  m = dns::parse_message(tc);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->truncated);
  EXPECT_EQ(m->rcode, dns::kRcodeNameError);
}

TEST(DnsMessageTest, RejectsMalformedAnswers) {
  auto bad = [](const std::string& wire) { return !dns::parse_message(wire).ok(); };
  EXPECT_TRUE(bad(std::string(11, '\0')));
  // A question whose name points at itself, or past the end.
  EXPECT_TRUE(bad(Wire().header(1, 0x8180, 1, 0).raw("\xC0\x0C").u16(1).u16(1).b));
  EXPECT_TRUE(bad(Wire().header(1, 0x8180, 1, 0).raw("\xC0\xFF").u16(1).u16(1).b));
  // Two pointers pointing at each other.
  EXPECT_TRUE(bad(Wire().header(1, 0x8180, 1, 0).raw("\xC0\x0E\xC0\x0C").u16(1).u16(1).b));
  // A label running past the end; a reserved label type.
  EXPECT_TRUE(bad(Wire().header(1, 0x8180, 1, 0).raw("\x05" "ab").b));
  EXPECT_TRUE(bad(Wire().header(1, 0x8180, 1, 0).raw("\x41" "a").u8(0).u16(1).u16(1).b));
  // Counts promising more than is there.
  EXPECT_TRUE(bad(Wire().header(1, 0x8180, 1, 0).b));
  EXPECT_TRUE(bad(Wire().header(1, 0x8180, 0, 65535).b));
  // RDLENGTH past the end; A and AAAA of the wrong size.
  EXPECT_TRUE(bad(Wire().header(1, 0x8180, 0, 1).name({"a"}).u16(1).u16(1).u32(1).u16(4).raw("\x01\x02").b));
  EXPECT_TRUE(bad(Wire().header(1, 0x8180, 0, 1).name({"a"}).rr_tail(1, "\x01\x02\x03\x04\x05").b));
  EXPECT_TRUE(bad(Wire().header(1, 0x8180, 0, 1).name({"a"}).rr_tail(28, "\x01\x02\x03\x04").b));
  // An SRV target running past its RDLENGTH into the next record.
  Wire srv;
  srv.header(1, 0x8180, 0, 2).name({"a"});
  srv.u16(33).u16(1).u32(1).u16(8).u16(0).u16(0).u16(80).raw("\x01h");  // target "h" continues below
  srv.raw("\x00").u16(1).u16(1).u32(1).u16(4).raw("\x01\x02\x03\x04");
  EXPECT_TRUE(bad(srv.b));
  // A name of more than 255 octets made of pointers to one long label.
  Wire big;
  big.header(1, 0x8180, 1, 0);
  big.u8(63).raw(std::string(63, 'x')).raw("\xC0\x0C");  // x63 then itself
  big.u16(1).u16(1);
  EXPECT_TRUE(bad(big.b));
}

// Every truncation and single-byte change of a valid answer parses or fails
// without reading outside the message.
TEST(DnsMessageTest, SurvivesMutations) {
  const std::string good = sample_response();
  for (size_t n = 0; n <= good.size(); ++n) (void)dns::parse_message(good.substr(0, n));
  for (size_t i = 0; i < good.size(); ++i) {
    for (int v : {0x00, 0x01, 0x3F, 0x40, 0x7F, 0xC0, 0xC1, 0xFF}) {
      std::string m = good;
      m[i] = char(v);
      (void)dns::parse_message(m);
    }
  }
}

TEST(DnsMessageTest, ResolvConfAndSearchList) {
  auto c = dns::parse_resolv_conf(
      "# comment\n; another\nnameserver 10.0.0.1\nnameserver\tfe80::1%eth0\n"
      "domain corp.example\nsearch a.example b.example.\noptions rotate ndots:2 timeout:1\n");
  EXPECT_EQ(c.servers, (std::vector<std::string>{"10.0.0.1", "fe80::1%eth0"}));
  EXPECT_EQ(c.search, (std::vector<std::string>{"a.example", "b.example."}));
  EXPECT_EQ(c.ndots, 2);
  EXPECT_EQ(dns::parse_resolv_conf("search a\ndomain d\n").search, (std::vector<std::string>{"d"}));
  EXPECT_EQ(dns::parse_resolv_conf("options ndots:99\n").ndots, 15);
  EXPECT_EQ(dns::parse_resolv_conf("").ndots, 1);

  EXPECT_EQ(dns::name_list("x.y.", c), (std::vector<std::string>{"x.y."}));
  // Two labels are not more than ndots 2: the search list first.
  EXPECT_EQ(dns::name_list("x.y", c), (std::vector<std::string>{"x.y.a.example.", "x.y.b.example.", "x.y."}));
  EXPECT_EQ(dns::name_list("x.y.z", c), (std::vector<std::string>{"x.y.z.", "x.y.z.a.example.", "x.y.z.b.example."}));
  EXPECT_EQ(dns::join_host_port("::1", 80), "[::1]:80");
  EXPECT_EQ(dns::join_host_port("h.test", 9100), "h.test:9100");
}

// ---------------------------------------------------------------------------
// The provider against dnsmasq.

constexpr const char* kDnsmasq = "/usr/sbin/dnsmasq";

// A port free for both UDP and TCP on 127.0.0.1.
int free_port() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int u = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(u, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ::close(u);
      continue;
    }
    int t = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bool ok = ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(t);
    ::close(u);
    if (ok) return ntohs(a.sin_port);
  }
  return 0;
}

bool tcp_accepts(int port) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(uint16_t(port));
  bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(s);
  return ok;
}

// dnsmasq in the foreground (-k) as our child: no configuration file, no
// hosts file, no upstream servers; authoritative (NXDOMAIN) for *.test.
class Dnsmasq {
 public:
  Dnsmasq(std::string dir, int port) : dir_(std::move(dir)), port_(port) {}
  ~Dnsmasq() { stop(); }

  bool start(const std::vector<std::string>& records) {
    stop();
    std::vector<std::string> args = {kDnsmasq,
                                     "--keep-in-foreground",
                                     "--conf-file=/dev/null",
                                     "--no-resolv",
                                     "--no-hosts",
                                     "--no-poll",
                                     "--port=" + std::to_string(port_),
                                     "--listen-address=127.0.0.1",
                                     "--bind-interfaces",
                                     "--pid-file=" + dir_ + "/dnsmasq.pid",
                                     "--log-facility=-",
                                     "--log-queries",
                                     "--local=/test/"};
    args.insert(args.end(), records.begin(), records.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      int log = ::open((dir_ + "/dnsmasq.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (log >= 0) {
        ::dup2(log, 1);
        ::dup2(log, 2);
      }
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(kDnsmasq, argv.data());
      ::_exit(127);
    }
    if (pid_ < 0) return false;
    for (int i = 0; i < 200; ++i) {
      if (tcp_accepts(port_)) return true;
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::string log() const {
    std::ifstream in(dir_ + "/dnsmasq.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string dir_;
  int port_;
  pid_t pid_ = -1;
};

class DnsProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kDnsmasq, X_OK) != 0) GTEST_SKIP() << "dnsmasq is not installed (deps/debian-packages.txt)";
    ASSERT_TRUE(tmp_.ok());
    port_ = free_port();
    ASSERT_NE(port_, 0);
    dnsmasq_.emplace(tmp_.path(), port_);
    resolver_.resolv_conf = tmp_.path() + "/resolv.conf";
    resolver_.port = uint16_t(port_);
    resolver_.timeout_ms = 1000;
    std::ofstream(resolver_.resolv_conf) << "nameserver 127.0.0.1\nsearch test\n";
  }
  void TearDown() override {
    if (HasFailure() && dnsmasq_) std::cerr << "dnsmasq log:\n" << dnsmasq_->log();
  }

  std::shared_ptr<Provider> start(std::vector<std::string> names, std::string type = "SRV", int64_t port = 0) {
    DnsSdConfig c;
    c.names = std::move(names);
    c.type = std::move(type);
    c.port = port;
    c.refresh_interval_ms = 1000;
    auto p = make_dns_provider(c, &metrics_, resolver_);
    p->start(ioc_, [this](std::vector<TargetGroup> g) { updates_.push_back(std::move(g)); });
    return p;
  }

  // Runs the loop until `done` holds (bounded by `limit`).
  template <typename F>
  bool run_until(F done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    return testutil::run_until(ioc_, done, limit);
  }

  // The targets of the last update's group `source`, as address|srv
  // target|srv port|mx target|dns name lines, sorted.
  std::vector<std::string> targets(const std::string& source) const {
    std::vector<std::string> out;
    if (updates_.empty()) return out;
    for (const auto& g : updates_.back()) {
      if (g.source != source) continue;
      for (const auto& t : g.targets) {
        out.push_back(std::string(t.get("__address__")) + "|" + std::string(t.get("__meta_dns_srv_record_target")) +
                      "|" + std::string(t.get("__meta_dns_srv_record_port")) + "|" +
                      std::string(t.get("__meta_dns_mx_record_target")) + "|" +
                      std::string(t.get("__meta_dns_name")));
        EXPECT_EQ(t.size(), 5u) << t.to_string();  // the meta labels are there even when empty
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  testutil::TempDir tmp_{"strata-dns-sd-"};
  int port_ = 0;
  std::optional<Dnsmasq> dnsmasq_;
  DnsResolverOptions resolver_;
  metrics::Registry registry_;
  DiscoveryMetrics metrics_{&registry_};
  boost::asio::io_context ioc_;
  std::vector<std::vector<TargetGroup>> updates_;
};

const std::vector<std::string> kRecords = {
    "--host-record=h.test,127.0.0.2,::1",
    "--address=/a.test/127.0.0.1",
    "--srv-host=_metrics._tcp.test,h.test,9100,0,10",
    "--srv-host=_metrics._tcp.test,b.test,9101,0,10",
    "--srv-host=_metrics._tcp.test,c.test,9102,1,10",
    "--mx-host=mx.test,mail.test,10",
};

TEST_F(DnsProviderTest, SrvRecords) {
  ASSERT_TRUE(dnsmasq_->start(kRecords));
  auto p = start({"_metrics._tcp.test"});
  ASSERT_TRUE(run_until([&] { return !updates_.empty(); }));
  ASSERT_EQ(updates_[0].size(), 1u);
  EXPECT_EQ(updates_[0][0].source, "_metrics._tcp.test");
  EXPECT_TRUE(updates_[0][0].labels.empty());
  EXPECT_EQ(targets("_metrics._tcp.test"),
            (std::vector<std::string>{"b.test:9101|b.test.|9101||_metrics._tcp.test",
                                      "c.test:9102|c.test.|9102||_metrics._tcp.test",
                                      "h.test:9100|h.test.|9100||_metrics._tcp.test"}));
  EXPECT_EQ(metrics_.dns_lookups->value(), 1);
  EXPECT_EQ(metrics_.dns_lookup_failures->value(), 0);
  p->stop();
}

TEST_F(DnsProviderTest, AAndAaaaRecords) {
  ASSERT_TRUE(dnsmasq_->start(kRecords));
  // "h" is found through resolv.conf's search list (h.test.).
  auto a = start({"h.test", "a.test", "h"}, "A", 9100);
  ASSERT_TRUE(run_until([&] { return !updates_.empty(); }));
  ASSERT_EQ(updates_[0].size(), 3u);
  EXPECT_EQ(targets("h.test"), (std::vector<std::string>{"127.0.0.2:9100||||h.test"}));
  EXPECT_EQ(targets("a.test"), (std::vector<std::string>{"127.0.0.1:9100||||a.test"}));
  EXPECT_EQ(targets("h"), (std::vector<std::string>{"127.0.0.2:9100||||h"}));
  a->stop();

  updates_.clear();
  auto aaaa = start({"h.test"}, "aaaa", 9100);
  ASSERT_TRUE(run_until([&] { return !updates_.empty(); }));
  EXPECT_EQ(targets("h.test"), (std::vector<std::string>{"[::1]:9100||||h.test"}));
  aaaa->stop();
}

TEST_F(DnsProviderTest, MxRecords) {
  ASSERT_TRUE(dnsmasq_->start(kRecords));
  auto p = start({"mx.test"}, "MX", 25);
  ASSERT_TRUE(run_until([&] { return !updates_.empty(); }));
  EXPECT_EQ(targets("mx.test"), (std::vector<std::string>{"mail.test:25|||mail.test.|mx.test"}));
  p->stop();
}

// A name that does not exist (NXDOMAIN for every search variant) has no
// targets, as in Prometheus: its group is sent empty. A lookup that fails
// (no server answers, or only with errors) keeps the last group, is logged
// and counted.
TEST_F(DnsProviderTest, NxdomainEmptiesTheGroupFailuresKeepIt) {
  ASSERT_TRUE(dnsmasq_->start(kRecords));
  auto p = start({"h.test"}, "A", 9100);
  ASSERT_TRUE(run_until([&] { return updates_.size() == 1; }));
  EXPECT_EQ(targets("h.test"), (std::vector<std::string>{"127.0.0.2:9100||||h.test"}));

  // h.test gone: NXDOMAIN (dnsmasq is authoritative for *.test).
  ASSERT_TRUE(dnsmasq_->start({"--address=/a.test/127.0.0.1"}));
  ASSERT_TRUE(run_until([&] { return updates_.size() == 2; }));
  ASSERT_EQ(updates_[1].size(), 1u);
  EXPECT_EQ(updates_[1][0].source, "h.test");
  EXPECT_TRUE(updates_[1][0].targets.empty());
  EXPECT_EQ(metrics_.dns_lookup_failures->value(), 0);

  // Back.
  ASSERT_TRUE(dnsmasq_->start(kRecords));
  ASSERT_TRUE(run_until([&] { return updates_.size() == 3; }));
  EXPECT_EQ(targets("h.test"), (std::vector<std::string>{"127.0.0.2:9100||||h.test"}));

  // No server: every lookup fails; nothing is sent, the target stays.
  dnsmasq_->stop();
  ASSERT_TRUE(run_until([&] { return metrics_.dns_lookup_failures->value() >= 2; }));
  EXPECT_EQ(updates_.size(), 3u);
  p->stop();
}

// A server answering with an error (dnsmasq refuses names it is not
// authoritative for and cannot forward) fails that name only.
TEST_F(DnsProviderTest, ServerErrorsFailOnlyThatName) {
  ASSERT_TRUE(dnsmasq_->start(kRecords));
  auto p = start({"h.test", "elsewhere.example."}, "A", 80);
  ASSERT_TRUE(run_until([&] { return !updates_.empty(); }));
  ASSERT_EQ(updates_[0].size(), 1u);
  EXPECT_EQ(updates_[0][0].source, "h.test");
  EXPECT_EQ(metrics_.dns_lookup_failures->value(), 1);
  EXPECT_EQ(metrics_.dns_lookups->value(), 2);
  p->stop();
}

// More SRV records than fit a UDP answer: dnsmasq truncates, the provider
// asks again over TCP.
TEST_F(DnsProviderTest, TruncatedAnswersAreRetriedOverTcp) {
  std::vector<std::string> records;
  for (int i = 0; i < 150; ++i)
    records.push_back("--srv-host=_many._tcp.test,target-number-" + std::to_string(i) + ".with.a.long.name.test," +
                      std::to_string(10000 + i));
  ASSERT_TRUE(dnsmasq_->start(records));
  auto p = start({"_many._tcp.test"});
  ASSERT_TRUE(run_until([&] { return !updates_.empty(); }));
  EXPECT_EQ(targets("_many._tcp.test").size(), 150u);
  EXPECT_EQ(metrics_.dns_lookup_failures->value(), 0);
  // Asked twice: over UDP, then over TCP (which dnsmasq serves in a child
  // process of its own).
  const std::string log = dnsmasq_->log();
  size_t queries = 0;
  for (size_t at = log.find("query[SRV] _many._tcp.test"); at != std::string::npos;
       at = log.find("query[SRV] _many._tcp.test", at + 1))
    ++queries;
  EXPECT_EQ(queries, 2u);
  p->stop();
}

// stop() during a lookup to a server that never answers: no update, and
// the provider is freed without waiting for the timeout.
TEST_F(DnsProviderTest, StopCancelsLookups) {
  int silent = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(silent, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::getsockname(silent, reinterpret_cast<sockaddr*>(&a), &len), 0);
  resolver_.port = ntohs(a.sin_port);
  resolver_.timeout_ms = 30000;
  std::weak_ptr<Provider> weak;
  {
    auto p = start({"h.test"}, "A", 80);
    weak = p;
    ioc_.run_for(std::chrono::milliseconds(200));
    ioc_.restart();
    p->stop();
  }
  ASSERT_TRUE(run_until([&] { return weak.expired(); }, std::chrono::seconds(3)));
  EXPECT_TRUE(updates_.empty());
  EXPECT_EQ(metrics_.dns_lookups->value(), 0);
  ::close(silent);
}

// A missing resolv.conf fails every name (and is retried next refresh).
TEST_F(DnsProviderTest, MissingResolvConfIsAFailure) {
  resolver_.resolv_conf = tmp_.path() + "/nope.conf";
  auto p = start({"h.test", "a.test"}, "A", 80);
  ASSERT_TRUE(run_until([&] { return metrics_.dns_lookup_failures->value() >= 2; }));
  EXPECT_TRUE(updates_.empty());
  p->stop();
}

}  // namespace
}  // namespace strata::scrape
