#pragma once
/// IANA IP protocol numbers of the transports every stage reasons about, and
/// which of them carry ports. One home, so the decoders, the flow key, the
/// slice filter and the index agree on what "port" means.
#include <cstdint>

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

}  // namespace opensoc
