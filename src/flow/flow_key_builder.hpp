#pragma once
// Builds the normalised FlowKey of a decoded packet, including the ICMP
// type-to-"port" mapping shared with the Community ID hash.
#include <cstdint>

#include "opensoc/core/decoded_packet.hpp"
#include "opensoc/core/flow_key.hpp"
#include "opensoc/core/ip_protocol.hpp"

namespace opensoc::flow {

inline constexpr std::uint8_t kProtoIcmp = kIpProtoIcmp;
inline constexpr std::uint8_t kProtoTcp = kIpProtoTcp;
inline constexpr std::uint8_t kProtoUdp = kIpProtoUdp;
inline constexpr std::uint8_t kProtoIcmpv6 = kIpProtoIcmpv6;
inline constexpr std::uint8_t kProtoSctp = kIpProtoSctp;

[[nodiscard]] constexpr bool is_icmp_proto(std::uint8_t proto) noexcept { return is_icmp_protocol(proto); }

/// The port-equivalents of an ICMP/ICMPv6 message, per the Community ID spec
/// (which follows Zeek's ICMP4_counterpart): request/reply types map to
/// (type, counterpart type) so both directions produce the same pair; every
/// other type is one-way with (type, code) and is never direction-normalised.
struct IcmpPortPair {
  std::uint16_t src = 0;
  std::uint16_t dst = 0;
  bool one_way = true;
};
[[nodiscard]] IcmpPortPair icmp_port_equivalents(std::uint8_t ip_proto, std::uint8_t type,
                                                 std::uint8_t code) noexcept;

/// True when `d` carries a usable L4 header for its innermost IP protocol
/// (TCP, UDP, SCTP, ICMP, ICMPv6): not a later fragment, the layer bit of
/// that protocol set, and no truncation anomaly on it. Otherwise the flow key
/// uses ports 0.
[[nodiscard]] bool has_l4_ports(const DecodedPacket& d) noexcept;

/// Builds the key of the flow `d` belongs to: outer VLAN id, addresses read
/// from `frame` at d.src_ip_offset / d.dst_ip_offset (4 or 16 bytes per
/// d.ip_version), L4 ports (ICMP: port-equivalents, see above; none: 0), IP
/// protocol and version. The (address, port) endpoints are ordered so both
/// directions give the same key, exactly as Community ID orders them
/// (addresses as bytes, then ports); `swapped` is set when the packet's source
/// is the key's hi side. One-way ICMP keys keep the packet's order (source in
/// lo) and never set `swapped`.
///
/// Precondition: d.ip_version is 4 or 6 and both addresses lie inside the
/// captured bytes at `frame` (FlowTable::on_packet checks this against the
/// PacketView's caplen). Pure function; any thread.
[[nodiscard]] FlowKey make_flow_key(const std::uint8_t* frame, const DecodedPacket& d,
                                    bool& swapped) noexcept;

}  // namespace opensoc::flow
