#pragma once
/// IANA IP protocol numbers of the transports every stage reasons about, and
/// which of them carry ports. One home, so the decoders, the flow key, the
/// slice filter and the index agree on what "port" means.
#include <cstdint>
#include <string>
#include <string_view>

namespace opensoc {

inline constexpr std::uint8_t kIpProtoIcmp = 1;
inline constexpr std::uint8_t kIpProtoTcp = 6;
inline constexpr std::uint8_t kIpProtoUdp = 17;
inline constexpr std::uint8_t kIpProtoIcmpv6 = 58;
inline constexpr std::uint8_t kIpProtoSctp = 132;

/// TCP, UDP and SCTP: the transports whose ports a "port" filter means
/// (ICMP's type/code "ports" in flow keys are not ports).
[[nodiscard]] constexpr bool has_transport_ports(std::uint8_t proto) noexcept {
  return proto == kIpProtoTcp || proto == kIpProtoUdp || proto == kIpProtoSctp;
}

[[nodiscard]] constexpr bool is_icmp_protocol(std::uint8_t proto) noexcept {
  return proto == kIpProtoIcmp || proto == kIpProtoIcmpv6;
}

/// ECS `network.transport` keyword of a protocol number ("tcp", "ipv6-icmp";
/// the decimal number when it has no name), for every record that carries one.
[[nodiscard]] inline std::string transport_keyword(std::uint8_t proto) {
  switch (proto) {
    case 1: return "icmp";
    case 2: return "igmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 47: return "gre";
    case 50: return "esp";
    case 51: return "ah";
    case 58: return "ipv6-icmp";
    case 132: return "sctp";
    default: return std::to_string(proto);
  }
}

}  // namespace opensoc
