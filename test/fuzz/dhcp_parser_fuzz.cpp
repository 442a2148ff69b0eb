// libFuzzer entry point for parse_dhcp. Besides "no crash, no sanitizer
// report", it checks that every view lies inside the payload and that the
// formatted addresses have their fixed shapes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "proto/dhcp_parser.hpp"

namespace {
bool inside(const std::vector<std::uint8_t>& in, const void* p, std::size_t n) {
  if (n == 0) return true;
  const auto* b = static_cast<const std::uint8_t*>(p);
  return b >= in.data() && b + n <= in.data() + in.size();
}
void check(bool condition) {
  if (!condition) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc::proto;
  // An exactly sized copy: the harness must not hide over-reads behind the
  // caller's buffer.
  const std::vector<std::uint8_t> payload(data, data + size);
  DhcpMessage m;
  const DhcpParseStatus st = parse_dhcp(payload, m);
  check(to_string(st) != "unknown");
  if (st != DhcpParseStatus::ok && st != DhcpParseStatus::malformed_options) return 0;
  check(m.chaddr.size() == m.hlen && m.hlen <= 16);
  check(inside(payload, m.chaddr.data(), m.chaddr.size()));
  check(inside(payload, m.hostname.data(), m.hostname.size()));
  check(inside(payload, m.vendor_class.data(), m.vendor_class.size()));
  check(inside(payload, m.parameter_list.data(), m.parameter_list.size()));
  check(inside(payload, m.client_id.data(), m.client_id.size()));
  check(inside(payload, m.client_fqdn_name.data(), m.client_fqdn_name.size()));
  check(format_hardware_address(m.chaddr).view().size() == (m.hlen == 0 ? 0u : m.hlen * 3u - 1u));
  const auto ip = format_ipv4(m.yiaddr).view();
  check(ip.size() >= 7 && ip.size() <= 15);
  return 0;
}
