// dns_sd_configs provider (scrape/discovery/provider.h), as Prometheus' DNS
// SD: at start and every refresh_interval each name is looked up (type SRV,
// A, AAAA or MX) and becomes one group whose source is the name, a target
// per answer record:
//   SRV   <target without the final dot>:<record's port>
//   MX    <exchange without the final dot>:<config's port>
//   A     <address>:<config's port>, AAAA [<address>]:<port>
// each with __meta_dns_name (the configured name), __meta_dns_srv_record_target
// and _port, and __meta_dns_mx_record_target (empty when not that type).
//
// Resolution follows Prometheus' resolver: resolv.conf is read at every
// refresh; the names of the search list are tried in order (name_list());
// each is asked of every nameserver in turn until one answers NOERROR or
// NXDOMAIN. NOERROR ends the lookup (its answer, maybe empty); a name that
// every search variant reports as NXDOMAIN has no targets (its group is
// sent empty: the targets go). Anything else (timeouts, SERVFAIL, REFUSED,
// malformed answers) from every server for some variant is a failed lookup:
// logged, counted in strata_sd_dns_lookup_failures_total, and the name keeps
// its last group.
//
// The DNS client is asynchronous on the provider's io_context: one UDP
// query per server (EDNS0, 4096 bytes), retried over TCP when the answer is
// truncated; a random query id, and an answer counts only when its id and
// question match (anything else arriving on the socket is ignored until the
// timeout).
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>

#include "base/go_quote.h"
#include "base/log.h"
#include "fmt/format.h"
#include "scrape/discovery/dns_message.h"
#include "scrape/discovery/provider.h"

namespace strata::scrape {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

constexpr size_t kMaxUdpAnswer = 65535;

std::string upper(std::string s) {
  for (char& c : s) c = char(std::toupper((unsigned char)c));
  return s;
}

uint16_t query_type(const std::string& type) {
  const std::string t = upper(type);
  if (t == "A") return dns::kTypeA;
  if (t == "AAAA") return dns::kTypeAaaa;
  if (t == "MX") return dns::kTypeMx;
  return dns::kTypeSrv;  // the parser admits nothing else
}

// One query to one server, over UDP or TCP, bounded by a timer. `done`
// runs once, on the io thread: with the answer, or with an error.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  using Done = std::function<void(absl::StatusOr<dns::Message>)>;

  Exchange(asio::io_context& ioc, asio::ip::address server, uint16_t port, bool tcp, int64_t timeout_ms)
      : server_(server), port_(port), tcp_(tcp), timeout_ms_(timeout_ms), udp_(ioc), tcp_sock_(ioc), timer_(ioc) {}

