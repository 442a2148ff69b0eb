// The few behaviours of the rule model (rule.hpp): buffer names for errors
// and the API, and the header address/port tests. Pure functions over plain
// values; any thread may call them, concurrently.
#include "detect/rule.hpp"

#include <array>
#include <cstring>

namespace opensoc::detect {

namespace {

bool in_cidr(const IpAddress& a, const Cidr& c) noexcept {
  if (a.version != c.network.version) return false;
  const std::size_t bits = a.version == 6 ? 128 : 32;
  const std::size_t prefix = c.prefix > bits ? bits : c.prefix;
  const std::size_t full = prefix / 8;
  if (std::memcmp(a.bytes.data(), c.network.bytes.data(), full) != 0) return false;
  const std::size_t rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFFu << (8 - rest));
  return (a.bytes[full] & mask) == (c.network.bytes[full] & mask);
}

bool in_range(std::uint16_t p, const PortRange& r) noexcept { return p >= r.lo && p <= r.hi; }

}  // namespace

const char* rule_buffer_name(RuleBuffer b) noexcept {
  switch (b) {
    case RuleBuffer::packet: return "packet";
    case RuleBuffer::dns_query: return "dns.query";
    case RuleBuffer::http_uri: return "http.uri";
    case RuleBuffer::http_host: return "http.host";
    case RuleBuffer::http_method: return "http.method";
    case RuleBuffer::http_user_agent: return "http.user_agent";
    case RuleBuffer::tls_sni: return "tls.sni";
    case RuleBuffer::ja3_hash: return "ja3.hash";
    case RuleBuffer::count_: break;
  }
  return "unknown";
}

bool AddressSpec::matches(const IpAddress& a) const noexcept {
  bool included = any;
  if (!included) {
    for (const Cidr& c : include) {
      if (in_cidr(a, c)) {
        included = true;
        break;
      }
    }
  }
  if (!included) return false;
  for (const Cidr& c : exclude) {
    if (in_cidr(a, c)) return false;
  }
  return true;
}

bool PortSpec::matches(std::uint16_t port) const noexcept {
  bool included = any;
  if (!included) {
    for (const PortRange& r : include) {
      if (in_range(port, r)) {
        included = true;
        break;
      }
    }
  }
  if (!included) return false;
  for (const PortRange& r : exclude) {
    if (in_range(port, r)) return false;
  }
  return true;
}

}  // namespace opensoc::detect
