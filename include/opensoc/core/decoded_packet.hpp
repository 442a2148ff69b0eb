#pragma once
/// DecodedPacket: what the L2–L4 decoders learned about one frame, as offsets
/// into the frame's own bytes (zero-copy). Produced by decode::decode_packet on
/// the capture worker, read by the flow table and later stages on the same
/// worker; it never outlives the PacketView it describes.
///
/// The L3/L4 fields describe the innermost IP packet: a GRE or VXLAN frame is
/// decoded through to the tunnelled packet, and the flow is the inner one
/// (tunnel_depth says it was tunnelled).
#include <cstdint>

#include "opensoc/core/decode_anomaly.hpp"

namespace opensoc {

/// Bits for DecodedPacket::layers: which headers were seen.
enum Layer : std::uint32_t {
  kLayerEthernet = 1u << 0,
  kLayerVlan = 1u << 1,
  kLayerQinQ = 1u << 2,   // two or more VLAN tags
  kLayerMpls = 1u << 3,
  kLayerIpv4 = 1u << 4,
  kLayerIpv6 = 1u << 5,
  kLayerTcp = 1u << 6,
  kLayerUdp = 1u << 7,
  kLayerIcmp = 1u << 8,
  kLayerIcmpv6 = 1u << 9,
  kLayerSctp = 1u << 10,
  kLayerGre = 1u << 11,
  kLayerVxlan = 1u << 12,
  kLayerArp = 1u << 13,
  kLayerSll = 1u << 14,
};

/// TCP flag bits as on the wire (byte 13 of the TCP header).
enum TcpFlag : std::uint8_t {
  kTcpFin = 0x01,
  kTcpSyn = 0x02,
  kTcpRst = 0x04,
  kTcpPsh = 0x08,
  kTcpAck = 0x10,
  kTcpUrg = 0x20,
  kTcpEce = 0x40,
  kTcpCwr = 0x80,
};

struct DecodedPacket {
  std::uint32_t layers = 0;          ///< Layer bits
  DecodeAnomaly anomaly = DecodeAnomaly::none;  ///< first problem found, if any

  // L2
  std::uint16_t vlan_count = 0;      ///< 802.1Q/802.1ad tags seen (outer first)
  std::uint16_t vlan[2] = {0, 0};    ///< VLAN ids of the two outermost tags
  std::uint8_t mpls_count = 0;       ///< MPLS labels popped
  std::uint8_t tunnel_depth = 0;     ///< GRE / VXLAN encapsulations decoded

  // L3 (innermost IP header)
  std::uint8_t ip_version = 0;       ///< 4, 6, or 0 when there is no IP layer
  std::uint8_t ip_ttl = 0;           ///< TTL / hop limit
  std::uint8_t l4_proto = 0;         ///< IP protocol number of the L4 header
  bool fragment = false;             ///< part of a fragmented datagram
  bool later_fragment = false;       ///< a fragment other than the first (no L4 header)
  std::uint32_t l3_offset = 0;       ///< offset of the innermost IP header
  std::uint32_t src_ip_offset = 0;   ///< offset of the source address (4 or 16 bytes)
  std::uint32_t dst_ip_offset = 0;   ///< offset of the destination address

  // L4
  std::uint32_t l4_offset = 0;       ///< offset of the L4 header (valid when a L4 layer bit is set)
  std::uint16_t src_port = 0;        ///< TCP/UDP/SCTP source port; ICMP: type
  std::uint16_t dst_port = 0;        ///< TCP/UDP/SCTP destination port; ICMP: code
  std::uint8_t tcp_flags = 0;        ///< TcpFlag bits
  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;
  std::uint16_t tcp_window = 0;
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;

  // Payload after the innermost L4 header (or after L3 when L4 is unknown).
  std::uint32_t payload_offset = 0;
  std::uint32_t payload_len = 0;

  [[nodiscard]] bool has(Layer l) const noexcept { return (layers & l) != 0; }
  [[nodiscard]] bool ok() const noexcept { return anomaly == DecodeAnomaly::none; }
};

}  // namespace opensoc