  void start(std::string name, uint16_t qtype, uint16_t id, Done done) {
    name_ = std::move(name);
    qtype_ = qtype;
    id_ = id;
    done_ = std::move(done);
    auto query = dns::build_query(id, name_, qtype, /*edns=*/!tcp_);
    if (!query.ok()) return finish(query.status());
    query_ = *std::move(query);
    timer_.expires_after(std::chrono::milliseconds(timeout_ms_));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      self->finish(absl::DeadlineExceededError(
          fmt::format("{} {}: i/o timeout", self->tcp_ ? "read tcp" : "read udp", self->remote())));
    });
    tcp_ ? start_tcp() : start_udp();
  }

  // Closes the socket; `done` still runs (with an error) unless it ran.
  void cancel() { finish(absl::CancelledError("canceled")); }

 private:
  std::string remote() const { return dns::join_host_port(server_.to_string(), port_); }

  // As Go's net.OpError reads: "read udp 127.0.0.1:53: connection refused".
  absl::Status net_error(const char* op, const boost::system::error_code& ec) const {
    std::string why = ec.message();
    if (!why.empty()) why[0] = char(std::tolower((unsigned char)why[0]));
    return absl::UnavailableError(fmt::format("{} {} {}: {}", op, tcp_ ? "tcp" : "udp", remote(), why));
  }

  void start_udp() {
    boost::system::error_code ec;
    udp_.open(server_.is_v4() ? udp::v4() : udp::v6(), ec);
    if (!ec) udp_.connect(udp::endpoint(server_, port_), ec);
    if (ec) return finish(net_error("dial", ec));
    udp_.async_send(asio::buffer(query_), [self = shared_from_this()](boost::system::error_code ec, size_t) {
      if (ec) return self->finish(self->net_error("write", ec));
      self->buf_.resize(kMaxUdpAnswer);
      self->receive_udp();
    });
  }

  void receive_udp() {
    udp_.async_receive(asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
      if (ec) return self->finish(self->net_error("read", ec));
      auto m = dns::parse_message(std::string_view(self->buf_.data(), n));
      if (m.ok() && self->answers_query(*m)) return self->finish(*std::move(m));
      // Our id but malformed: the server's answer is broken.
      const bool our_id = n >= 2 && uint16_t((uint8_t(self->buf_[0]) << 8) | uint8_t(self->buf_[1])) == self->id_;
      if (!m.ok() && our_id) return self->finish(m.status());
      // Not the answer to this query (a late answer to an earlier one, or
      // spoofed): ignored, the timer still runs.
      self->receive_udp();
    });
  }

  void start_tcp() {
    // Over TCP a message goes with two bytes of length before it.
    std::string framed;
    framed.push_back(char(query_.size() >> 8));
    framed.push_back(char(query_.size() & 0xff));
    query_ = framed + query_;
    tcp_sock_.async_connect(tcp::endpoint(server_, port_), [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return self->finish(self->net_error("dial", ec));
      asio::async_write(self->tcp_sock_, asio::buffer(self->query_),
                        [self](boost::system::error_code ec, size_t) {
                          if (ec) return self->finish(self->net_error("write", ec));
                          self->buf_.resize(2);
                          asio::async_read(self->tcp_sock_, asio::buffer(self->buf_),
                                           [self](boost::system::error_code ec, size_t) {
                                             if (ec) return self->finish(self->net_error("read", ec));
                                             self->read_tcp_body();
                                           });
                        });
    });
  }

  void read_tcp_body() {
    const size_t len = (uint8_t(buf_[0]) << 8) | uint8_t(buf_[1]);
    buf_.resize(len);
    asio::async_read(tcp_sock_, asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, size_t) {
      if (ec) return self->finish(self->net_error("read", ec));
      auto m = dns::parse_message(std::string_view(self->buf_.data(), self->buf_.size()));
      if (!m.ok()) return self->finish(m.status());
      if (!self->answers_query(*m)) return self->finish(absl::InvalidArgumentError("dns: id mismatch"));
      self->finish(*std::move(m));
    });
  }

  bool answers_query(const dns::Message& m) const {
    return m.response && m.id == id_ && m.qtype == qtype_ && dns::same_name(m.question, name_);
  }

  void finish(absl::StatusOr<dns::Message> r) {
    if (finished_) return;
    finished_ = true;
    boost::system::error_code ignored;
    timer_.cancel();
    udp_.close(ignored);
    tcp_sock_.close(ignored);
    Done done = std::move(done_);
    if (done) done(std::move(r));
  }

  const asio::ip::address server_;
  const uint16_t port_;
  const bool tcp_;
  const int64_t timeout_ms_;
  udp::socket udp_;
  tcp::socket tcp_sock_;
  asio::steady_timer timer_;
  std::string name_;
  uint16_t qtype_ = 0, id_ = 0;
  std::string query_;
  std::vector<char> buf_;
  Done done_;
  bool finished_ = false;
};

class DnsProvider final : public Provider, public std::enable_shared_from_this<DnsProvider> {
 public:
  DnsProvider(const DnsSdConfig& config, DiscoveryMetrics* metrics, DnsResolverOptions resolver)
      : config_(config),
        metrics_(metrics),
        resolver_(std::move(resolver)),
        qtype_(query_type(config.type)),
        interval_ms_(std::max<int64_t>(config.refresh_interval_ms, 1000)),
        rng_(std::random_device{}()) {}

  void start(asio::io_context& ioc, Update update) override {
    ioc_ = &ioc;
    update_ = std::move(update);
    timer_.emplace(ioc);
    refresh();
  }

