#include "scrape/discovery/dns_message.h"

#include <algorithm>
#include <cctype>

#include "fmt/format.h"

namespace strata::scrape::dns {
namespace {

constexpr size_t kHeaderBytes = 12;
constexpr size_t kMaxNameBytes = 255;  // wire form, root label included
constexpr int kMaxPointerHops = 127;   // more than any legal name needs

uint16_t get16(std::string_view w, size_t at) {
  return uint16_t((uint8_t(w[at]) << 8) | uint8_t(w[at + 1]));
}

void put16(std::string& out, uint16_t v) {
  out.push_back(char(v >> 8));
  out.push_back(char(v & 0xff));
}

// The characters a label escapes in presentation form, as Go's dns package
// prints them: specials with a backslash, the rest outside ! .. ~ as \DDD.
void append_label(std::string& out, std::string_view label) {
  for (unsigned char c : label) {
    switch (c) {
      case '.': case ' ': case '\'': case '@': case ';': case '(': case ')': case '"': case '\\':
        out.push_back('\\');
        out.push_back(char(c));
        break;
      default:
        if (c < '!' || c > '~') {
          out += fmt::format("\\{:03d}", c);
        } else {
          out.push_back(char(c));
        }
    }
  }
}

// Reads the name at `*pos`, following compression pointers; `*pos` ends
// after the name's in-place part.
absl::StatusOr<std::string> read_name(std::string_view w, size_t* pos) {
  std::string out;
  size_t p = *pos;
  bool jumped = false;
  int hops = 0;
  size_t wire_bytes = 1;  // the root label
  for (;;) {
    if (p >= w.size()) return absl::InvalidArgumentError("dns: name runs past the message");
    const uint8_t len = uint8_t(w[p]);
    if ((len & 0xC0) == 0xC0) {
      if (p + 1 >= w.size()) return absl::InvalidArgumentError("dns: name runs past the message");
      const size_t target = (size_t(len & 0x3F) << 8) | uint8_t(w[p + 1]);
      if (!jumped) *pos = p + 2;
      jumped = true;
      if (++hops > kMaxPointerHops) return absl::InvalidArgumentError("dns: too many compression pointers");
      if (target >= w.size()) return absl::InvalidArgumentError("dns: compression pointer past the message");
      p = target;
      continue;
    }
    if (len & 0xC0) return absl::InvalidArgumentError("dns: unsupported label type");
    if (len == 0) {
      if (!jumped) *pos = p + 1;
      break;
    }
    if (p + 1 + len > w.size()) return absl::InvalidArgumentError("dns: label runs past the message");
    wire_bytes += 1 + len;
    if (wire_bytes > kMaxNameBytes) return absl::InvalidArgumentError("dns: name longer than 255 octets");
    append_label(out, w.substr(p + 1, len));
    out.push_back('.');
    p += 1 + len;
  }
  if (out.empty()) out.push_back('.');  // the root
  return out;
}

// Go's net.IP.String() for 16 bytes: IPv4-mapped addresses dotted, else
// RFC 5952 (the first longest run of two or more zero groups as "::").
std::string format_ipv6(const uint8_t* b) {
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped, kMapped + 12, b)) return fmt::format("{}.{}.{}.{}", b[12], b[13], b[14], b[15]);
  uint16_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = uint16_t((b[2 * i] << 8) | b[2 * i + 1]);
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i >= 2 && j - i > best_len) best = i, best_len = j - i;
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out.push_back(':');
    out += fmt::format("{:x}", g[i]);
  }
  return out;
}

// Labels of a presentation-form name, escapes decoded; false for a name
// that cannot be a domain name.
bool encode_name(std::string_view name, std::string* wire) {
  if (name == ".") {
    wire->push_back('\0');
    return true;
  }
  std::string label;
  size_t total = 1;
  auto flush = [&] {
    if (label.empty() || label.size() > 63) return false;
    total += 1 + label.size();
    if (total > kMaxNameBytes) return false;
    wire->push_back(char(label.size()));
    *wire += label;
    label.clear();
    return true;
  };
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '\\') {
      if (i + 3 < name.size() && std::isdigit((unsigned char)name[i + 1]) &&
          std::isdigit((unsigned char)name[i + 2]) && std::isdigit((unsigned char)name[i + 3])) {
        int v = (name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
        if (v > 255) return false;
        label.push_back(char(v));
        i += 3;
      } else if (i + 1 < name.size()) {
        label.push_back(name[++i]);
      } else {
        return false;
      }
    } else if (c == '.') {
      if (!flush()) return false;
    } else {
      label.push_back(c);
    }
  }
  if (!label.empty()) return false;  // not absolute
  wire->push_back('\0');
  return true;
}

