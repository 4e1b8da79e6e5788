// The DNS wire format as far as dns_sd_configs needs it (RFC 1035, 2782,
// 3596, 6891): building a query, reading the answer section of a response,
// and the resolver configuration of resolv.conf. Internal to
// scrape/discovery (dns_sd.cc and its tests).
//
// A response is untrusted input: every length, count and compression
// pointer is checked against the message before it is followed, names are
// bounded (255 octets, 127 pointer hops), and a malformed message is an
// error, never a read past the buffer.
//
// Pure functions on value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace strata::scrape::dns {

enum RecordType : uint16_t {
  kTypeA = 1,
  kTypeCname = 5,
  kTypeMx = 15,
  kTypeAaaa = 28,
  kTypeSrv = 33,
  kTypeOpt = 41,
};

enum Rcode : int { kRcodeSuccess = 0, kRcodeServerFailure = 2, kRcodeNameError = 3, kRcodeRefused = 5 };

// The UDP payload size a query advertises with EDNS0 (Go's dns.DefaultMsgSize).
constexpr uint16_t kEdnsUdpSize = 4096;

// A recursive query (RD set) for the absolute `fqdn` ("a.example."), with
// an EDNS0 OPT record when `edns`. Fails for a name that cannot be encoded
// (an empty label, a label over 63 octets, over 255 octets in all).
absl::StatusOr<std::string> build_query(uint16_t id, std::string_view fqdn, uint16_t qtype, bool edns);

struct Record {
  uint16_t type = 0;
  std::string name;    // owner, presentation form ("a.example.")
  std::string target;  // SRV target, MX exchange, CNAME: presentation form
  std::string address; // A, AAAA: as Go's net.IP.String() prints it
  uint16_t port = 0;   // SRV
};

struct Message {
  uint16_t id = 0;
  bool response = false;   // QR
  bool truncated = false;  // TC
  int rcode = 0;           // the header's 4 bits
  std::string question;    // the first question's name, presentation form
  uint16_t qtype = 0;
  std::vector<Record> answers;  // records of other types keep type and name only
};

absl::StatusOr<Message> parse_message(std::string_view wire);

// Names in presentation form compare case-insensitively (ASCII).
bool same_name(std::string_view a, std::string_view b);

// The resolver settings Prometheus' DNS client reads from resolv.conf:
// nameserver lines, the search list (`domain` or `search`, the last one
// wins), options ndots:N (default 1).
struct ResolvConf {
  std::vector<std::string> servers;
  std::vector<std::string> search;
  int ndots = 1;
};
ResolvConf parse_resolv_conf(std::string_view text);

// The absolute names to try for `name`, in order: the name alone when it
// ends in '.'; otherwise the name before the search list when it has more
// labels than ndots, after it when not.
std::vector<std::string> name_list(const std::string& name, const ResolvConf& conf);

// Go's net.JoinHostPort: "[::1]:80" for hosts with a ':'.
std::string join_host_port(std::string_view host, int64_t port);

}  // namespace strata::scrape::dns