  void stop() override {
    stopped_ = true;
    if (timer_) timer_->cancel();
    for (auto& w : in_flight_)
      if (auto e = w.lock()) e->cancel();
    in_flight_.clear();
  }

 private:
  // The state of one name's lookup within a refresh.
  struct Lookup {
    size_t index = 0;                // into config_.names
    std::vector<std::string> names;  // the search-list variants
    std::vector<asio::ip::address> servers;
    size_t name_at = 0, server_at = 0;
    bool all_valid = true;  // every variant so far answered NXDOMAIN
  };

  void refresh() {
    begin_ = std::chrono::steady_clock::now();
    results_.assign(config_.names.size(), std::nullopt);
    pending_ = config_.names.size();
    if (pending_ == 0) return refresh_done();
    auto conf = load_resolv_conf();
    if (!conf.ok()) {
      for (size_t i = 0; i < config_.names.size(); ++i) lookup_done(i, conf.status());
      return;
    }
    std::vector<asio::ip::address> servers;
    for (const auto& s : conf->servers) {
      boost::system::error_code ec;
      auto a = asio::ip::make_address(s, ec);
      if (ec) {
        log::warn("discovery", "Ignoring a nameserver that is not an IP address",
                  {{"server", s}, {"resolv_conf", resolver_.resolv_conf}});
        continue;
      }
      servers.push_back(a);
    }
    for (size_t i = 0; i < config_.names.size(); ++i) {
      auto l = std::make_shared<Lookup>();
      l->index = i;
      l->names = dns::name_list(config_.names[i], *conf);
      l->servers = servers;
      ask(l);
    }
  }

