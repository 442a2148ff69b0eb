#pragma once
// The registry numbers the decoders hand to the dispatcher. Decoders name the
// next protocol by its on-the-wire number (ethertype, IP protocol, UDP port),
// never by which C++ function decodes it: dispatch.cpp alone maps numbers to
// functions, so wiring a decoder never touches the decoders around it.
#include <cstdint>

#include "opensoc/core/ip_protocol.hpp"

namespace opensoc::decode::detail {

// IEEE ethertypes (and the values GRE, SLL and PPP reuse from that registry).
inline constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEthertypeArp = 0x0806;
inline constexpr std::uint16_t kEthertypeVlan = 0x8100;        // 802.1Q C-tag
inline constexpr std::uint16_t kEthertypeQinQ = 0x88a8;        // 802.1ad S-tag
inline constexpr std::uint16_t kEthertypeQinQLegacy = 0x9100;  // pre-802.1ad S-tag
inline constexpr std::uint16_t kEthertypeIpv6 = 0x86dd;
inline constexpr std::uint16_t kEthertypeMplsUnicast = 0x8847;
inline constexpr std::uint16_t kEthertypeMplsMulticast = 0x8848;
// "Transparent Ethernet Bridging": the payload is a whole Ethernet frame.
// GRE uses it for bridged tunnels; VXLAN, ERSPAN and MPLS pseudowires hand
// their inner frame to the dispatcher under this number too.
inline constexpr std::uint16_t kEthertypeTeb = 0x6558;
inline constexpr std::uint16_t kEthertypePpp = 0x880b;         // GRE v1 (PPTP) payload
inline constexpr std::uint16_t kEthertypeErspan2 = 0x88be;     // ERSPAN type I and II
inline constexpr std::uint16_t kEthertypeErspan3 = 0x22eb;     // ERSPAN type III

// IANA IP protocol numbers (the transports themselves are in core).
using opensoc::kIpProtoIcmp;
using opensoc::kIpProtoIcmpv6;
using opensoc::kIpProtoSctp;
using opensoc::kIpProtoTcp;
using opensoc::kIpProtoUdp;
inline constexpr std::uint8_t kIpProtoHopByHop = 0;
inline constexpr std::uint8_t kIpProtoIpip = 4;   // IPv4 in IP
inline constexpr std::uint8_t kIpProtoIpv6 = 41;  // IPv6 in IP (6in4)
inline constexpr std::uint8_t kIpProtoRouting = 43;
inline constexpr std::uint8_t kIpProtoFragment = 44;
inline constexpr std::uint8_t kIpProtoGre = 47;
inline constexpr std::uint8_t kIpProtoEsp = 50;
inline constexpr std::uint8_t kIpProtoAh = 51;
inline constexpr std::uint8_t kIpProtoNoNext = 59;
inline constexpr std::uint8_t kIpProtoDestOpts = 60;
inline constexpr std::uint8_t kIpProtoMobility = 135;

// IANA UDP ports of the UDP-carried tunnels we decode.
inline constexpr std::uint16_t kUdpPortVxlan = 4789;

}  // namespace opensoc::decode::detail