// Splits at any of `seps`, dropping empty pieces.
std::vector<std::string_view> fields(std::string_view s, std::string_view seps) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find_first_of(seps, i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> build_query(uint16_t id, std::string_view fqdn, uint16_t qtype, bool edns) {
  std::string out;
  put16(out, id);
  put16(out, 0x0100);  // a query, recursion desired
  put16(out, 1);       // QDCOUNT
  put16(out, 0);
  put16(out, 0);
  put16(out, edns ? 1 : 0);  // ARCOUNT: the OPT record
  if (!encode_name(fqdn, &out))
    return absl::InvalidArgumentError(fmt::format("dns: bad domain name \"{}\"", fqdn));
  put16(out, qtype);
  put16(out, 1);  // class IN
  if (edns) {
    out.push_back('\0');  // root owner
    put16(out, kTypeOpt);
    put16(out, kEdnsUdpSize);  // the class field carries the UDP size
    put16(out, 0);             // extended RCODE, version
    put16(out, 0);             // flags (DO clear)
    put16(out, 0);             // RDLENGTH
  }
  return out;
}

absl::StatusOr<Message> parse_message(std::string_view w) {
  if (w.size() < kHeaderBytes) return absl::InvalidArgumentError("dns: message shorter than its header");
  Message m;
  m.id = get16(w, 0);
  const uint16_t flags = get16(w, 2);
  m.response = flags & 0x8000;
  m.truncated = flags & 0x0200;
  m.rcode = flags & 0x000F;
  const uint16_t qdcount = get16(w, 4), ancount = get16(w, 6);
  size_t pos = kHeaderBytes;
  for (uint16_t i = 0; i < qdcount; ++i) {
    auto name = read_name(w, &pos);
    if (!name.ok()) return name.status();
    if (pos + 4 > w.size()) return absl::InvalidArgumentError("dns: question runs past the message");
    if (i == 0) {
      m.question = *std::move(name);
      m.qtype = get16(w, pos);
    }
    pos += 4;
  }
  // Each record takes at least 11 bytes: a count beyond what the message
  // can hold fails below without reserving for it.
  for (uint16_t i = 0; i < ancount; ++i) {
    Record r;
    auto name = read_name(w, &pos);
    if (!name.ok()) return name.status();
    r.name = *std::move(name);
    if (pos + 10 > w.size()) return absl::InvalidArgumentError("dns: record runs past the message");
    r.type = get16(w, pos);
    const size_t rdlength = get16(w, pos + 8);
    const size_t rdata = pos + 10, end = rdata + rdlength;
    if (end > w.size()) return absl::InvalidArgumentError("dns: record data runs past the message");
    // A name inside the record data must end within it.
    auto name_in_rdata = [&](size_t at) -> absl::StatusOr<std::string> {
      size_t p = at;
      auto n = read_name(w, &p);
      if (!n.ok()) return absl::InvalidArgumentError(std::string(n.status().message()) + " (in record data)");
      if (p != end) return absl::InvalidArgumentError("dns: record data does not match its length");
      return n;
    };
    const auto* b = reinterpret_cast<const uint8_t*>(w.data()) + rdata;
    switch (r.type) {
      case kTypeA:
        if (rdlength != 4) return absl::InvalidArgumentError("dns: A record data is not 4 bytes");
        r.address = fmt::format("{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
        break;
      case kTypeAaaa:
        if (rdlength != 16) return absl::InvalidArgumentError("dns: AAAA record data is not 16 bytes");
        r.address = format_ipv6(b);
        break;
      case kTypeSrv: {
        if (rdlength < 7) return absl::InvalidArgumentError("dns: SRV record data too short");
        r.port = get16(w, rdata + 4);
        auto t = name_in_rdata(rdata + 6);
        if (!t.ok()) return t.status();
        r.target = *std::move(t);
        break;
      }
      case kTypeMx: {
        if (rdlength < 3) return absl::InvalidArgumentError("dns: MX record data too short");
        auto t = name_in_rdata(rdata + 2);
        if (!t.ok()) return t.status();
        r.target = *std::move(t);
        break;
      }
      case kTypeCname: {
        auto t = name_in_rdata(rdata);
        if (!t.ok()) return t.status();
        r.target = *std::move(t);
        break;
      }
      default:
        break;
    }
    pos = end;
    m.answers.push_back(std::move(r));
  }
  return m;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower((unsigned char)x) == std::tolower((unsigned char)y);
         });
}

ResolvConf parse_resolv_conf(std::string_view text) {
  ResolvConf c;
  for (std::string_view line : fields(text, "\n")) {
    if (line[0] == '#' || line[0] == ';') continue;
    std::vector<std::string_view> f = fields(line, " \t\r\f\v");
    if (f.empty()) continue;
    if (f[0] == "nameserver") {
      if (f.size() > 1) c.servers.emplace_back(f[1]);
    } else if (f[0] == "domain") {
      c.search.clear();
      if (f.size() > 1) c.search.emplace_back(f[1]);
    } else if (f[0] == "search") {
      c.search.assign(f.begin() + 1, f.end());
    } else if (f[0] == "options") {
      for (size_t i = 1; i < f.size(); ++i) {
        if (f[i].substr(0, 6) != "ndots:") continue;
        int n = 0;
        for (char d : f[i].substr(6)) {
          if (!std::isdigit((unsigned char)d)) break;
          n = std::min(n * 10 + (d - '0'), 100);
        }
        c.ndots = std::clamp(n, 0, 15);
      }
    }
  }
  return c;
}

std::vector<std::string> name_list(const std::string& name, const ResolvConf& conf) {
  if (!name.empty() && name.back() == '.') return {name};
  const bool enough_dots = int(fields(name, ".").size()) > conf.ndots;
  const std::string fqdn = name + ".";
  std::vector<std::string> out;
  if (enough_dots) out.push_back(fqdn);
  for (const auto& s : conf.search) {
    std::string n = fqdn + s;
    if (n.back() != '.') n.push_back('.');
    out.push_back(std::move(n));
  }
  if (!enough_dots) out.push_back(fqdn);
  return out;
}

std::string join_host_port(std::string_view host, int64_t port) {
  if (host.find(':') != std::string_view::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

}  // namespace strata::scrape::dns