  absl::StatusOr<dns::ResolvConf> load_resolv_conf() const {
    std::ifstream in(resolver_.resolv_conf);
    if (!in) {
      std::string why = std::strerror(errno);
      if (!why.empty()) why[0] = char(std::tolower((unsigned char)why[0]));
      return absl::UnavailableError("could not load resolv.conf: open " + resolver_.resolv_conf + ": " + why);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return dns::parse_resolv_conf(ss.str());
  }

  void ask(const std::shared_ptr<Lookup>& l, bool tcp = false) {
    if (stopped_) return;
    if (l->name_at == l->names.size()) {
      // Every variant answered NXDOMAIN (no targets), or some had no
      // viable answer from any server (a failure).
      if (l->all_valid) return lookup_done(l->index, dns::Message{});
      return lookup_done(l->index, absl::UnavailableError(fmt::format(
          "could not resolve {}: all servers responded with errors to at least one search domain",
          go_quote(config_.names[l->index]))));
    }
    if (l->server_at == l->servers.size()) {
      l->all_valid = false;  // no viable answer for this variant
      l->name_at++;
      l->server_at = 0;
      return ask(l);
    }
    const asio::ip::address server = l->servers[l->server_at];
    const std::string name = l->names[l->name_at];
    auto ex = std::make_shared<Exchange>(*ioc_, server, resolver_.port, tcp, resolver_.timeout_ms);
    std::erase_if(in_flight_, [](const std::weak_ptr<Exchange>& w) { return w.expired(); });
    in_flight_.push_back(ex);
    ex->start(name, qtype_, uint16_t(rng_()), [self = shared_from_this(), l, tcp, server, name](absl::StatusOr<dns::Message> m) {
      if (self->stopped_) return;
      self->on_answer(l, tcp, server, name, std::move(m));
    });
  }

  void on_answer(const std::shared_ptr<Lookup>& l, bool tcp, const asio::ip::address& server,
                 const std::string& name, absl::StatusOr<dns::Message> m) {
    if (m.ok() && m->truncated) {
      if (!tcp) return ask(l, /*tcp=*/true);
      m = absl::InvalidArgumentError("got truncated message on TCP (64kiB limit exceeded?)");
    }
    if (!m.ok()) {
      log::warn("discovery", "DNS resolution failed",
                {{"server", server.to_string()}, {"name", name}, {"err", std::string(m.status().message())}});
      l->server_at++;
      return ask(l);
    }
    if (m->rcode == dns::kRcodeSuccess) return lookup_done(l->index, *std::move(m));
    if (m->rcode == dns::kRcodeNameError) {
      l->name_at++;
      l->server_at = 0;
      return ask(l);
    }
    l->server_at++;  // SERVFAIL, REFUSED, ...: not a viable answer
    ask(l);
  }

  void lookup_done(size_t index, absl::StatusOr<dns::Message> m) {
    if (stopped_) return;
    metrics_->dns_lookups->inc();
    const std::string& name = config_.names[index];
    if (!m.ok()) {
      metrics_->dns_lookup_failures->inc();
      log::error("discovery", "Error refreshing DNS targets", {{"name", name}, {"err", std::string(m.status().message())}});
    } else {
      results_[index] = group_of(name, *m);
    }
    if (--pending_ == 0) refresh_done();
  }

  TargetGroup group_of(const std::string& name, const dns::Message& m) const {
    TargetGroup g;
    g.source = name;
    for (const auto& r : m.answers) {
      std::string address, srv_target, srv_port, mx_target;
      auto trim_dots = [](std::string s) {
        while (!s.empty() && s.back() == '.') s.pop_back();
        return s;
      };
      switch (r.type) {
        case dns::kTypeSrv:
          srv_target = r.target;
          srv_port = std::to_string(r.port);
          address = dns::join_host_port(trim_dots(r.target), r.port);
          break;
        case dns::kTypeMx:
          mx_target = r.target;
          address = dns::join_host_port(trim_dots(r.target), config_.port);
          break;
        case dns::kTypeA:
        case dns::kTypeAaaa:
          address = dns::join_host_port(r.address, config_.port);
          break;
        case dns::kTypeCname:
          continue;  // answers for A and AAAA may carry the chain
        default:
          log::warn("discovery", "Invalid record", {{"name", r.name}, {"type", std::to_string(r.type)}});
          continue;
      }
      g.targets.push_back(tsdb::Labels::from_unsorted({
          {"__address__", address},
          {"__meta_dns_name", name},
          {"__meta_dns_srv_record_target", srv_target},
          {"__meta_dns_srv_record_port", srv_port},
          {"__meta_dns_mx_record_target", mx_target},
      }));
    }
    return g;
  }

  // Sends every group known (a failed name keeps its last one) when any
  // changed, then waits for the next refresh an interval after this one
  // began.
  void refresh_done() {
    bool changed = false;
    for (size_t i = 0; i < results_.size(); ++i) {
      if (!results_[i]) continue;
      auto it = groups_.find(config_.names[i]);
      if (it == groups_.end() || !(it->second == *results_[i])) {
        groups_[config_.names[i]] = std::move(*results_[i]);
        changed = true;
      }
    }
    if (changed) {
      std::vector<TargetGroup> out;
      for (const auto& [name, g] : groups_) out.push_back(g);
      update_(std::move(out));
    }
    timer_->expires_at(begin_ + std::chrono::milliseconds(interval_ms_));
    timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped_) return;
      self->refresh();
    });
  }

  const DnsSdConfig config_;
  DiscoveryMetrics* metrics_;
  const DnsResolverOptions resolver_;
  const uint16_t qtype_;
  const int64_t interval_ms_;
  std::mt19937 rng_;  // query ids
  asio::io_context* ioc_ = nullptr;
  Update update_;
  std::optional<asio::steady_timer> timer_;
  std::chrono::steady_clock::time_point begin_;       // of the refresh in progress
  std::vector<std::optional<TargetGroup>> results_;   // per config name, this refresh
  size_t pending_ = 0;                                // lookups of this refresh still running
  std::map<std::string, TargetGroup> groups_;         // name -> last group sent
  std::vector<std::weak_ptr<Exchange>> in_flight_;    // cancelled by stop()
  bool stopped_ = false;
};

}  // namespace

std::shared_ptr<Provider> make_dns_provider(const DnsSdConfig& config, DiscoveryMetrics* metrics,
                                            DnsResolverOptions resolver) {
  return std::make_shared<DnsProvider>(config, metrics, std::move(resolver));
}

}  // namespace strata::scrape
